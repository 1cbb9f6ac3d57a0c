/**
 * Connectors (MCP servers) as the Settings → Connectors view sees them. Only panels get these (every
 * connector command is trusted-only): a paired phone can neither add nor change a connector, and no
 * view carries a token or an environment value (a launch's env may hold secrets).
 */
import { z } from 'zod/mini';

export const ConnectorIdText = z.string().check(z.minLength(1), z.maxLength(40), z.regex(/^[a-z0-9][a-z0-9-]*$/));

export const ConnectorToolView = z.object({
  /** The server's own name. */
  name: z.string(),
  /** The name the model sees. */
  modelName: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  readOnly: z.boolean(),
  destructive: z.boolean(),
});
export type ConnectorToolView = z.infer<typeof ConnectorToolView>;

export const ConnectorView = z.object({
  id: ConnectorIdText,
  name: z.string(),
  kind: z.enum(['stdio', 'http']),
  enabled: z.boolean(),
  /** The command line (stdio) or the URL (http); env values and tokens are never included. */
  target: z.string(),
  envKeys: z.array(z.string()),
  hasToken: z.boolean(),
  connected: z.boolean(),
  lastError: z.nullable(z.string()),
  tools: z.array(ConnectorToolView),
});
export type ConnectorView = z.infer<typeof ConnectorView>;

export const ConnectorCommands = [
  /** Answered with `connectors`. */
  z.object({ type: z.literal('connectors.list'), id: z.string().check(z.minLength(1), z.maxLength(128)) }),
  /** Pasted JSON: a Claude-Desktop `mcpServers` block or its inner map. */
  z.object({
    type: z.literal('connectors.add'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    json: z.string().check(z.minLength(2), z.maxLength(64_000)),
  }),
  z.object({
    type: z.literal('connectors.remove'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    connectorId: ConnectorIdText,
  }),
  /** Connects, lists the tools and remembers them; answered with `connectors` (lastError says what failed). */
  z.object({
    type: z.literal('connectors.test'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    connectorId: ConnectorIdText,
  }),
  z.object({
    type: z.literal('connectors.setTool'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    connectorId: ConnectorIdText,
    tool: z.string().check(z.minLength(1), z.maxLength(256)),
    enabled: z.boolean(),
  }),
  z.object({
    type: z.literal('connectors.setEnabled'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    connectorId: ConnectorIdText,
    enabled: z.boolean(),
  }),
  /** Signs a remote connector in afresh (the server's consent page); answered with `connectors`. */
  z.object({
    type: z.literal('connectors.signIn'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    connectorId: ConnectorIdText,
  }),
  /** Forgets a remote connector's OAuth tokens (sign in again with `connectors.signIn`). */
  z.object({
    type: z.literal('connectors.signOut'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    connectorId: ConnectorIdText,
  }),
  /** Answered with `connector.log`: the server's stderr as the host kept it. */
  z.object({
    type: z.literal('connectors.log'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    connectorId: ConnectorIdText,
  }),
] as const;

export const ConnectorMessages = [
  z.object({ type: z.literal('connectors'), connectors: z.array(ConnectorView) }),
  z.object({ type: z.literal('connector.log'), connectorId: ConnectorIdText, text: z.string() }),
] as const;

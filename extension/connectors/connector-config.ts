/**
 * What the user configured for one MCP server (a "connector"), and the import of the
 * `mcpServers` block Claude Desktop, Cursor and other clients write, so an existing
 * config pastes in. Everything here is parsed with zod: a pasted block is outside input.
 */
import { z } from 'zod';

/** A connector id names it in tool names, grants and logs: short, stable, safe everywhere. */
export const ConnectorId = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'use lowercase letters, digits and "-"' });

const StdioSpec = z.strictObject({
  kind: z.literal('stdio'),
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(4096)).max(256).default([]),
  env: z.record(z.string().max(256), z.string().max(32_768)).default({}),
  cwd: z.string().min(1).max(4096).optional(),
});

const HttpSpec = z.strictObject({
  kind: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }).max(2048),
  /** `auto` tries Streamable HTTP and falls back to the older HTTP+SSE transport. */
  transport: z.enum(['auto', 'streamable-http', 'sse']).default('auto'),
  /** The simple alternative to OAuth: sent as `Authorization: Bearer …`, never shown to a phone or the model. */
  bearerToken: z.string().min(1).max(8192).optional(),
});

export const ConnectorSpec = z.discriminatedUnion('kind', [StdioSpec, HttpSpec]);
export type ConnectorSpec = z.infer<typeof ConnectorSpec>;
export type StdioSpec = z.infer<typeof StdioSpec>;
export type HttpSpec = z.infer<typeof HttpSpec>;

export const ConnectorConfig = z.strictObject({
  id: ConnectorId,
  /** As the user named it (the key in `mcpServers`). */
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  /** Server tool names the user switched off: never offered to the model. */
  disabledTools: z.array(z.string().max(256)).max(1000).default([]),
  spec: ConnectorSpec,
});
export type ConnectorConfig = z.infer<typeof ConnectorConfig>;

/** One entry of a Claude-Desktop-style `mcpServers` block. Unknown keys are ignored, as those clients do. */
const McpServerEntry = z.union([
  z.object({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  }),
  z.object({
    url: z.string(),
    type: z.enum(['http', 'streamable-http', 'streamableHttp', 'sse']).optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
]);

const McpServersBlock = z.object({ mcpServers: z.record(z.string(), z.unknown()) });

export class ConnectorImportError extends Error {
  override name = 'ConnectorImportError';
}

/** A connector id from a name the user gave: lowercase, dashes, made unique against `taken`. */
export function connectorIdFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'server';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

function bearerFrom(headers: Record<string, string> | undefined): string | undefined {
  const value = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === 'authorization')?.[1];
  const match = value?.match(/^Bearer\s+(.+)$/i);
  return match?.[1];
}

/**
 * Parses pasted JSON: a whole config (`{ "mcpServers": { … } }`) or just the inner map.
 * Every entry must be valid, or nothing is imported (a half import would surprise the user).
 */
export function importMcpServers(text: string, existingIds: ReadonlySet<string> = new Set()): ConnectorConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConnectorImportError(`This is not valid JSON: ${(error as Error).message}`);
  }
  const block = McpServersBlock.safeParse(json);
  const servers = block.success ? block.data.mcpServers : z.record(z.string(), z.unknown()).safeParse(json).data;
  if (!servers || Object.keys(servers).length === 0)
    throw new ConnectorImportError('Expected an "mcpServers" object with at least one server.');
  const taken = new Set(existingIds);
  return Object.entries(servers).map(([name, raw]) => {
    const entry = McpServerEntry.safeParse(raw);
    if (!entry.success)
      throw new ConnectorImportError(`Server "${name}": give either a "command" (local) or a "url" (remote).`);
    const id = connectorIdFor(name, taken);
    taken.add(id);
    const value = entry.data;
    const spec =
      'command' in value
        ? {
            kind: 'stdio' as const,
            command: value.command,
            args: value.args ?? [],
            env: value.env ?? {},
            ...(value.cwd ? { cwd: value.cwd } : {}),
          }
        : {
            kind: 'http' as const,
            url: value.url,
            transport:
              value.type === 'sse' ? ('sse' as const) : value.type ? ('streamable-http' as const) : ('auto' as const),
            ...(bearerFrom(value.headers) ? { bearerToken: bearerFrom(value.headers) } : {}),
          };
    const parsed = ConnectorConfig.safeParse({ id, name, spec });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConnectorImportError(`Server "${name}": ${issue?.path.join('.')}: ${issue?.message}`);
    }
    return parsed.data;
  });
}

/** What the user must read before adding a local server (Settings shows it; tests hold the wording). */
export const LOCAL_SERVER_WARNING =
  'A local connector runs as a program on this computer with your user rights. ' +
  "Tandem's site and folder policies do not apply to it: it can read and change anything you can.";

/**
 * A connector's tools as Tandem tools: a stable API-valid name, the server's own
 * input schema passed through, a permission request for every call (the connector
 * policy decides), and a result bounded and wrapped as untrusted content. A failed
 * or timed-out call is a tool error for the model; the task goes on.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { connectorRequest, isDestructive, isReadOnly, type ToolHints } from '../permissions/connector-policy';
import { type ToolDefinition, ToolError } from '../tools/registry';
import type { ConnectorConfig } from './connector-config';
import type { ConnectorSession } from './connector-session';
import { nameConnectorTools } from './tool-names';
import { toToolOutput } from './tool-results';

/** The model sees at most this much of a server's description: it is outside text too. */
const MAX_DESCRIPTION_CHARS = 2000;

function hintsOf(tool: Tool): ToolHints {
  const a = tool.annotations ?? {};
  return {
    ...(a.readOnlyHint === undefined ? {} : { readOnlyHint: a.readOnlyHint }),
    ...(a.destructiveHint === undefined ? {} : { destructiveHint: a.destructiveHint }),
    ...(a.openWorldHint === undefined ? {} : { openWorldHint: a.openWorldHint }),
  };
}

function summary(input: unknown): string {
  const text = JSON.stringify(input) ?? '';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The model reads a connector's resources (a file, a record the server names by URI) through one tool. */
function resourceTool(config: ConnectorConfig, session: ConnectorSession): ToolDefinition {
  const hints = { readOnlyHint: true, destructiveHint: false };
  const input = z.object({ uri: z.string().min(1).max(4096).describe('The resource URI, as the server gave it.') });
  return {
    name: `mcp_${config.id}___read_resource`.slice(0, 64),
    connectorId: config.id,
    description: `[Connector "${config.name}"] Read one of this connector's resources by its URI (from a resource link or an earlier result).`,
    input,
    risk: 'read',
    idempotent: true,
    permission: (value) => connectorRequest(config.name, config.id, 'read resource', hints, summary(value)),
    async execute(value, ctx) {
      const { uri } = value as z.infer<typeof input>;
      try {
        const read = await session.readResource(uri, ctx.signal);
        // Resource contents are the same shapes as embedded resources in a tool result.
        const content = read.contents.map((resource) => ({ type: 'resource' as const, resource }));
        return toToolOutput(`mcp:${config.id}/${uri}`, { content });
      } catch (error) {
        throw new ToolError(error instanceof Error ? error.message : String(error));
      }
    },
  };
}

export function connectorTools(
  config: ConnectorConfig,
  session: ConnectorSession,
  serverTools: readonly Tool[],
  options: { resources?: boolean } = {},
): ToolDefinition[] {
  const offered = serverTools.filter((tool) => !config.disabledTools.includes(tool.name));
  const names = nameConnectorTools(
    config.id,
    offered.map((tool) => tool.name),
  );
  const fromServer = offered.flatMap((tool): ToolDefinition[] => {
    const name = names.get(tool.name);
    if (!name) return [];
    const hints = hintsOf(tool);
    const description = (tool.description ?? tool.title ?? tool.name).slice(0, MAX_DESCRIPTION_CHARS);
    return [
      {
        name,
        connectorId: config.id,
        description: `[Connector "${config.name}", tool ${tool.name}] ${description}`,
        input: z.record(z.string(), z.unknown()),
        inputJsonSchema: tool.inputSchema as Record<string, unknown>,
        risk: isDestructive(hints) ? 'destructive' : isReadOnly(hints) ? 'read' : 'write',
        idempotent: tool.annotations?.idempotentHint === true || isReadOnly(hints),
        permission: (input) => connectorRequest(config.name, config.id, tool.name, hints, summary(input)),
        async execute(input, ctx) {
          try {
            const result = await session.callTool(tool.name, input as Record<string, unknown>, ctx.signal);
            return toToolOutput(`mcp:${config.id}/${tool.name}`, result);
          } catch (error) {
            throw new ToolError(error instanceof Error ? error.message : String(error));
          }
        },
      },
    ];
  });
  return options.resources ? [...fromServer, resourceTool(config, session)] : fromServer;
}

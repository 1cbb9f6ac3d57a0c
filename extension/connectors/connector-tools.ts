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

export function connectorTools(
  config: ConnectorConfig,
  session: ConnectorSession,
  serverTools: readonly Tool[],
): ToolDefinition[] {
  const offered = serverTools.filter((tool) => !config.disabledTools.includes(tool.name));
  const names = nameConnectorTools(
    config.id,
    offered.map((tool) => tool.name),
  );
  return offered.flatMap((tool): ToolDefinition[] => {
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
}

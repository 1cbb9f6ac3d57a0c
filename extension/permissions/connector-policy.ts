/**
 * The connector policy: may this MCP tool run? Grants are kept per tool
 * (`<connector>/<tool>`) and per connector for its read-only tools
 * (`<connector>/*read-only`). A server's annotations (`readOnlyHint`,
 * `destructiveHint`) are hints from outside code: they choose which options are
 * offered and whether to ask every time, and they can only make Tandem more
 * careful, never skip a question the user has not answered:
 * - a tool marked `destructiveHint` asks every time, whatever was granted;
 * - "always for this connector's read-only tools" covers a tool only while it is
 *   marked read-only AND not destructive;
 * - any deny the user gave wins over every allow.
 */
import type { DecisionOption } from '../../shared/protocol';
import { type Grant, type GrantStore, isLive } from './grant-policy';
import type { GateContext, PermissionPolicy, PermissionRequest, Verdict } from './permission-gate';

export const CONNECTOR_POLICY = 'connector';

/** MCP tool annotations as the server sent them (all optional, all hints). */
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  openWorldHint?: boolean;
}

export interface ConnectorPermissionRequest extends PermissionRequest {
  policy: typeof CONNECTOR_POLICY;
  connectorId: string;
  toolName: string;
  hints: ToolHints;
}

const OPTION = {
  allow_once: { id: 'allow_once', label: 'Allow once', tone: 'primary' },
  allow_tool: { id: 'allow_tool', label: 'Always allow this tool', tone: 'neutral' },
  allow_read_only: { id: 'allow_read_only', label: "Always allow this connector's read-only tools", tone: 'neutral' },
  deny: { id: 'deny', label: 'Deny', tone: 'danger' },
  deny_always: { id: 'deny_always', label: 'Always deny this tool', tone: 'danger' },
} as const satisfies Record<string, DecisionOption>;

/** Read-only only when the server says so (the spec's default is false). */
export function isReadOnly(hints: ToolHints): boolean {
  return hints.readOnlyHint === true && hints.destructiveHint !== true;
}
/**
 * Asks every time when the server itself says the tool destroys. (The spec defaults an
 * unannotated tool to destructive; Tandem treats that one as an ordinary tool that asks
 * until the user grants it, or every unannotated server would ask on every call.)
 */
export function isDestructive(hints: ToolHints): boolean {
  return hints.destructiveHint === true;
}

export const toolScope = (connectorId: string, toolName: string) => `${connectorId}/${toolName}`;
export const readOnlyScope = (connectorId: string) => `${connectorId}/*read-only`;

/** The request a connector tool hands the gate for one call. */
export function connectorRequest(
  connectorName: string,
  connectorId: string,
  toolName: string,
  hints: ToolHints,
  inputSummary: string,
): ConnectorPermissionRequest {
  const destructive = isDestructive(hints);
  const options: DecisionOption[] = destructive
    ? [OPTION.allow_once, OPTION.deny]
    : [
        OPTION.allow_once,
        OPTION.allow_tool,
        ...(isReadOnly(hints) ? [OPTION.allow_read_only] : []),
        OPTION.deny,
        OPTION.deny_always,
      ];
  return {
    policy: CONNECTOR_POLICY,
    scope: toolScope(connectorId, toolName),
    connectorId,
    toolName,
    hints,
    title: `${destructive ? 'Run a destructive tool' : 'Use a tool'} of ${connectorName}: ${toolName}`,
    detail: `${isReadOnly(hints) ? 'The server says this tool only reads.' : 'This tool may change things.'} Input: ${inputSummary}`,
    options,
    // A tool that says it destroys asks every time: no grant covers it (see the note above).
    ...(destructive ? { alwaysAsk: true } : {}),
  };
}

function isConnectorRequest(request: PermissionRequest): request is ConnectorPermissionRequest {
  const r = request as Partial<ConnectorPermissionRequest>;
  return typeof r.connectorId === 'string' && typeof r.toolName === 'string' && typeof r.hints === 'object';
}

export class ConnectorPolicy implements PermissionPolicy {
  readonly name = CONNECTOR_POLICY;
  readonly options: DecisionOption[] = [OPTION.allow_once, OPTION.allow_tool, OPTION.deny, OPTION.deny_always];

  constructor(private readonly store: GrantStore) {}

  async evaluate(request: PermissionRequest, ctx: GateContext): Promise<Verdict> {
    if (!isConnectorRequest(request)) return 'deny';
    const grants = (await this.store.load(this.name)).filter((g) => isLive(g, ctx));
    const forTool = grants.filter((g) => g.scope === request.scope);
    if (forTool.some((g) => g.effect === 'deny')) return 'deny';
    if (forTool.some((g) => g.effect === 'allow')) return 'allow';
    if (
      isReadOnly(request.hints) &&
      grants.some((g) => g.scope === readOnlyScope(request.connectorId) && g.effect === 'allow')
    )
      return 'allow';
    return 'ask';
  }

  async apply(request: PermissionRequest, optionId: string, ctx: GateContext): Promise<'allow' | 'deny'> {
    if (!isConnectorRequest(request)) return 'deny';
    const effect: 'allow' | 'deny' = optionId.startsWith('allow') ? 'allow' : 'deny';
    // A confirmation of a destructive call is about this one call: remember nothing.
    if (request.alwaysAsk) return effect;
    const grant = (scope: string, task: boolean): Grant => ({
      scope,
      effect,
      grantedAt: ctx.now,
      ...(task ? { taskId: ctx.taskId } : {}),
    });
    const added =
      optionId === 'allow_once' || optionId === 'deny'
        ? grant(request.scope, true)
        : optionId === 'allow_tool' || optionId === 'deny_always'
          ? grant(request.scope, false)
          : optionId === 'allow_read_only' && isReadOnly(request.hints)
            ? grant(readOnlyScope(request.connectorId), false)
            : undefined;
    if (!added) return 'deny';
    const kept = (await this.store.load(this.name)).filter((g) => isLive(g, ctx) && g.scope !== added.scope);
    await this.store.save(this.name, [...kept, added]);
    return effect;
  }

  /** Removing a connector forgets every grant it had. */
  async forget(connectorId: string): Promise<void> {
    const grants = await this.store.load(this.name);
    await this.store.save(
      this.name,
      grants.filter((g) => !g.scope.startsWith(`${connectorId}/`)),
    );
  }
}

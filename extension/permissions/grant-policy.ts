/**
 * A permission policy made of remembered grants per scope: allow or deny, for
 * this task, for a while, or always. Used by every tool family that asks the
 * user (sites, folders, notifications); each names its own policy so grants of
 * one kind never leak into another.
 */
import { z } from 'zod';
import type { DecisionOption } from '../../shared/protocol';
import type { GateContext, PermissionPolicy, PermissionRequest, Verdict } from './permission-gate';

export const Grant = z.object({
  scope: z.string(),
  effect: z.enum(['allow', 'deny']),
  /** Only for this task. */
  taskId: z.string().optional(),
  /** Epoch ms after which the grant is gone and the user is asked again. */
  expiresAt: z.number().optional(),
  grantedAt: z.number(),
  lastUsedAt: z.number().optional(),
});
export type Grant = z.infer<typeof Grant>;

export interface GrantStore {
  load(policy: string): Promise<Grant[]>;
  save(policy: string, grants: Grant[]): Promise<void>;
}

type OptionEffect = { effect: 'allow' | 'deny'; durationMs?: number; task?: boolean };

const HOUR = 3_600_000;
export const GRANT_OPTIONS: Record<string, { option: DecisionOption; effect: OptionEffect }> = {
  // "Once" has always meant this task: the label says so.
  allow_once: {
    option: { id: 'allow_once', label: 'Allow for this task', tone: 'primary' },
    effect: { effect: 'allow', task: true },
  },
  allow_task: {
    option: { id: 'allow_task', label: 'Allow for this task', tone: 'neutral' },
    effect: { effect: 'allow', task: true },
  },
  approve_plan: {
    option: { id: 'approve_plan', label: 'Approve the plan', tone: 'primary' },
    effect: { effect: 'allow', task: true },
  },
  allow_hour: {
    option: { id: 'allow_hour', label: 'Allow for an hour', tone: 'neutral' },
    effect: { effect: 'allow', durationMs: HOUR },
  },
  allow_day: {
    option: { id: 'allow_day', label: 'Allow for a day', tone: 'neutral' },
    effect: { effect: 'allow', durationMs: 24 * HOUR },
  },
  allow_always: { option: { id: 'allow_always', label: 'Always allow', tone: 'neutral' }, effect: { effect: 'allow' } },
  deny: { option: { id: 'deny', label: 'Deny', tone: 'danger' }, effect: { effect: 'deny', task: true } },
  deny_always: { option: { id: 'deny_always', label: 'Always deny', tone: 'danger' }, effect: { effect: 'deny' } },
};

/**
 * Whether an answer's effect ends with the task (allow once, deny). Every other answer is a rule,
 * a timed grant or an auto-approval that outlives it; an unknown option is assumed to (fail closed).
 */
export function endsWithTask(optionId: string): boolean {
  return GRANT_OPTIONS[optionId]?.effect.task === true;
}

/** Allow-once for an action that must be confirmed every time (a grant would not cover it). */
export const CONFIRM_OPTIONS: DecisionOption[] = [
  { id: 'allow_once', label: 'Allow', tone: 'primary' },
  { id: 'deny', label: 'Deny', tone: 'danger' },
];

export function isLive(grant: Grant, ctx: GateContext): boolean {
  if (grant.expiresAt !== undefined && grant.expiresAt <= ctx.now) return false;
  if (grant.taskId !== undefined && grant.taskId !== ctx.taskId) return false;
  return true;
}

export class GrantPolicy implements PermissionPolicy {
  readonly options: DecisionOption[];

  constructor(
    readonly name: string,
    private readonly store: GrantStore,
    optionIds: readonly string[] = ['allow_once', 'allow_always', 'deny', 'deny_always'],
    /** What to do when no grant matches: ask by default. */
    private readonly fallback: Verdict = 'ask',
  ) {
    this.options = optionIds.map((id) => {
      const known = GRANT_OPTIONS[id];
      if (!known) throw new Error(`Unknown grant option ${id}`);
      return known.option;
    });
  }

  async evaluate(request: PermissionRequest, ctx: GateContext): Promise<Verdict> {
    const grants = (await this.store.load(this.name)).filter((g) => g.scope === request.scope && isLive(g, ctx));
    // A deny wins over an allow for the same scope.
    if (grants.some((g) => g.effect === 'deny')) return 'deny';
    if (grants.some((g) => g.effect === 'allow')) {
      if (!request.alwaysAsk) await this.touch(request.scope, ctx);
      return 'allow';
    }
    return this.fallback;
  }

  async apply(request: PermissionRequest, optionId: string, ctx: GateContext): Promise<'allow' | 'deny'> {
    const known = GRANT_OPTIONS[optionId]?.effect;
    if (!known) return 'deny';
    // A confirmation of a high-risk action is about this one call: remember nothing.
    if (request.alwaysAsk) return known.effect;
    const grants = (await this.store.load(this.name)).filter((g) => isLive(g, ctx));
    const grant: Grant = {
      scope: request.scope,
      effect: known.effect,
      grantedAt: ctx.now,
      ...(known.task ? { taskId: ctx.taskId } : {}),
      ...(known.durationMs ? { expiresAt: ctx.now + known.durationMs } : {}),
    };
    // The newest answer replaces older grants for the same scope.
    await this.store.save(this.name, [...grants.filter((g) => g.scope !== request.scope), grant]);
    return known.effect;
  }

  private async touch(scope: string, ctx: GateContext): Promise<void> {
    const grants = await this.store.load(this.name);
    for (const grant of grants) if (grant.scope === scope) grant.lastUsedAt = ctx.now;
    await this.store.save(this.name, grants);
  }
}

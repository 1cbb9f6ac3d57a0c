/**
 * Plan approval: fewer prompts, not weaker ones. The model states up front the
 * sites a task needs and its high-risk steps; the user approves that plan once,
 * and only what the plan did not name asks. "Allow for this task" on a
 * confirmation lands here too. Everything here ends with the task.
 *
 * What a plan covers, and what it never does:
 * - Its sites are allowed for the task (the tool grants them through the site
 *   policy, so a site the user's rules deny stays denied: the gate checks the
 *   policy's deny before any approval).
 * - A form submission it names is covered for the task on that site, as
 *   "allow for this task" is.
 * - A high-risk step it names (a payment, a download, an account deletion,
 *   an upload of local files)
 *   covers exactly one such confirmation on that site per step named: a second
 *   payment asks again. High-risk confirmations never offer "for this task".
 * - Passwords are never covered by a plan: typing one needs its own answer.
 *
 * Approvals are grants in the grant store (policy `plan`), keyed by a request's
 * `approvalKey`; the site and tool rooms build the keys with `approvalKey()`.
 */
import { z } from 'zod';
import type { DecisionOption } from '../../shared/protocol';
import { GRANT_OPTIONS, type Grant, type GrantStore, isLive } from './grant-policy';
import type { GateContext, PermissionPolicy, PermissionRequest, TaskApprovals, Verdict } from './permission-gate';

export const PLAN_POLICY = 'plan';

/** Steps a plan may name: form submissions (covered for the task) and the high-risk kinds (once each). */
export const PLAN_STEP_KINDS = ['form_submit', 'payment', 'download', 'account_deletion', 'upload'] as const;
export type PlanStepKind = (typeof PLAN_STEP_KINDS)[number];
/** A task rarely runs a day: approvals older than that belong to a task that is over. */
const TASK_APPROVAL_MAX_AGE_MS = 24 * 3_600_000;
const HIGH_RISK: ReadonlySet<string> = new Set<PlanStepKind>(['payment', 'download', 'account_deletion', 'upload']);

/** The confirmations a key can name: the plan's step kinds and the password approval. */
export type ApprovalKind = PlanStepKind | 'password';

export function approvalKey(kind: ApprovalKind, origin: string): string {
  return `${kind} ${origin}`;
}

export const ApprovedPlan = z.object({
  goal: z.string().max(500),
  /** Origins (https://example.com), normalised. */
  sites: z.array(z.string().max(500)).max(20),
  steps: z.array(z.object({ kind: z.enum(PLAN_STEP_KINDS), origin: z.string().max(500), what: z.string().max(300) })),
});
export type ApprovedPlan = z.infer<typeof ApprovedPlan>;

const LABEL: Record<PlanStepKind, string> = {
  form_submit: 'Submit forms',
  payment: 'Pay or check out',
  download: 'Download',
  account_deletion: 'Delete or close an account',
  upload: 'Upload files',
};

/** The gate's question for a proposed plan; the plan itself is the scope (it is what is decided about). */
export function planRequest(plan: ApprovedPlan): PermissionRequest {
  const lines = [
    `Goal: ${plan.goal}`,
    `Sites it may use for this task: ${plan.sites.length > 0 ? plan.sites.join(', ') : 'none'}.`,
    ...plan.steps.map(
      (s) => `${LABEL[s.kind]} on ${s.origin}: ${s.what}${HIGH_RISK.has(s.kind) ? ' (once)' : ' (for this task)'}`,
    ),
    'Anything outside this plan still asks. Passwords always ask.',
  ];
  return {
    policy: PLAN_POLICY,
    scope: JSON.stringify(plan),
    title: 'Approve the plan for this task?',
    detail: lines.join('\n'),
  };
}

const PLAN_OPTIONS: DecisionOption[] = ['approve_plan', 'deny'].map((id) => {
  const known = GRANT_OPTIONS[id];
  if (!known) throw new Error(`Unknown grant option ${id}`);
  return known.option;
});

export class PlanApprovals implements PermissionPolicy, TaskApprovals {
  readonly name = PLAN_POLICY;
  readonly options = PLAN_OPTIONS;
  /** Serialises read-modify-write: a consumed high-risk step must not be used twice by racing calls. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: GrantStore) {}

  /** Every plan is put to the user: a model cannot approve its own plan. */
  async evaluate(): Promise<Verdict> {
    return 'ask';
  }

  async apply(request: PermissionRequest, optionId: string, ctx: GateContext): Promise<'allow' | 'deny'> {
    if (optionId !== 'approve_plan') return 'deny';
    const plan = parsePlan(request.scope);
    if (!plan) return 'deny';
    const grants: Grant[] = [];
    plan.steps.forEach((step, index) => {
      const key = approvalKey(step.kind, step.origin);
      // High-risk steps are counted: each named step covers one confirmation.
      const scope = HIGH_RISK.has(step.kind) ? `${key} #${ctx.now}.${index}` : key;
      grants.push({ scope, effect: 'allow', taskId: ctx.taskId, grantedAt: ctx.now });
    });
    await this.mutate(ctx, (live) => [...live.filter((g) => !grants.some((n) => n.scope === g.scope)), ...grants]);
    return 'allow';
  }

  async covers(key: string, ctx: GateContext): Promise<boolean> {
    let covered = false;
    await this.mutate(ctx, (live) => {
      const mine = live.filter((g) => g.taskId === ctx.taskId && g.effect === 'allow');
      if (mine.some((g) => g.scope === key)) {
        covered = true;
        return live;
      }
      const counted = mine.find((g) => g.scope.startsWith(`${key} #`));
      if (!counted) return live;
      covered = true;
      return live.filter((g) => g !== counted);
    });
    return covered;
  }

  async allowForTask(key: string, ctx: GateContext): Promise<void> {
    const kind = key.split(' ')[0] ?? '';
    // High-risk confirmations are never offered "for this task"; refuse one that claims it.
    if (HIGH_RISK.has(kind)) return;
    const grant: Grant = { scope: key, effect: 'allow', taskId: ctx.taskId, grantedAt: ctx.now };
    await this.mutate(ctx, (live) => [...live.filter((g) => g.scope !== key), grant]);
  }

  private mutate(ctx: GateContext, change: (live: Grant[]) => Grant[]): Promise<void> {
    const run = this.writes.then(async () => {
      // Other tasks (other threads) keep theirs; those of tasks long over are dropped.
      const live = (await this.store.load(PLAN_POLICY)).filter(
        (g) => isLive(g, ctx) || ctx.now - g.grantedAt < TASK_APPROVAL_MAX_AGE_MS,
      );
      await this.store.save(PLAN_POLICY, change(live));
    });
    this.writes = run.catch(() => {});
    return run;
  }
}

function parsePlan(scope: string): ApprovedPlan | undefined {
  try {
    const parsed = ApprovedPlan.safeParse(JSON.parse(scope));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one permission gate every tool call passes through. A tool says what it
 * needs decided (a `PermissionRequest`: which policy, about what scope); the
 * policy answers allow / deny / ask from stored grants. "Ask" becomes a durable
 * decision in the thread, answered by any client; the answer is applied by the
 * same policy, which may remember it (allow always for this site, say).
 *
 * The model never sees or controls any of this: it only gets the tool's result,
 * or a tool error saying the user declined.
 */
import type { DecisionOption } from '../../shared/protocol';
import { endsWithTask } from './grant-policy';
import { type SecretVault, TYPE_SECRET } from './secret-vault';

export interface PermissionRequest {
  /** The policy that decides, e.g. 'site', 'folder-write', 'notifications'. */
  policy: string;
  /** What is being decided about (an origin, a folder); grants are remembered per scope. */
  scope: string;
  title: string;
  detail: string;
  /** Options offered when the user is asked; defaults to the policy's. */
  options?: DecisionOption[];
  /** Ask even when a grant exists (payments, deletion): the grant does not cover this action. */
  alwaysAsk?: boolean;
  /**
   * What an approved plan or an "allow for this task" answer must name to cover this request
   * (e.g. `form_submit https://shop.example`); without it neither does (plan-approval.ts).
   */
  approvalKey?: string;
  /** The slot (a tool call id) a secret typed into the prompt is kept under (secret-vault.ts). */
  secretFor?: string;
}

export type Verdict = 'allow' | 'deny' | 'ask';

export interface GateContext {
  taskId: string;
  now: number;
}

export interface PermissionPolicy {
  readonly name: string;
  readonly options: DecisionOption[];
  evaluate(request: PermissionRequest, ctx: GateContext): Promise<Verdict>;
  /** Applies the user's answer (remembering grants if the option says so); returns whether the call may run. */
  apply(request: PermissionRequest, optionId: string, ctx: GateContext): Promise<'allow' | 'deny'>;
}

/** Approvals that last for one task: an approved plan, "allow for this task" on a confirmation. */
export interface TaskApprovals {
  covers(key: string, ctx: GateContext): Promise<boolean>;
  allowForTask(key: string, ctx: GateContext): Promise<void>;
}

/** The answer that covers a confirmation for the rest of the task (when the request offers it). */
export const ALLOW_TASK = 'allow_task';

export class UnknownPolicyError extends Error {}

export class PermissionGate {
  private readonly policies = new Map<string, PermissionPolicy>();

  constructor(
    policies: readonly PermissionPolicy[],
    private readonly approvals?: TaskApprovals,
    private readonly secrets?: SecretVault,
  ) {
    for (const policy of policies) this.policies.set(policy.name, policy);
  }

  private policy(name: string): PermissionPolicy {
    const policy = this.policies.get(name);
    // A tool naming a policy that does not exist is a programming error: fail closed.
    if (!policy) throw new UnknownPolicyError(`No permission policy named ${name}`);
    return policy;
  }

  async decide(request: PermissionRequest, ctx: GateContext): Promise<Verdict> {
    const verdict = await this.policy(request.policy).evaluate(request, ctx);
    if (verdict === 'deny') return 'deny';
    if (verdict === 'allow' && !request.alwaysAsk) return 'allow';
    // A rule's deny is never overridden; what would be asked may be covered by this task's approvals.
    if (request.approvalKey && (await this.approvals?.covers(request.approvalKey, ctx))) return 'allow';
    return 'ask';
  }

  /**
   * The options to offer, each marked `persistent` when its effect outlives the task (a phone may
   * not give those). A confirmation (`alwaysAsk`) remembers nothing, so none of its options persists.
   */
  optionsFor(request: PermissionRequest): DecisionOption[] {
    const options = request.options ?? this.policy(request.policy).options;
    return options.map((option) => ({ ...option, persistent: !request.alwaysAsk && !endsWithTask(option.id) }));
  }

  /** `secret`: what the user typed into the prompt, for a request that asks for one; never stored. */
  async answer(
    request: PermissionRequest,
    optionId: string,
    ctx: GateContext,
    secret?: string,
  ): Promise<'allow' | 'deny'> {
    if (!this.optionsFor(request).some((o) => o.id === optionId)) return 'deny';
    if (optionId === TYPE_SECRET) {
      if (!secret || !request.secretFor || !this.secrets) return 'deny';
      this.secrets.put(request.secretFor, secret);
      return 'allow';
    }
    if (optionId === ALLOW_TASK && request.alwaysAsk) {
      // A confirmation's policy remembers nothing; "for this task" is kept by the task's approvals.
      if (!request.approvalKey || !this.approvals) return 'deny';
      await this.approvals.allowForTask(request.approvalKey, ctx);
      return 'allow';
    }
    return this.policy(request.policy).apply(request, optionId, ctx);
  }
}

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

export class UnknownPolicyError extends Error {}

export class PermissionGate {
  private readonly policies = new Map<string, PermissionPolicy>();

  constructor(policies: readonly PermissionPolicy[]) {
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
    return request.alwaysAsk ? 'ask' : verdict;
  }

  /**
   * The options to offer, each marked `persistent` when its effect outlives the task (a phone may
   * not give those). A confirmation (`alwaysAsk`) remembers nothing, so none of its options persists.
   */
  optionsFor(request: PermissionRequest): DecisionOption[] {
    const options = request.options ?? this.policy(request.policy).options;
    return options.map((option) => ({ ...option, persistent: !request.alwaysAsk && !endsWithTask(option.id) }));
  }

  async answer(request: PermissionRequest, optionId: string, ctx: GateContext): Promise<'allow' | 'deny'> {
    if (!this.optionsFor(request).some((o) => o.id === optionId)) return 'deny';
    return this.policy(request.policy).apply(request, optionId, ctx);
  }
}

/**
 * Plan approval and "allow for this task" in the one permission gate (issue 10):
 * what an approved plan covers, what it never does.
 */
import { describe, expect, it } from 'vitest';
import type { Grant, GrantStore } from '../../extension/permissions/grant-policy';
import { GrantPolicy } from '../../extension/permissions/grant-policy';
import { PermissionGate, type PermissionRequest } from '../../extension/permissions/permission-gate';
import { approvalKey, PlanApprovals, planRequest } from '../../extension/permissions/plan-approval';

class MemoryStore implements GrantStore {
  data = new Map<string, Grant[]>();
  async load(policy: string) {
    return structuredClone(this.data.get(policy) ?? []);
  }
  async save(policy: string, grants: Grant[]) {
    this.data.set(policy, structuredClone(grants));
  }
}

const SHOP = 'https://shop.test';
const confirm = (
  kind: 'form_submit' | 'payment' | 'password',
  options = ['allow_once', 'deny'],
): PermissionRequest => ({
  policy: 'site',
  scope: SHOP,
  title: `Allow ${kind}?`,
  detail: '',
  alwaysAsk: true,
  approvalKey: approvalKey(kind, SHOP),
  options: options.map((id) => ({ id, label: id, tone: 'neutral' as const })),
});

function setup() {
  const store = new MemoryStore();
  const plans = new PlanApprovals(store);
  const sites = new GrantPolicy('site', store, ['allow_once', 'allow_always', 'deny', 'deny_always']);
  return { store, gate: new PermissionGate([sites, plans], plans) };
}

const plan = planRequest({
  goal: 'Order a mug',
  sites: [SHOP],
  steps: [
    { kind: 'form_submit', origin: SHOP, what: 'search' },
    { kind: 'payment', origin: SHOP, what: 'pay for the mug' },
  ],
});

describe('plan approval', () => {
  it('always puts a plan to the user, and covers the named steps only after approval', async () => {
    const { gate } = setup();
    const ctx = { taskId: 't1', now: 1 };
    expect(await gate.decide(plan, ctx)).toBe('ask');
    expect(await gate.decide(confirm('form_submit'), ctx)).toBe('ask');
    expect(gate.optionsFor(plan).map((o) => [o.id, o.persistent])).toEqual([
      ['approve_plan', false],
      ['deny', false],
    ]);
    expect(await gate.answer(plan, 'approve_plan', ctx)).toBe('allow');
    expect(await gate.decide(plan, ctx)).toBe('ask');
    // Form submissions: for the whole task. The payment: once.
    expect(await gate.decide(confirm('form_submit'), ctx)).toBe('allow');
    expect(await gate.decide(confirm('form_submit'), ctx)).toBe('allow');
    expect(await gate.decide(confirm('payment'), ctx)).toBe('allow');
    expect(await gate.decide(confirm('payment'), ctx)).toBe('ask');
    // Passwords are never part of a plan.
    expect(await gate.decide(confirm('password'), ctx)).toBe('ask');
  });

  it('covers nothing in another task, and keeps another task’s approvals', async () => {
    const { gate } = setup();
    await gate.answer(plan, 'approve_plan', { taskId: 't1', now: 1 });
    expect(await gate.decide(confirm('form_submit'), { taskId: 't2', now: 2 })).toBe('ask');
    await gate.answer(confirm('form_submit', ['allow_once', 'allow_task', 'deny']), 'allow_task', {
      taskId: 't2',
      now: 3,
    });
    expect(await gate.decide(confirm('payment'), { taskId: 't1', now: 4 })).toBe('allow');
  });

  it('never overrides a deny', async () => {
    const { gate } = setup();
    const ctx = { taskId: 't1', now: 1 };
    await gate.answer({ ...confirm('form_submit'), alwaysAsk: false, options: undefined }, 'deny_always', ctx);
    await gate.answer(plan, 'approve_plan', ctx);
    expect(await gate.decide(confirm('form_submit'), ctx)).toBe('deny');
  });

  it('rejects a plan it cannot read', async () => {
    const { gate } = setup();
    expect(await gate.answer({ ...plan, scope: '{"goal":' }, 'approve_plan', { taskId: 't', now: 1 })).toBe('deny');
  });
});

describe('allow for this task', () => {
  it('covers later confirmations of the same kind on the same site in the same task', async () => {
    const { gate } = setup();
    const ctx = { taskId: 't1', now: 1 };
    const submit = confirm('form_submit', ['allow_once', 'allow_task', 'deny']);
    expect(await gate.answer(submit, 'allow_task', ctx)).toBe('allow');
    expect(await gate.decide(submit, ctx)).toBe('allow');
    expect(await gate.decide({ ...submit, approvalKey: approvalKey('form_submit', 'https://other.test') }, ctx)).toBe(
      'ask',
    );
    expect(await gate.decide(submit, { taskId: 't2', now: 2 })).toBe('ask');
  });

  it('is refused where it was not offered, and never covers a high-risk step', async () => {
    const { gate } = setup();
    const ctx = { taskId: 't1', now: 1 };
    expect(await gate.answer(confirm('payment'), 'allow_task', ctx)).toBe('deny');
    // Even offered by mistake, a high-risk step is not remembered for the task.
    await gate.answer(confirm('payment', ['allow_once', 'allow_task', 'deny']), 'allow_task', ctx);
    expect(await gate.decide(confirm('payment'), ctx)).toBe('ask');
  });

  it('remembers nothing when the answer is "Allow"', async () => {
    const { gate } = setup();
    const ctx = { taskId: 't1', now: 1 };
    const submit = confirm('form_submit', ['allow_once', 'allow_task', 'deny']);
    expect(await gate.answer(submit, 'allow_once', ctx)).toBe('allow');
    expect(await gate.decide(submit, ctx)).toBe('ask');
  });
});

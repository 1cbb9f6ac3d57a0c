/** The connector permission policy through the one gate: per tool, per connector's read-only tools, destructive asks every time. */
import { describe, expect, it } from 'vitest';
import { ConnectorPolicy, connectorRequest } from '../../extension/permissions/connector-policy';
import type { Grant, GrantStore } from '../../extension/permissions/grant-policy';
import { PermissionGate } from '../../extension/permissions/permission-gate';

class MemoryStore implements GrantStore {
  data = new Map<string, Grant[]>();
  async load(policy: string) {
    return structuredClone(this.data.get(policy) ?? []);
  }
  async save(policy: string, grants: Grant[]) {
    this.data.set(policy, structuredClone(grants));
  }
}

const ctx = { taskId: 'task-1', now: 1000 };
const readOnly = { readOnlyHint: true, destructiveHint: false };
const writes = { readOnlyHint: false, destructiveHint: false };
const destroys = { readOnlyHint: false, destructiveHint: true };
const req = (tool: string, hints: object, connector = 'memory') =>
  connectorRequest('Memory', connector, tool, hints, '{}');

function setup() {
  const policy = new ConnectorPolicy(new MemoryStore());
  return { policy, gate: new PermissionGate([policy]) };
}

describe('connector permissions', () => {
  it('asks first; "always for this tool" covers that tool and not another', async () => {
    const { gate } = setup();
    expect(await gate.decide(req('create_entities', writes), ctx)).toBe('ask');
    expect(await gate.answer(req('create_entities', writes), 'allow_tool', ctx)).toBe('allow');
    expect(await gate.decide(req('create_entities', writes), { ...ctx, taskId: 'later' })).toBe('allow');
    expect(await gate.decide(req('add_observations', writes), ctx)).toBe('ask');
    // Nor the same tool name on another connector.
    expect(await gate.decide(req('create_entities', writes, 'other'), ctx)).toBe('ask');
  });

  it('a destructive tool asks every time and offers nothing that lasts', async () => {
    const { gate } = setup();
    const request = req('delete_entities', destroys);
    expect(gate.optionsFor(request).map((o) => o.id)).toEqual(['allow_once', 'deny']);
    expect(await gate.answer(request, 'allow_once', ctx)).toBe('allow');
    expect(await gate.decide(req('delete_entities', destroys), ctx)).toBe('ask');
    // Even an "always" given while the server said the tool was harmless does not cover it once it says it destroys.
    expect(await gate.answer(req('delete_entities', writes), 'allow_tool', ctx)).toBe('allow');
    expect(await gate.decide(req('delete_entities', destroys), ctx)).toBe('ask');
    // An option that is not offered is a deny.
    expect(await gate.answer(req('delete_entities', destroys), 'allow_tool', ctx)).toBe('deny');
  });

  it('"always for read-only tools" covers the connector\'s read-only tools only, and never a deny', async () => {
    const { gate } = setup();
    const read = req('read_graph', readOnly);
    expect(gate.optionsFor(read).map((o) => o.id)).toContain('allow_read_only');
    expect(gate.optionsFor(req('create_entities', writes)).map((o) => o.id)).not.toContain('allow_read_only');
    expect(await gate.answer(read, 'allow_read_only', ctx)).toBe('allow');
    expect(await gate.decide(req('search_nodes', readOnly), ctx)).toBe('allow');
    expect(await gate.decide(req('create_entities', writes), ctx)).toBe('ask');
    expect(await gate.decide(req('search_nodes', readOnly, 'other'), ctx)).toBe('ask');
    // A tool that claims read-only and destructive at once is not read-only.
    expect(await gate.decide(req('odd', { readOnlyHint: true, destructiveHint: true }), ctx)).toBe('ask');
    // The user's deny of one read-only tool wins over the connector-wide allow.
    expect(await gate.answer(req('open_nodes', readOnly), 'deny_always', ctx)).toBe('deny');
    expect(await gate.decide(req('open_nodes', readOnly), ctx)).toBe('deny');
  });

  it('allow once lasts for the task; the lasting options are marked persistent (a phone may not give them)', async () => {
    const { gate } = setup();
    const request = req('create_entities', writes);
    const persistent = Object.fromEntries(gate.optionsFor(request).map((o) => [o.id, o.persistent]));
    expect(persistent).toEqual({ allow_once: false, allow_tool: true, deny: false, deny_always: true });
    await gate.answer(request, 'allow_once', ctx);
    expect(await gate.decide(request, ctx)).toBe('allow');
    expect(await gate.decide(request, { ...ctx, taskId: 'task-2' })).toBe('ask');
  });

  it('removing a connector forgets its grants', async () => {
    const { gate, policy } = setup();
    await gate.answer(req('create_entities', writes), 'allow_tool', ctx);
    await policy.forget('memory');
    expect(await gate.decide(req('create_entities', writes), ctx)).toBe('ask');
  });
});

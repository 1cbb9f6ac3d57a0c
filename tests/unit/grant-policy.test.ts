import { describe, expect, it } from 'vitest';
import { type Grant, GrantPolicy, type GrantStore } from '../../extension/permissions/grant-policy';
import { PermissionGate, type PermissionRequest } from '../../extension/permissions/permission-gate';

class MemoryStore implements GrantStore {
  data = new Map<string, Grant[]>();
  async load(policy: string) {
    return structuredClone(this.data.get(policy) ?? []);
  }
  async save(policy: string, grants: Grant[]) {
    this.data.set(policy, structuredClone(grants));
  }
}

const request: PermissionRequest = { policy: 'site', scope: 'https://a.test', title: 'Open a.test?', detail: '' };

function setup() {
  const store = new MemoryStore();
  const policy = new GrantPolicy('site', store, ['allow_once', 'allow_hour', 'allow_always', 'deny', 'deny_always']);
  return { store, gate: new PermissionGate([policy]) };
}

describe('permission gate with grant policies', () => {
  it('asks by default and remembers "always"', async () => {
    const { gate } = setup();
    const ctx = { taskId: 'k1', now: 1000 };
    expect(await gate.decide(request, ctx)).toBe('ask');
    expect(await gate.answer(request, 'allow_always', ctx)).toBe('allow');
    expect(await gate.decide(request, { taskId: 'k2', now: 10 ** 12 })).toBe('allow');
    expect(await gate.decide({ ...request, scope: 'https://b.test' }, ctx)).toBe('ask');
  });

  it('limits "once" and "deny" to the task', async () => {
    const { gate } = setup();
    await gate.answer(request, 'allow_once', { taskId: 'k1', now: 0 });
    expect(await gate.decide(request, { taskId: 'k1', now: 1 })).toBe('allow');
    expect(await gate.decide(request, { taskId: 'k2', now: 1 })).toBe('ask');
    await gate.answer(request, 'deny', { taskId: 'k3', now: 1 });
    expect(await gate.decide(request, { taskId: 'k3', now: 2 })).toBe('deny');
    expect(await gate.decide(request, { taskId: 'k4', now: 2 })).toBe('ask');
  });

  it('expires time-boxed grants', async () => {
    const { gate } = setup();
    await gate.answer(request, 'allow_hour', { taskId: 'k1', now: 0 });
    expect(await gate.decide(request, { taskId: 'k9', now: 3_599_999 })).toBe('allow');
    expect(await gate.decide(request, { taskId: 'k9', now: 3_600_000 })).toBe('ask');
  });

  it('asks every time for always-ask actions and remembers nothing from them', async () => {
    const { gate, store } = setup();
    await gate.answer(request, 'allow_always', { taskId: 'k1', now: 0 });
    const risky = { ...request, alwaysAsk: true };
    expect(await gate.decide(risky, { taskId: 'k1', now: 1 })).toBe('ask');
    expect(await gate.answer(risky, 'allow_always', { taskId: 'k1', now: 1 })).toBe('allow');
    expect((await store.load('site')).length).toBe(1);
  });

  it('refuses unknown options and unknown policies (fails closed)', async () => {
    const { gate } = setup();
    expect(await gate.answer(request, 'allow_forever', { taskId: 'k', now: 0 })).toBe('deny');
    await expect(gate.decide({ ...request, policy: 'nope' }, { taskId: 'k', now: 0 })).rejects.toThrow();
  });

  it('a deny-always beats an older allow', async () => {
    const { gate } = setup();
    await gate.answer(request, 'allow_always', { taskId: 'k', now: 0 });
    await gate.answer(request, 'deny_always', { taskId: 'k', now: 1 });
    expect(await gate.decide(request, { taskId: 'k2', now: 2 })).toBe('deny');
  });
});

describe('answers that outlive the task (a phone may not give them)', () => {
  it('marks always, timed and "Always in <folder>" answers persistent, and nothing of a confirmation', async () => {
    const { FolderWritePolicy, writeRequest, deleteRequest } = await import('../../extension/files/folder-policy');
    const store = new MemoryStore();
    const sites = new GrantPolicy('site', store, [
      'allow_once',
      'allow_hour',
      'allow_day',
      'allow_always',
      'deny',
      'deny_always',
    ]);
    const folders = new FolderWritePolicy(store);
    const gate = new PermissionGate([sites, folders, new GrantPolicy('file-delete', store, ['allow_once', 'deny'])]);
    const persistent = (r: PermissionRequest) => gate.optionsFor(r).map((o) => [o.id, o.persistent]);
    expect(persistent(request)).toEqual([
      ['allow_once', false],
      ['allow_hour', true],
      ['allow_day', true],
      ['allow_always', true],
      ['deny', false],
      ['deny_always', true],
    ]);
    const root = {
      name: 'docs',
      path: '/home/u/docs',
      mode: 'read-write' as const,
      autoApproveWrites: false,
      addedAt: '',
    };
    const write = writeRequest([root], 'write notes.txt');
    if (!write) throw new Error('a write in a confirmed folder asks');
    expect(persistent(write)).toEqual([
      ['allow_once', false],
      ['allow_always', true],
      ['deny', false],
    ]);
    expect(gate.optionsFor(deleteRequest(['/home/u/docs/a.txt'])).every((o) => o.persistent === false)).toBe(true);
  });
});

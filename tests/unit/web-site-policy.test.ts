import { describe, expect, it } from 'vitest';
import { CONFIRM_OPTIONS, type Grant, type GrantStore } from '../../extension/permissions/grant-policy';
import { PermissionGate, type PermissionRequest } from '../../extension/permissions/permission-gate';
import { SitePolicy } from '../../extension/web/site-policy';

class MemoryStore implements GrantStore {
  data = new Map<string, Grant[]>();
  async load(policy: string) {
    return structuredClone(this.data.get(policy) ?? []);
  }
  async save(policy: string, grants: Grant[]) {
    this.data.set(policy, structuredClone(grants));
  }
}

const HOUR = 3_600_000;
const ask = (scope: string): PermissionRequest => ({ policy: 'site', scope, title: `Open ${scope}?`, detail: '' });

function setup() {
  const store = new MemoryStore();
  const sites = new SitePolicy(store);
  return { store, sites, gate: new PermissionGate([sites]) };
}

describe('site policy', () => {
  it('asks about an unknown site and offers every duration', async () => {
    const { gate, sites } = setup();
    expect(await gate.decide(ask('https://a.test'), { taskId: 't1', now: 0 })).toBe('ask');
    expect(sites.options.map((o) => o.id)).toEqual([
      'allow_once',
      'allow_hour',
      'allow_day',
      'allow_always',
      'deny',
      'deny_always',
    ]);
  });

  it('applies each answer as named: once and deny for the task, an hour that expires, always for good', async () => {
    const { gate } = setup();
    const a = ask('https://a.test');
    await gate.answer(a, 'allow_once', { taskId: 't1', now: 0 });
    expect(await gate.decide(a, { taskId: 't1', now: 1 })).toBe('allow');
    expect(await gate.decide(a, { taskId: 't2', now: 1 })).toBe('ask');

    const b = ask('https://b.test');
    await gate.answer(b, 'allow_hour', { taskId: 't1', now: 0 });
    expect(await gate.decide(b, { taskId: 't9', now: HOUR - 1 })).toBe('allow');
    expect(await gate.decide(b, { taskId: 't9', now: HOUR })).toBe('ask');

    const c = ask('https://c.test');
    await gate.answer(c, 'allow_day', { taskId: 't1', now: 0 });
    expect(await gate.decide(c, { taskId: 't9', now: 24 * HOUR - 1 })).toBe('allow');
    expect(await gate.decide(c, { taskId: 't9', now: 24 * HOUR })).toBe('ask');

    const d = ask('https://d.test');
    await gate.answer(d, 'allow_always', { taskId: 't1', now: 0 });
    expect(await gate.decide(d, { taskId: 't9', now: 10 ** 12 })).toBe('allow');

    const e = ask('https://e.test');
    await gate.answer(e, 'deny', { taskId: 't1', now: 0 });
    expect(await gate.decide(e, { taskId: 't1', now: 1 })).toBe('deny');
    expect(await gate.decide(e, { taskId: 't2', now: 1 })).toBe('ask');

    const f = ask('https://f.test');
    await gate.answer(f, 'deny_always', { taskId: 't1', now: 0 });
    expect(await gate.decide(f, { taskId: 't9', now: 10 ** 12 })).toBe('deny');
  });

  it('remembers an answer for the whole origin, never a path', async () => {
    const { gate, sites } = setup();
    await gate.answer(ask('https://a.test/some/page?q=1'), 'allow_always', { taskId: 't1', now: 0 });
    expect((await sites.list(1)).map((s) => s.pattern)).toEqual(['https://a.test']);
    expect(await gate.decide(ask('https://a.test/other'), { taskId: 't2', now: 1 })).toBe('allow');
  });

  it('lets the most specific rule win, and a deny win a tie', async () => {
    const { sites } = setup();
    await sites.setRule('*.example.com', 'allow', 0);
    await sites.setRule('https://evil.example.com', 'deny', 0);
    await sites.setRule('*.internal.example.com', 'deny', 0);
    await sites.setRule('https://wiki.internal.example.com', 'allow', 0);
    const verdict = async (url: string) => (await sites.verdictFor(new URL(url), { taskId: 't', now: 1 })).verdict;
    expect(await verdict('https://docs.example.com/')).toBe('allow');
    expect(await verdict('https://evil.example.com/')).toBe('deny');
    expect(await verdict('https://x.internal.example.com/')).toBe('deny');
    expect(await verdict('https://wiki.internal.example.com/')).toBe('allow');
    expect(await verdict('http://docs.example.com/')).toBe('ask');
    expect(await verdict('https://example.org/')).toBe('ask');
  });

  it('never lets a rule or an answer reach a never-reachable URL', async () => {
    const { gate, sites } = setup();
    await sites.setRule('*.google.com', 'allow', 0);
    expect(
      (await sites.verdictFor(new URL('https://chromewebstore.google.com/x'), { taskId: 't', now: 1 })).verdict,
    ).toBe('deny');
    expect(
      (await sites.verdictFor(new URL('https://chrome.google.com/webstore/x'), { taskId: 't', now: 1 })).verdict,
    ).toBe('deny');
    expect((await sites.verdictFor(new URL('https://www.google.com/'), { taskId: 't', now: 1 })).verdict).toBe('allow');
    expect(await gate.answer(ask('chrome://settings'), 'allow_always', { taskId: 't', now: 1 })).toBe('deny');
    expect(await gate.decide(ask('file:///etc/passwd'), { taskId: 't', now: 1 })).toBe('deny');
    const refused = await sites.setRule('https://addons.mozilla.org', 'allow', 0);
    expect(refused.ok).toBe(false);
  });

  it('confirms high-risk actions every time, even on an always-allowed site, and remembers nothing', async () => {
    const { gate, sites } = setup();
    await sites.setRule('https://shop.test', 'allow', 0);
    const confirm: PermissionRequest = { ...ask('https://shop.test'), alwaysAsk: true, options: CONFIRM_OPTIONS };
    expect(await gate.decide(confirm, { taskId: 't', now: 1 })).toBe('ask');
    expect(await gate.answer(confirm, 'allow_once', { taskId: 't', now: 1 })).toBe('allow');
    expect(await gate.decide(confirm, { taskId: 't', now: 2 })).toBe('ask');
    expect((await sites.list(3)).length).toBe(1);
    // A denied site is denied outright, without asking.
    await sites.setRule('https://bad.test', 'deny', 0);
    expect(await gate.decide({ ...confirm, scope: 'https://bad.test' }, { taskId: 't', now: 1 })).toBe('deny');
  });

  it('lists rules and grants for the Sites view, with duration, expiry and last use', async () => {
    const { gate, sites } = setup();
    await sites.setRule('*.example.com', 'allow', 100);
    await gate.answer(ask('https://a.test'), 'allow_hour', { taskId: 't1', now: 200 });
    await gate.answer(ask('https://b.test'), 'allow_once', { taskId: 't1', now: 300 });
    await gate.decide(ask('https://docs.example.com'), { taskId: 't1', now: 5_000 });
    const list = await sites.list(6_000);
    expect(list.map((s) => [s.pattern, s.duration])).toEqual([
      ['https://b.test', 'task'],
      ['https://a.test', 'timed'],
      ['https://*.example.com', 'always'],
    ]);
    expect(list[1]?.expiresAt).toBe(200 + HOUR);
    expect(list[2]?.lastUsedAt).toBe(5_000);
    expect((await sites.list(200 + HOUR)).map((s) => s.pattern)).not.toContain('https://a.test');
  });

  it('replaces a rule for the same pattern, removes it on request, and tells listeners', async () => {
    const { sites } = setup();
    let changes = 0;
    sites.onChange(() => changes++);
    await sites.setRule('https://a.test', 'allow', 0);
    const replaced = await sites.setRule('https://A.test/', 'deny', 1);
    expect(replaced.ok && replaced.sites.map((s) => [s.pattern, s.effect])).toEqual([['https://a.test', 'deny']]);
    const removed = await sites.removeRule('https://a.test', 2);
    expect(removed.ok && removed.sites).toEqual([]);
    expect(changes).toBe(3);
    expect((await sites.setRule('https://a.test/path', 'allow', 3)).ok).toBe(false);
  });

  it('fails closed on a corrupted pattern in the store', async () => {
    const { store, sites } = setup();
    store.data.set('site', [{ scope: 'https://a.test/with/path', effect: 'allow', grantedAt: 0 }]);
    expect((await sites.verdictFor(new URL('https://a.test/'), { taskId: 't', now: 1 })).verdict).toBe('ask');
  });

  it('refuses every spelling of a denied loopback site without asking, and keeps the deny when a spelling is allowed once', async () => {
    const { sites } = setup();
    await sites.setRule('http://127.0.0.1:8080', 'deny', 0);
    const verdict = async (url: string) => (await sites.verdictFor(new URL(url), { taskId: 't', now: 1 })).verdict;
    for (const url of [
      'http://localhost:8080/',
      'http://localhost.:8080/',
      'http://[::ffff:7f00:1]:8080/',
      'http://0.0.0.0:8080/',
      'http://[::1]:8080/',
    ]) {
      expect(await verdict(url), url).toBe('deny');
    }
    expect(await verdict('http://localhost:8081/')).toBe('ask');
    // One rule, whatever spelling it was typed in.
    await sites.setRule('http://localhost.:8080', 'allow', 0);
    expect((await sites.list(1)).map((e) => e.pattern)).toEqual(['http://127.0.0.1:8080']);
  });

  it('refuses a wildcard over a public suffix in the Sites view, saying why', async () => {
    const { sites } = setup();
    const result = await sites.setRule('https://*.github.io', 'allow', 0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('anyone can register');
  });
});

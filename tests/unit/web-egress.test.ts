import { describe, expect, it } from 'vitest';
import type { Grant, GrantStore } from '../../extension/permissions/grant-policy';
import { EgressBlocked, EgressGate, type FetchHop, MAX_REDIRECTS } from '../../extension/web/egress-gate';
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

/** A fake network: redirects by path, and a record of every URL that was actually requested. */
function network(redirects: Record<string, string | undefined>) {
  const requested: string[] = [];
  const hop: FetchHop = async (url) => {
    requested.push(url.href);
    if (url.href in redirects) return { kind: 'redirect', status: 302, location: redirects[url.href] };
    return {
      kind: 'response',
      response: new Response(`body of ${url.href}`, { headers: { 'content-type': 'text/plain' } }),
    };
  };
  return { requested, hop };
}

async function setup(redirects: Record<string, string | undefined>) {
  const sites = new SitePolicy(new MemoryStore());
  await sites.setRule('https://allowed.test', 'allow', 0);
  await sites.setRule('https://also-allowed.test', 'allow', 0);
  await sites.setRule('https://denied.test', 'deny', 0);
  const net = network(redirects);
  return { sites, net, gate: new EgressGate(sites, net.hop) };
}

const ctx = { taskId: 't1', now: 1 };
const signal = new AbortController().signal;

describe('egress gate', () => {
  it('fetches an allowed URL and follows allowed redirects hop by hop', async () => {
    const { gate, net } = await setup({
      'https://allowed.test/a': '/b',
      'https://allowed.test/b': 'https://also-allowed.test/c',
    });
    const result = await gate.fetch('https://allowed.test/a', ctx, signal);
    expect(result.url.href).toBe('https://also-allowed.test/c');
    expect(result.redirectedFrom.map((u) => u.href)).toEqual(['https://allowed.test/a', 'https://allowed.test/b']);
    expect(net.requested).toEqual(['https://allowed.test/a', 'https://allowed.test/b', 'https://also-allowed.test/c']);
  });

  it('stops at a redirect to a site that is not allowed, before requesting it', async () => {
    const { gate, net } = await setup({ 'https://allowed.test/leak': 'https://collector.test/steal?d=secret' });
    const error = await gate.fetch('https://allowed.test/leak', ctx, signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressBlocked);
    expect((error as EgressBlocked).verdict).toBe('ask');
    expect((error as Error).message).toContain('collector.test');
    expect((error as Error).message).toContain('did not follow');
    expect(net.requested).toEqual(['https://allowed.test/leak']);
  });

  it('stops at a redirect to a denied site, to a downgraded scheme and to a never-reachable URL', async () => {
    const { gate, net } = await setup({
      'https://allowed.test/1': 'https://denied.test/',
      'https://allowed.test/2': 'http://allowed.test/plain',
      'https://allowed.test/3': 'file:///etc/passwd',
      'https://allowed.test/4': 'https://chromewebstore.google.com/detail/x',
    });
    for (const path of ['1', '2', '3', '4']) {
      await expect(gate.fetch(`https://allowed.test/${path}`, ctx, signal)).rejects.toBeInstanceOf(EgressBlocked);
    }
    expect(net.requested.every((u) => u.startsWith('https://allowed.test/'))).toBe(true);
  });

  it('refuses a URL that is not allowed without any request', async () => {
    const { gate, net } = await setup({});
    await expect(gate.fetch('https://unknown.test/', ctx, signal)).rejects.toBeInstanceOf(EgressBlocked);
    await expect(gate.fetch('https://denied.test/', ctx, signal)).rejects.toThrow(/blocked by the site rule/);
    await expect(gate.fetch('chrome://settings', ctx, signal)).rejects.toThrow(/never reachable/);
    expect(net.requested).toEqual([]);
  });

  it('checks each hop against the grants as they are at that moment (an expired grant stops the chain)', async () => {
    const { gate, sites } = await setup({ 'https://allowed.test/go': 'https://hourly.test/x' });
    await sites.setRule('https://hourly.test', 'allow', 0);
    await sites.removeRule('https://hourly.test', 0);
    await expect(gate.fetch('https://allowed.test/go', ctx, signal)).rejects.toBeInstanceOf(EgressBlocked);
  });

  it('fails closed on a redirect whose target cannot be read, and on redirect loops', async () => {
    const unreadable = await setup({ 'https://allowed.test/x': undefined });
    await expect(unreadable.gate.fetch('https://allowed.test/x', ctx, signal)).rejects.toThrow(/could not be read/);
    const loop = await setup({ 'https://allowed.test/loop': '/loop' });
    await expect(loop.gate.fetch('https://allowed.test/loop', ctx, signal)).rejects.toThrow(/Too many redirects/);
    expect(loop.net.requested.length).toBe(MAX_REDIRECTS + 1);
  });
});

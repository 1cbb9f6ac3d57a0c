/**
 * The web tools inside the real runtime (Node, in-memory IndexedDB, scripted
 * model server), with the browser edges replaced: a fake network and linkedom
 * for extraction. The same paths run in real Chromium in tests/e2e/web-*.test.ts.
 */
import 'fake-indexeddb/auto';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assembleRuntime } from '../../extension/runtime/assemble';
import { EgressGate, type FetchHop } from '../../extension/web/egress-gate';
import { memoryArea, SessionPlanStore } from '../../extension/web/plan-store';
import type { TabDriver, WebPlatform } from '../../extension/web/platform';
import { extractReadable } from '../../extension/web/readable';
import type { ThreadEvent } from '../../shared/protocol';
import { lastToolResults, type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread } from '../support/runtime-harness';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const PAGES: Record<string, { status?: number; type: string; body: string; location?: string }> = {
  'https://allowed.test/': {
    type: 'text/html',
    body: `<html><head><title>Allowed</title></head><body><article><h1>Allowed</h1>${'<p>Readable words for the agent to read here. </p>'.repeat(20)}</article></body></html>`,
  },
  'https://allowed.test/leak': { status: 302, type: 'text/plain', body: '', location: 'https://collector.test/steal' },
  'https://unknown.test/': { type: 'text/plain', body: 'unknown site text' },
  'https://allowed.test/image.png': { type: 'image/png', body: '\u0089PNG' },
};

async function setup() {
  const requested: string[] = [];
  const hop: FetchHop = async (url) => {
    requested.push(url.href);
    const page = PAGES[url.href];
    if (!page) return { kind: 'response', response: new Response('not found', { status: 404 }) };
    if (page.location) return { kind: 'redirect', status: page.status ?? 302, location: page.location };
    return { kind: 'response', response: new Response(page.body, { headers: { 'content-type': page.type } }) };
  };
  const tabs = new Proxy({} as TabDriver, {
    get: () => () => Promise.reject(new Error('no tabs in this test')),
  });
  const assembled = assembleRuntime({
    databaseName: `tandem-web-${Math.random()}`,
    web: ({ sites, now }): WebPlatform => ({
      sites,
      egress: new EgressGate(sites, hop),
      extractor: {
        extract: async (html, url, maxChars) =>
          extractReadable(html, url, (h) => parseHTML(h).document as unknown as Document, maxChars),
      },
      tabs,
      plans: new SessionPlanStore(memoryArea(), now),
    }),
  });
  await assembled.settings.update({ apiKey: server.apiKey, baseUrl: server.url, model: 'claude-sonnet-5-5' });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  await panel.command({ type: 'sites.set', pattern: 'https://allowed.test', effect: 'allow' });
  return { assembled, panel, threadId, requested };
}

const isDecision = (e: ThreadEvent) => e.kind === 'decision_requested';

/** The tool results the model received in its `index`-th request. */
function resultsSeen(index: number) {
  const body = server.requests[index]?.body;
  if (!body) throw new Error(`No request ${index}`);
  return lastToolResults(body);
}
const finished = (e: ThreadEvent) => e.kind === 'task_finished';

describe('web tools in the runtime', () => {
  it('fetches an allowed page as readable Markdown inside untrusted delimiters', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'tool_use', name: 'web_fetch', input: { url: 'https://allowed.test/' } },
      { kind: 'text', text: 'ok' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'read it' });
    await panel.waitForEvent(threadId, finished);
    const [result] = resultsSeen(1);
    expect(result?.isError).toBe(false);
    expect(result?.text).toContain('<untrusted_content source="https://allowed.test">');
    expect(result?.text).toContain('Readable words for the agent');
    expect(result?.text).toContain('Title: Allowed');
  });

  it('asks about an unknown site; "deny" becomes a tool error for the model', async () => {
    const { panel, threadId, requested } = await setup();
    server.script([
      { kind: 'tool_use', name: 'web_fetch', input: { url: 'https://unknown.test/' } },
      { kind: 'text', text: 'ok' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'read it' });
    const decision = await panel.waitForEvent(threadId, isDecision);
    if (decision.kind !== 'decision_requested') throw new Error('no decision');
    expect(decision.title).toContain('https://unknown.test');
    expect(decision.options.map((o) => o.id)).toContain('allow_hour');
    expect(requested).toEqual([]);
    await panel.command({ type: 'decision.answer', threadId, decisionId: decision.decisionId, optionId: 'deny' });
    await panel.waitForEvent(threadId, finished);
    const [result] = resultsSeen(1);
    expect(result?.isError).toBe(true);
    expect(result?.text).toMatch(/did not allow/);
    expect(requested).toEqual([]);
  });

  it('does not follow a redirect to a site that is not allowed, and refuses binary content', async () => {
    const { panel, threadId, requested } = await setup();
    server.script([
      { kind: 'tool_use', name: 'web_fetch', input: { url: 'https://allowed.test/leak' } },
      { kind: 'tool_use', name: 'web_fetch', input: { url: 'https://allowed.test/image.png' } },
      { kind: 'text', text: 'ok' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'go' });
    await panel.waitForEvent(threadId, finished);
    const redirect = resultsSeen(1)[0];
    expect(redirect?.isError).toBe(true);
    expect(redirect?.text).toContain('https://collector.test/steal');
    const binary = resultsSeen(2)[0];
    expect(binary?.isError).toBe(true);
    expect(binary?.text).toMatch(/not binary files/);
    expect(requested.some((u) => u.includes('collector'))).toBe(false);
  });

  it('keeps the allowlist to trusted clients: the phone can neither read nor edit it', async () => {
    const { assembled, panel } = await setup();
    const phone = connect(assembled, 'phone');
    for (const command of [
      { type: 'sites.list' as const },
      { type: 'sites.set' as const, pattern: 'https://evil.test', effect: 'allow' as const },
      { type: 'sites.remove' as const, pattern: 'https://allowed.test' },
    ]) {
      const answer = await phone.command(command);
      expect(answer).toMatchObject({ type: 'error', code: 'not_allowed' });
    }
    const bad = await panel.command({ type: 'sites.set', pattern: 'https://a.test/path', effect: 'allow' });
    expect(bad).toMatchObject({ type: 'error', code: 'invalid_command' });
    await panel.command({ type: 'sites.list' });
    const last = panel.messages.filter((m) => m.type === 'sites').at(-1);
    expect(last?.type === 'sites' && last.sites.map((s) => s.pattern)).toEqual(['https://allowed.test']);
    expect(phone.messages.some((m) => m.type === 'sites')).toBe(false);
  });
});

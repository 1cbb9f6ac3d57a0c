/**
 * Web access in Firefox ESR (MV3 background page: extraction runs in place with
 * its own DOMParser; no offscreen document). A smoke test of the paths that
 * differ from Chrome: readable fetch, a redirect to a site that is not allowed
 * (Location read from webRequest), an agent tab read with refs, and navigation
 * the page starts held back by declarativeNetRequest.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer, type Turn } from '../fixtures/model-server';
import { startTestSites, type TestSites } from '../fixtures/sites';
import { makeSandbox } from './support/chromium';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';
import { refFor, resultText, toolResults } from './support/web-session';

let firefox: FirefoxExtensionBrowser;
let server: ModelServer;
let sites: TestSites;
const sandbox = makeSandbox('web-firefox');

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sites = await startTestSites();
  firefox = await launchFirefoxWithExtension(sandbox.root);
  await firefox.panel.evaluate(
    async ({ baseUrl, apiKey, allowed }) => {
      const client = window.tandem?.client;
      await client?.send({ type: 'settings.update', patch: { baseUrl, apiKey } });
      await client?.send({ type: 'sites.set', pattern: allowed, effect: 'allow' });
    },
    { baseUrl: server.url, apiKey: server.apiKey, allowed: sites.allowed.url },
  );
});
afterAll(async () => {
  await firefox?.close();
  await server?.close();
  await sites?.close();
  sandbox.cleanup();
});

async function runTask(panel: Page, text: string): Promise<ThreadEvent[]> {
  const threadId = await panel.evaluate(async (text) => {
    const client = window.tandem?.client;
    const id = await client?.send({ type: 'thread.create' });
    if (!id || !client) throw new Error('no thread');
    client.subscribe(id);
    await client.send({ type: 'message.send', threadId: id, text });
    return id;
  }, text);
  await panel.waitForFunction(
    (id) => (window.tandem?.client.events(id) ?? []).some((e) => e.kind === 'task_finished'),
    { timeout: 60_000 },
    threadId,
  );
  return panel.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
}

describe('web access in Firefox', () => {
  it('fetches readable pages, stops a redirect to the collector, and keeps an agent tab on allowed sites', async () => {
    const { allowed, collector } = sites;
    const state = { tab: -1, page: '' };
    const fromLast = (name: string, input: () => Record<string, unknown>): Turn => ({
      kind: 'respond',
      respond: (request) => {
        const text = JSON.stringify(request.messages.at(-1));
        const tab = text.match(/Opened tab (\d+)/)?.[1];
        if (tab) state.tab = Number(tab);
        return { kind: 'tool_use', name, input: input() };
      },
    });
    server.script([
      { kind: 'tool_use', name: 'web_fetch', input: { url: `${allowed.url}/` } },
      {
        kind: 'tool_use',
        name: 'web_fetch',
        input: { url: `${allowed.url}/redirect?to=${encodeURIComponent(`${collector.url}/collect?via=redirect`)}` },
      },
      { kind: 'tool_use', name: 'tab_open', input: { url: `${allowed.url}/injection` } },
      fromLast('read_page', () => ({ tab: state.tab })),
      {
        kind: 'respond',
        respond: (request) => {
          const last = request.messages.at(-1);
          const block =
            last && typeof last.content !== 'string' ? last.content.find((b) => b.type === 'tool_result') : undefined;
          const content = block?.type === 'tool_result' ? block.content : undefined;
          state.page =
            typeof content === 'string'
              ? content
              : (content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
          return {
            kind: 'tool_use',
            name: 'click',
            input: { tab: state.tab, ref: refFor(state.page, 'button', 'Continue reading') },
          };
        },
      },
      { kind: 'text', text: 'Done.' },
    ]);
    const all = await runTask(firefox.panel, 'Read the allowed site');
    const results = toolResults(all);
    const texts = results.map(resultText);
    expect(results.map((r) => r.isError)).toEqual([false, true, false, false, true]);
    expect(texts[0]).toContain('## Welcome to the allowed site');
    expect(texts[0]).toContain(`<untrusted_content source="${allowed.url}">`);
    expect(texts[1]).toContain('did not follow the redirect');
    expect(texts[3]).toMatch(/\[e\d+\] link "Claim your reward"/);
    expect(texts[3]).not.toContain('ARIA-HIDDEN');
    expect(texts[4]).toContain(`Blocked: the page tried to go to ${collector.url}/collect?via=script`);
    expect(collector.requests).toEqual([]);
  });
});

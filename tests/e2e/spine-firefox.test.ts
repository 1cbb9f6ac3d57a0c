/**
 * The core spine scenario in real Firefox ESR (background page runtime, same code):
 * send, stream, tool round trip, and the client's view equals the durable log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { makeSandbox } from './support/chromium';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let firefox: FirefoxExtensionBrowser;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('firefox');
  firefox = await launchFirefoxWithExtension(sandbox.root);
});

afterAll(async () => {
  await firefox?.close();
  await server?.close();
  sandbox?.cleanup();
});

describe('spine in Firefox', () => {
  it('sends, streams, runs a tool round trip, and shows exactly the durable log', async () => {
    const { panel } = firefox;
    await panel.evaluate(
      (baseUrl, apiKey) =>
        window.tandem?.client.send({ type: 'settings.update', patch: { baseUrl, apiKey, notifyOnFinish: false } }),
      server.url,
      server.apiKey,
    );
    server.script([
      { kind: 'tool_use', name: 'clock', input: {}, text: 'Let me check the clock.', chunkSize: 4, chunkDelayMs: 5 },
      { kind: 'text', text: 'It is **tea** time in Firefox.', chunkSize: 4, chunkDelayMs: 5 },
    ]);
    await panel.locator('pierce/[data-testid="new-thread"]').click();
    await panel.waitForFunction(() => (window.tandem?.client.threads.length ?? 0) === 1);
    const threadId = await panel.evaluate(() => window.tandem?.client.threads[0]?.id ?? '');
    await panel.locator('pierce/[data-testid="composer-input"]').fill('What time is it?');
    await panel.locator('pierce/[data-testid="send"]').click();
    await panel.waitForFunction(
      (id) => (window.tandem?.client.events(id) ?? []).some((e) => e.kind === 'task_finished'),
      { timeout: 30_000 },
      threadId,
    );
    // What the person sees: the rendered answer (Markdown) and the finished tool card, through shadow roots.
    await panel.waitForFunction(
      () => {
        const all = (root: Document | ShadowRoot): Element[] =>
          [...root.querySelectorAll('*')].flatMap((el) => [el, ...(el.shadowRoot ? all(el.shadowRoot) : [])]);
        const elements = all(document);
        const answer = elements.some(
          (el) =>
            el.getAttribute('data-testid') === 'assistant-text' && el.textContent?.includes('tea time in Firefox'),
        );
        const bold = elements.some((el) => el.tagName === 'STRONG' && el.textContent === 'tea');
        const tool = elements.some(
          (el) => el.getAttribute('data-testid') === 'tool-card' && el.getAttribute('data-status') === 'done',
        );
        return answer && bold && tool;
      },
      { timeout: 15_000 },
    );

    const seen: ThreadEvent[] = await panel.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.filter((e) => e.kind === 'text').length).toBeGreaterThan(0);
    expect(seen.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['user_message', 'assistant_message', 'tool_started', 'tool_result', 'task_finished']),
    );
    expect(seen.find((e) => e.kind === 'task_finished')).toMatchObject({ outcome: 'completed' });
    expect(server.requests).toHaveLength(2);
    expect(JSON.stringify(server.requests[1]?.body?.messages.at(-1))).toContain('tool_result');

    // A fresh subscription gets the same events from the durable log. (BiDi cannot reload a
    // moz-extension:// page, so the panel's client re-subscribes instead of the page reloading.)
    const replayed: ThreadEvent[] = await panel.evaluate(async (id) => {
      const client = window.tandem?.client;
      if (!client) return [];
      client.unsubscribe(id);
      client.subscribe(id);
      const started = Date.now();
      while (!client.events(id).some((e) => e.kind === 'task_finished') && Date.now() - started < 10_000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      return [...client.events(id)];
    }, threadId);
    expect(replayed).toEqual(seen);
  });
});

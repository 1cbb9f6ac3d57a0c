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
    await panel.locator('[data-testid="new-thread"]').click();
    await panel.waitForFunction(() => (window.tandem?.client.threads.length ?? 0) === 1);
    const threadId = await panel.evaluate(() => window.tandem?.client.threads[0]?.id ?? '');
    await panel.locator('[data-testid="composer-input"]').fill('What time is it?');
    await panel.locator('[data-testid="send"]').click();
    await panel.waitForFunction(
      (id) => (window.tandem?.client.events(id) ?? []).some((e) => e.kind === 'task_finished'),
      { timeout: 30_000 },
      threadId,
    );
    await panel.locator('[data-testid="assistant-text"] ::-p-text(tea time in Firefox)').wait();
    const status = await panel.locator('[data-testid="tool-card"]').map((el) => el.getAttribute('data-status')).wait();
    expect(status).toBe('done');

    const seen: ThreadEvent[] = await panel.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect(seen.filter((e) => e.kind === 'text').length).toBeGreaterThan(0);
    expect(seen.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['user_message', 'assistant_message', 'tool_started', 'tool_result', 'task_finished']),
    );
    expect(seen.find((e) => e.kind === 'task_finished')).toMatchObject({ outcome: 'completed' });
    expect(server.requests).toHaveLength(2);
    expect(JSON.stringify(server.requests[1]?.body?.messages.at(-1))).toContain('tool_result');

    // A fresh subscription (a reload) gets the same events from the durable log.
    await panel.reload();
    await panel.waitForFunction(() => (window.tandem?.client.threads.length ?? 0) === 1);
    const replayed: ThreadEvent[] = await panel.evaluate(async (id) => {
      const client = window.tandem?.client;
      if (!client) return [];
      client.subscribe(id);
      const started = Date.now();
      while (client.events(id).length === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
      return [...client.events(id)];
    }, threadId);
    expect(replayed).toEqual(seen);
  });
});

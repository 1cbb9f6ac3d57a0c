/**
 * The spine end to end in real Chromium: the built extension, its side panel
 * driven like a person, the runtime in the service worker, the scripted model
 * server over real HTTP.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import {
  clientEvents,
  configureModel,
  newThreadFromUi,
  openThreadFromUi,
  runtimeLog,
  sendFromComposer,
  showThreadList,
  waitForClientEvent,
} from './support/panel';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('spine');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await configureModel(panel, server.url, server.apiKey);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

beforeEach(() => server.reset());

/** The invariant the whole design exists for: the client saw exactly the durable log. */
async function expectClientMatchesLog(threadId: string): Promise<ThreadEvent[]> {
  const log = await runtimeLog(browser.context, threadId);
  const seen = await clientEvents(panel, threadId);
  expect(seen.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  expect(seen).toEqual(log);
  return log;
}

const assistantText = () => panel.getByTestId('assistant-text');

describe('spine in Chromium', () => {
  it('creates two threads, streams answers into each, and runs a tool round trip', async () => {
    server.script([
      { kind: 'text', text: 'First thread answer, **streamed** in pieces.', chunkSize: 5, chunkDelayMs: 10 },
    ]);
    const first = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Hello first');
    await expect.poll(() => assistantText().last().textContent(), { timeout: 15_000 }).toContain('First thread answer');
    await expect.poll(() => panel.locator('strong', { hasText: 'streamed' }).count()).toBeGreaterThan(0);
    await waitForClientEvent(panel, first, 'task_finished');

    server.script([
      { kind: 'tool_use', name: 'clock', input: {}, text: 'Checking the clock.' },
      { kind: 'text', text: 'It is time for tea.' },
    ]);
    const second = await newThreadFromUi(panel);
    expect(second).not.toBe(first);
    await sendFromComposer(panel, 'What time is it?');
    await waitForClientEvent(panel, second, 'task_finished');
    await expect.poll(() => panel.getByTestId('tool-card').first().getAttribute('data-status')).toBe('done');
    await expect.poll(() => assistantText().last().textContent()).toContain('It is time for tea.');
    expect(JSON.stringify(server.requests.at(-1)?.body?.messages.at(-1))).toContain('tool_result');

    await showThreadList(panel);
    await expect.poll(() => panel.getByTestId('thread-item').count()).toBeGreaterThanOrEqual(2);
    await expectClientMatchesLog(second);
    await openThreadFromUi(panel, 'Hello first');
    await expect.poll(() => assistantText().last().textContent()).toContain('First thread answer');
    await waitForClientEvent(panel, first, 'task_finished');
    await expectClientMatchesLog(first);
  });

  it('lists every tool call in the Activity view (the audit trail)', async () => {
    await panel.getByTestId('open-settings').click();
    await panel.getByTestId('settings-section-activity').click();
    const entry = panel.getByTestId('audit-entry').filter({ hasText: 'clock' }).first();
    await entry.waitFor({ state: 'visible' });
    expect(await entry.getAttribute('data-decision')).toBe('auto');
    await panel.getByTestId('settings-section-general').click();
    await panel.getByTestId('back').click();
  });

  it('stops mid-stream at once and keeps what was received', async () => {
    server.script([{ kind: 'hang', afterText: 'I will go on and on' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Talk forever');
    await expect.poll(() => assistantText().last().textContent(), { timeout: 15_000 }).toContain('on and on');
    await panel.getByTestId('stop').click();
    await waitForClientEvent(panel, threadId, 'task_finished', 1, 5_000);
    await expect.poll(() => panel.getByTestId('notice').last().textContent()).toContain('Stopped');
    await expect.poll(() => server.requests[0]?.outcome).toBe('client_closed');
    const log = await expectClientMatchesLog(threadId);
    expect(log.find((e) => e.kind === 'assistant_message')).toMatchObject({ stopReason: 'user_stopped' });
  });

  it('shows a refused key clearly, with a way to settings', async () => {
    const threadId = await newThreadFromUi(panel);
    await panel.evaluate(() =>
      window.tandem?.client.send({ type: 'settings.update', patch: { apiKey: 'sk-wrong-key-123' } }),
    );
    await sendFromComposer(panel, 'Hi');
    await waitForClientEvent(panel, threadId, 'task_finished');
    const notice = panel.getByTestId('notice').last();
    await expect.poll(() => notice.textContent()).toContain('API key');
    expect(await panel.getByTestId('notice-open-settings').count()).toBeGreaterThan(0);
    await configureModel(panel, server.url, server.apiKey);
  });

  it('retries a 429, showing the wait, then answers', async () => {
    server.script([
      { kind: 'error', errorType: 'rate_limit_error', message: 'Too many requests', retryAfterSeconds: 2 },
      { kind: 'text', text: 'Answer after the wait.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Hi');
    await expect
      .poll(() => panel.getByTestId('notice').last().textContent(), { timeout: 10_000 })
      .toContain('Retrying in 2 s');
    await waitForClientEvent(panel, threadId, 'task_finished', 1, 15_000);
    await expect.poll(() => assistantText().last().textContent()).toContain('Answer after the wait.');
    expect(server.requests.length).toBe(2);
    expect(server.requests[1]!.time - server.requests[0]!.time).toBeGreaterThanOrEqual(1900);
  });

  it('renders hostile Markdown from the model inertly', async () => {
    server.script([
      {
        kind: 'text',
        text: [
          'Safe **bold** text.',
          '<img src="x" onerror="window.__pwned = 1">',
          '<script>window.__pwned = 2</script>',
          '[click me](javascript:window.__pwned=3)',
          '![tracker](http://127.0.0.1:9/collect?secret=1)',
          '[fine link](https://example.org/docs)',
        ].join('\n\n'),
      },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Show me something');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await expect.poll(() => assistantText().last().textContent()).toContain('Safe bold text.');
    const answer = assistantText().last();
    expect(await answer.locator('img').count()).toBe(0);
    expect(await answer.locator('script').count()).toBe(0);
    const hrefs = await answer.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs.some((href) => href?.startsWith('javascript:'))).toBe(false);
    expect(hrefs).toContain('https://example.org/docs');
    expect(await answer.locator('a[href="https://example.org/docs"]').getAttribute('rel')).toContain('noopener');
    expect(await panel.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('shows identical history after the panel reloads', async () => {
    const threadId = await newThreadFromUi(panel);
    server.script([{ kind: 'text', text: 'Remember this line.' }]);
    await sendFromComposer(panel, 'Say something memorable');
    await waitForClientEvent(panel, threadId, 'task_finished');
    const before = await panel.getByTestId('assistant-text').allTextContents();
    await panel.reload();
    await panel.waitForFunction(() => (window.tandem?.client.threads.length ?? 0) > 0);
    await openThreadFromUi(panel, 'Say something memorable');
    await expect.poll(() => panel.getByTestId('assistant-text').allTextContents()).toEqual(before);
    await expectClientMatchesLog(threadId);
  });

  it('finishes a task with no lost or duplicated events when the service worker is stopped mid-stream', async () => {
    server.script([
      { kind: 'text', text: 'A slow answer. '.repeat(40), chunkSize: 8, chunkDelayMs: 40 },
      { kind: 'text', text: 'The whole answer, after the restart.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Take your time');
    await waitForClientEvent(panel, threadId, 'text', 2);
    await browser.stopServiceWorker(panel);
    await waitForClientEvent(panel, threadId, 'task_finished', 1, 60_000);
    await expect.poll(() => assistantText().last().textContent()).toContain('The whole answer, after the restart.');
    const log = await expectClientMatchesLog(threadId);
    expect(log.filter((e) => e.kind === 'user_message')).toHaveLength(1);
    expect(log.filter((e) => e.kind === 'turn_discarded')).toEqual([
      expect.objectContaining({ reason: 'interrupted' }),
    ]);
    expect(log.filter((e) => e.kind === 'assistant_message')).toHaveLength(1);
    expect(server.requests.map((r) => r.outcome)).toEqual(['client_closed', 'completed']);
  });

  it('keeps a tool call waiting for permission across a service-worker stop, then runs it', async () => {
    server.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'The report is ready' } },
      { kind: 'text', text: 'You have been notified.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Tell me when it is done');
    await waitForClientEvent(panel, threadId, 'decision_requested');
    await browser.stopServiceWorker(panel);
    const option = panel.locator('[data-testid="decision-option"][data-option-id="allow_once"]');
    await option.click({ timeout: 20_000 });
    await waitForClientEvent(panel, threadId, 'task_finished', 1, 30_000);
    const log = await expectClientMatchesLog(threadId);
    expect(log.filter((e) => e.kind === 'decision_requested')).toHaveLength(1);
    expect(log.find((e) => e.kind === 'tool_result')).toMatchObject({ isError: false });
    expect(log.find((e) => e.kind === 'decision_resolved')).toMatchObject({ by: { kind: 'panel' }, allowed: true });
  });

  it('has everything after the browser restarts on the same profile', async () => {
    // Thread summaries are broadcast a little after the steps that change them: wait until they match the logs.
    const summaries = () =>
      panel.evaluate(() => window.tandem?.client.threads.map((t) => ({ id: t.id, lastSeq: t.lastSeq })));
    await expect
      .poll(async () => {
        for (const thread of (await summaries()) ?? []) {
          if ((await runtimeLog(browser.context, thread.id)).length !== thread.lastSeq) return false;
        }
        return true;
      })
      .toBe(true);
    const before = await summaries();
    const firstId = before?.[0]?.id;
    expect(firstId).toBeTruthy();
    const logBefore = await runtimeLog(browser.context, firstId as string);
    await browser.close();
    browser = await launchExtensionBrowser(sandbox.root);
    panel = await browser.openPanel();
    await panel.waitForFunction((n) => (window.tandem?.client.threads.length ?? 0) >= n, before?.length ?? 1);
    const after = await panel.evaluate(() =>
      window.tandem?.client.threads.map((t) => ({ id: t.id, lastSeq: t.lastSeq })),
    );
    expect(after).toEqual(before);
    expect(await runtimeLog(browser.context, firstId as string)).toEqual(logBefore);
    // And the conversation still works.
    server.script([{ kind: 'text', text: 'Still here.' }]);
    await openThreadFromUi(panel, '');
    await sendFromComposer(panel, 'Are you there?');
    await expect.poll(() => assistantText().last().textContent(), { timeout: 15_000 }).toContain('Still here.');
  });
});

/**
 * Search inside messages in the real side panel (Chromium, 360 px wide): a word said once, long
 * ago, in one of ten 500-message threads is found from the thread list's search field with its
 * snippet marked; choosing it with the keyboard opens the thread, loads the older history back
 * to it, and scrolls to, marks and focuses that message. Also times `threads.search` over the
 * 5,000 messages as the panel sees it (command out, answer back, through the extension port).
 * Then the per-thread model picker: filled from the stand-in's paged Models API with prices
 * (and "price unknown"), a choice applies to the thread's next turn only.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { currentWorker, type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, sendFromComposer, showThreadList, waitForClientEvent } from './support/panel';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;

const THREADS = 10;
const PER_THREAD = 500;

/** Ten threads of 500 messages each, written through the runtime's own EventLog in the worker. */
async function seedThreads(): Promise<string[]> {
  const worker = await currentWorker(browser.context);
  return worker.evaluate(
    async ({ threads, perThread }) => {
      type Tandem = {
        db: { threads: { add(row: unknown): Promise<unknown> } };
        log: { append(threadId: string, bodies: unknown[]): Promise<unknown> };
      };
      const tandem = (globalThis as unknown as { tandem: Tandem }).tandem;
      const usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
      const ids: string[] = [];
      for (let t = 0; t < threads; t++) {
        const id = `seeded-${t}`;
        ids.push(id);
        await tandem.db.threads.add({
          id,
          title: `Garden log ${t}`,
          createdAt: 1,
          updatedAt: 1 + t,
          archived: false,
          lastSeq: 0,
          status: 'idle',
          pendingDecisions: 0,
          usage,
          costUsd: 0,
        });
        const bodies: unknown[] = [];
        for (let m = 0; m < perThread; m += 2) {
          const needle = t === 3 && m === 2 ? ' Plant the Heirloom tomatoes by the south wall.' : '';
          bodies.push({
            kind: 'user_message',
            text: `Message ${m} about watering and weeding the beds.${needle}`,
            by: { kind: 'panel', clientId: 'seed' },
            commandId: `seed-${t}-${m}`,
          });
          bodies.push({
            kind: 'assistant_message',
            taskId: 'seed',
            turnId: `turn-${t}-${m}`,
            model: 'claude-sonnet-5-5',
            content: [{ type: 'text', text: `Answer ${m}: water in the morning and mulch the beds.` }],
            stopReason: 'end_turn',
            usage,
            costUsd: 0,
          });
        }
        await tandem.log.append(id, bodies);
      }
      return ids;
    },
    { threads: THREADS, perThread: PER_THREAD },
  );
}

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('ui-search');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await panel.setViewportSize({ width: 360, height: 760 });
  await configureModel(panel, server.url, server.apiKey);
  await seedThreads();
  // The seeded rows were not broadcast: a fresh panel lists them.
  await panel.reload();
  await panel.getByTestId('thread-item').first().waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

describe('search inside messages (side panel)', () => {
  it('finds a word inside an old message, marks it, and opens the thread on that message', async () => {
    const search = panel.getByTestId('thread-search');
    await search.fill('heirloom TOMATOES');
    const hit = panel.getByTestId('message-hit');
    await expect.poll(() => hit.count(), { timeout: 15_000 }).toBe(1);
    // No title says it: only the message hit is listed, with the thread's title and the words marked.
    await expect.poll(() => panel.getByTestId('thread-item').count()).toBe(0);
    expect(await hit.textContent()).toContain('Garden log 3');
    expect(await hit.locator('mark').allTextContents()).toEqual(['Heirloom', 'tomatoes']);

    // Keyboard only: ↓ from the field reaches the hit, Enter opens it.
    await search.press('ArrowDown');
    await search.page().keyboard.press('Enter');
    const found = panel.locator('[data-testid="thread-items"] .row.found');
    await found.waitFor({ timeout: 20_000 });
    expect(await found.getByText(/Heirloom tomatoes by the south wall/).count()).toBe(1);
    // The message is older than the first page the panel loads (400 events): history was fetched back to it.
    const held = await panel.evaluate(() => window.tandem?.client.events('seeded-3').length ?? 0);
    expect(held).toBeGreaterThan(400);
    await expect
      .poll(() =>
        found.evaluate((row) => {
          const root = row.getRootNode() as ShadowRoot;
          return root.activeElement === row;
        }),
      )
      .toBe(true);
    const box = await found.boundingBox();
    expect(box && box.y >= 0 && box.y < 760).toBe(true);
  });

  it('answers a search over 5,000 messages quickly enough to follow typing', async () => {
    const times = await panel.evaluate(async () => {
      const client = window.tandem?.client;
      if (!client) throw new Error('no client');
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const query = i % 2 === 0 ? 'heirloom' : `mulch beds ${i}`;
        const started = performance.now();
        await new Promise<void>((resolve) => {
          const off = client.onMessage((message) => {
            if (message.type === 'threads.found' && message.query === query) {
              off();
              resolve();
            }
          });
          void client.send({ type: 'threads.search', query, limit: 50 });
        });
        runs.push(performance.now() - started);
      }
      return runs;
    });
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    console.log(
      `threads.search over ${THREADS * PER_THREAD} messages in Chromium: median ${median.toFixed(1)} ms`,
      times,
    );
    expect(Number.isFinite(median)).toBe(true);
  });
});

describe('model picker per thread (side panel)', () => {
  it('lists the API’s models with prices and uses the chosen one from the next turn on', async () => {
    await showThreadList(panel);
    await panel.getByTestId('thread-search').fill('');
    await panel.getByTestId('thread-item').filter({ hasText: 'Garden log 0' }).click();
    const picker = panel.getByTestId('model-picker');
    await picker.locator('option').nth(6).waitFor({ state: 'attached', timeout: 15_000 });
    const labels = await picker.locator('option').allTextContents();
    expect(labels[0]).toBe('Default (Claude Sonnet 5.5)');
    expect(labels).toContain('Claude Haiku 4.5 · $1 / $5 per M tokens');
    expect(labels).toContain('Claude Nimbus 1 · price unknown');
    // Reachable by its label, changed with the keyboard-operable native select.
    expect(await panel.getByLabel('Model', { exact: true }).count()).toBe(1);
    await picker.selectOption('claude-haiku-4-5');
    await panel.waitForFunction(
      () => window.tandem?.client.threads.find((t) => t.id === 'seeded-0')?.model === 'claude-haiku-4-5',
    );
    server.reset();
    await sendFromComposer(panel, 'Which model answers this?');
    await waitForClientEvent(panel, 'seeded-0', 'task_finished');
    expect(server.requests.map((r) => r.body?.model)).toEqual(['claude-haiku-4-5']);
    // Another thread still uses the default.
    await showThreadList(panel);
    await panel.getByTestId('thread-item').filter({ hasText: 'Garden log 1' }).click();
    await expect.poll(() => picker.inputValue()).toBe('');
  });
});

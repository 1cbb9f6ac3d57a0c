/**
 * One recurring schedule in real Firefox ESR (the MV3 background page runs the same runtime):
 * it runs at its first time and again one period later, each run an ordinary task in its thread.
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
  sandbox = makeSandbox('schedule-firefox');
  firefox = await launchFirefoxWithExtension(sandbox.root);
});

afterAll(async () => {
  await firefox?.close();
  await server?.close();
  sandbox?.cleanup();
});

describe('schedules in Firefox', () => {
  it('runs a recurring schedule at its first time and again a period later', async () => {
    const { panel } = firefox;
    await panel.evaluate(
      (baseUrl, apiKey) =>
        window.tandem?.client.send({ type: 'settings.update', patch: { baseUrl, apiKey, notifyOnFinish: false } }),
      server.url,
      server.apiKey,
    );
    const threadId = await panel.evaluate(async () => {
      const id = (await window.tandem?.client.send({ type: 'thread.create', title: 'Recurring' })) ?? '';
      window.tandem?.client.subscribe(id);
      return id;
    });
    // Every minute (the shortest period), anchored so the first run is 5 s away.
    const firstRun = Date.now() + 5_000;
    await panel.evaluate(
      (id, anchorAt) =>
        window.tandem?.client.send({
          type: 'schedule.create',
          threadId: id,
          schedule: {
            title: 'Tick',
            prompt: 'Say tick.',
            recurrence: { kind: 'interval', every: 1, unit: 'minutes', anchorAt },
            timeZone: 'UTC',
          },
        }),
      threadId,
      firstRun - 60_000,
    );
    await panel.waitForFunction(
      (id) => (window.tandem?.client.events(id) ?? []).filter((e) => e.kind === 'task_finished').length >= 2,
      { timeout: 120_000, polling: 500 },
      threadId,
    );
    const events = (await panel.evaluate((id) => window.tandem?.client.events(id) ?? [], threadId)) as ThreadEvent[];
    const runs = events.filter((e) => e.kind === 'user_message');
    expect(runs.map((e) => (e.kind === 'user_message' ? e.text : ''))).toEqual([
      '[Scheduled: Tick]\nSay tick.',
      '[Scheduled: Tick]\nSay tick.',
    ]);
    expect(runs[0]?.at).toBeGreaterThanOrEqual(firstRun);
    expect(runs[1]?.at).toBeGreaterThanOrEqual(firstRun + 60_000);
  });
});

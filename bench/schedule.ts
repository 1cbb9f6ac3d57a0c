/**
 * Schedule benchmarks, in the real extension (Chromium service worker, real IndexedDB and alarms):
 * - schedule_fire_lag_ms: a run's due time → its task started (the `task_started` event's time),
 *   median over 20 one-off runs while the worker is alive (the in-process timer path);
 *   baseline: a bare setTimeout's overshoot for the same wait in the same worker.
 * - schedule_alarm_fire_lag_ms: the same after the worker was stopped, so only the browser alarm can
 *   start the run (median over 5). Alarm granularity: Chrome fires alarms of a packed extension at most
 *   every 30 s and may delay them; this unpacked build is not clamped, so the number shows the wake-up
 *   cost (worker start, database open), not the 30 s floor a store build can add.
 */
import type { Worker } from 'playwright-core';
import { currentWorker, launchExtensionBrowser, makeSandbox } from '../tests/e2e/support/chromium';
import { startModelServer } from '../tests/fixtures/model-server';
import type { Metric } from './index';
import { median, round } from './stats';

const RUNS = 20;
const ALARM_RUNS = 5;
const LEAD_MS = 800;

interface WorkerHandle {
  tandem: {
    settings: { update(patch: Record<string, unknown>): Promise<unknown> };
    db: {
      threads: { put(row: Record<string, unknown>): Promise<unknown> };
      events: {
        where(index: string): {
          between(a: unknown[], b: unknown[]): { toArray(): Promise<Array<{ kind: string; at: number }>> };
        };
      };
    };
    schedules: { service: { create(threadId: string, fields: unknown, by: string): Promise<{ nextRunAt?: number }> } };
  };
}

/** Creates a thread and a one-off schedule `leadMs` ahead in the worker; returns its due time. */
function createRun(worker: Worker, threadId: string, leadMs: number): Promise<number> {
  return worker.evaluate(
    async ({ threadId, leadMs }) => {
      const { tandem } = globalThis as unknown as WorkerHandle;
      const now = Date.now();
      await tandem.db.threads.put({
        id: threadId,
        title: 'bench',
        createdAt: now,
        updatedAt: now,
        archived: false,
        lastSeq: 0,
        status: 'idle',
        pendingDecisions: 0,
        usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
        costUsd: 0,
      });
      const schedule = await tandem.schedules.service.create(
        threadId,
        {
          title: 'bench',
          prompt: 'Tick.',
          recurrence: { kind: 'once', at: now + leadMs },
          timeZone: 'UTC',
          missedPolicy: 'run_once',
          maxFailures: 3,
        },
        'user',
      );
      return schedule.nextRunAt ?? 0;
    },
    { threadId, leadMs },
  );
}

/** Waits for the thread's task to finish; returns when it started (the event's durable time). */
async function startedAt(getWorker: () => Promise<Worker>, threadId: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const worker = await getWorker();
    const events = await worker
      .evaluate(
        (id) =>
          (globalThis as unknown as WorkerHandle).tandem.db.events
            .where('[threadId+seq]')
            .between([id, 0], [id, Number.MAX_SAFE_INTEGER])
            .toArray(),
        threadId,
      )
      .catch(() => []);
    const started = events.find((e) => e.kind === 'task_started');
    if (started && events.some((e) => e.kind === 'task_finished')) return started.at;
    if (Date.now() > deadline) throw new Error(`run in ${threadId} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runScheduleBench(): Promise<Metric[]> {
  const server = await startModelServer({ minCacheableTokens: 0 });
  const sandbox = makeSandbox('bench-schedule');
  const browser = await launchExtensionBrowser(sandbox.root);
  try {
    const worker = browser.worker;
    await worker.evaluate(
      ({ url, apiKey }) =>
        (globalThis as unknown as WorkerHandle).tandem.settings.update({
          apiKey,
          baseUrl: url,
          spendingCapEnabled: false,
          notifyOnFinish: false,
        }),
      { url: server.url, apiKey: server.apiKey },
    );
    const lags: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const threadId = `bench-live-${i}`;
      const dueAt = await createRun(worker, threadId, LEAD_MS);
      lags.push((await startedAt(async () => worker, threadId, 30_000)) - dueAt);
    }
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseline.push(
        await worker.evaluate(
          (wait) =>
            new Promise<number>((resolve) => {
              const due = Date.now() + wait;
              setTimeout(() => resolve(Date.now() - due), wait);
            }),
          LEAD_MS,
        ),
      );
    }
    // A plain page for the CDP session: an open panel would reconnect and restart the worker at once,
    // and the run would then come from its timer, not from the alarm.
    const page = await browser.context.newPage();
    const alarmLags: number[] = [];
    for (let i = 0; i < ALARM_RUNS; i++) {
      const threadId = `bench-alarm-${i}`;
      const dueAt = await createRun(await currentWorker(browser.context), threadId, 3_000);
      await browser.stopServiceWorker(page);
      await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now() - 200)));
      // Do not touch the worker before the alarm woke it: reading the log would start it.
      await new Promise((r) => setTimeout(r, 2_000));
      alarmLags.push((await startedAt(() => currentWorker(browser.context), threadId, 90_000)) - dueAt);
    }
    const lag = median(lags);
    const base = median(baseline);
    console.error(
      `schedule: live lags ${lags.join(', ')} ms; setTimeout overshoot ${baseline.join(', ')} ms; alarm lags ${alarmLags.join(', ')} ms`,
    );
    return [
      { metric: 'schedule_fire_lag_ms', value: round(lag), unit: 'ms' },
      { metric: 'schedule_fire_lag_timer_baseline_ms', value: round(base), unit: 'ms' },
      { metric: 'schedule_fire_lag_over_baseline_ms', value: round(lag - base), unit: 'ms' },
      { metric: 'schedule_alarm_fire_lag_ms', value: round(median(alarmLags)), unit: 'ms' },
    ];
  } finally {
    await browser.close();
    await server.close();
    sandbox.cleanup();
  }
}

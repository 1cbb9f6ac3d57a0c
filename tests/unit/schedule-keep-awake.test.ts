/**
 * A scheduled run needs no keep-awake of its own: it is an ordinary task, and the runner holds the
 * runtime's `keepAlive` hook for every task from start to end. background.ts wires that hook to
 * both the worker's keep-alive and [reach]'s keep-awake (extension/platform/keep-awake.ts), so the
 * computer stays up for a scheduled run exactly as for one the user started.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleRuntime } from '../../extension/runtime/assemble';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, waitUntil } from '../support/runtime-harness';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());

describe('a scheduled run and keep-awake', () => {
  it('holds the task keep-alive hook (what keeps the computer awake) across the whole run', async () => {
    const clock = { now: Date.now() };
    const holds: Array<{ at: 'hold' | 'release'; modelRequests: number }> = [];
    const assembled = assembleRuntime({
      databaseName: `schedule-keep-awake-${process.pid}`,
      now: () => clock.now,
      notifyScheduleResult: async () => {},
      keepAlive: () => {
        holds.push({ at: 'hold', modelRequests: server.requests.length });
        return () => holds.push({ at: 'release', modelRequests: server.requests.length });
      },
    });
    await assembled.settings.update({ apiKey: server.apiKey, baseUrl: server.url, model: 'claude-sonnet-5-5' });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: {
        title: 'Overnight',
        prompt: 'Summarise the folder.',
        recurrence: { kind: 'interval', every: 1, unit: 'hours' },
        timeZone: 'Europe/Paris',
      },
    });
    expect(holds).toEqual([]);
    const before = server.requests.length;
    server.script([{ kind: 'text', text: 'Summarised.' }]);
    clock.now += 60 * 60_000;
    await assembled.schedules.service.fireDue();
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    await waitUntil(() => holds.some((h) => h.at === 'release'), 5_000, 'the release');
    // Taken before the run's model call, released after it: the run was covered end to end.
    expect(holds).toEqual([
      { at: 'hold', modelRequests: before },
      { at: 'release', modelRequests: before + 1 },
    ]);
  });
});

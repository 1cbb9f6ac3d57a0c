import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type RunStarter, ScheduleService } from '../../extension/schedule/schedule-service';
import { TandemDatabase } from '../../extension/storage/db';
import { type EventBody, ScheduleFields } from '../../shared/protocol';

let counter = 0;
const MIN = 60_000;
const T0 = Date.parse('2026-01-15T07:00:00Z');

/** A fake world: a clock the test moves, a thread that records the messages a run sends. */
function world(databaseName = `schedule-svc-${process.pid}-${++counter}`) {
  const clock = { now: T0 };
  const started: Array<{ threadId: string; key: string; body: EventBody }> = [];
  const notes: Array<{ title: string; message: string }> = [];
  const keys = new Set<string>();
  let failNextStart = false;
  const starter: RunStarter = {
    async start(threadId, key, body) {
      if (failNextStart) {
        failNextStart = false;
        throw new Error('worker died between due and started');
      }
      if (keys.has(key)) return false; // the log's command record: a repeat appends nothing
      keys.add(key);
      started.push({ threadId, key, body });
      return true;
    },
  };
  const make = () => {
    const db = new TandemDatabase(databaseName);
    let id = 0;
    const armed: Array<number | undefined> = [];
    const service = new ScheduleService({
      db,
      now: () => clock.now,
      newId: () => `id-${++counter}-${++id}`,
      wake: { at: (when) => armed.push(when) },
      runs: starter,
      notify: async (title, message) => {
        notes.push({ title, message });
      },
      changed: () => {},
    });
    return { db, service, armed };
  };
  return { clock, started, notes, make, failStart: () => (failNextStart = true) };
}

async function thread(db: TandemDatabase, id = 't1') {
  await db.threads.put({
    id,
    title: 'Morning news',
    createdAt: T0,
    updatedAt: T0,
    archived: false,
    lastSeq: 0,
    status: 'idle',
    pendingDecisions: 0,
    usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    costUsd: 0,
  });
  return id;
}

const daily = (over: Partial<z.input<typeof ScheduleFields>> = {}) =>
  ScheduleFields.parse({
    title: 'Check sites',
    prompt: 'Check these three sites and tell me what changed.',
    recurrence: { kind: 'daily' as const, time: '08:00' },
    timeZone: 'UTC',
    ...over,
  });

const texts = (w: ReturnType<typeof world>) =>
  w.started.map((s) => (s.body.kind === 'user_message' ? s.body.text : ''));

describe('schedule service', () => {
  it('arms the next run and starts one run when it is due, as a user message with its run', async () => {
    const w = world();
    const { db, service, armed } = w.make();
    const threadId = await thread(db);
    const schedule = await service.create(threadId, daily({ capUsd: 0.5, maxSteps: 4 }), 'user');
    expect(schedule.nextRunAt).toBe(Date.parse('2026-01-15T08:00:00Z'));
    expect(armed.at(-1)).toBe(schedule.nextRunAt);
    w.clock.now = Date.parse('2026-01-15T08:00:00.400Z');
    await service.fireDue();
    await service.fireDue(); // a second alarm for the same time starts nothing
    expect(w.started).toHaveLength(1);
    const body = w.started[0]?.body;
    expect(body).toMatchObject({
      kind: 'user_message',
      run: { scheduleId: schedule.id, capUsd: 0.5, maxSteps: 4 },
    });
    expect(texts(w)[0]).toContain('Check these three sites');
    expect(texts(w)[0]).not.toContain('late');
    const [view] = await service.list();
    expect(view).toMatchObject({ nextRunAt: Date.parse('2026-01-16T08:00:00Z'), running: true, runCount: 1 });
  });

  it('runs a missed run once when back, labelled late, never stacked', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    await service.create(threadId, daily(), 'user');
    // The laptop slept from before 08:00 on the 15th to 08:47 on the 17th: three runs missed.
    w.clock.now = Date.parse('2026-01-17T08:47:00Z');
    await service.start();
    expect(w.started).toHaveLength(1);
    expect(texts(w)[0]).toContain('late by 47 min');
    const [view] = await service.list();
    expect(view?.nextRunAt).toBe(Date.parse('2026-01-18T08:00:00Z'));
  });

  it('skips a missed run when the schedule says so, and says it was skipped', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    await service.create(threadId, daily({ missedPolicy: 'skip' }), 'user');
    w.clock.now = Date.parse('2026-01-15T10:00:00Z');
    await service.start();
    expect(w.started).toHaveLength(0);
    const [view] = await service.list();
    expect(view?.lastRun).toMatchObject({ outcome: 'skipped' });
    expect(view?.lastRun?.summary).toMatch(/missed/i);
    expect(view?.nextRunAt).toBe(Date.parse('2026-01-16T08:00:00Z'));
  });

  it('never starts a run twice after a crash between "due" and "started"', async () => {
    const w = world();
    const first = w.make();
    const threadId = await thread(first.db);
    await first.service.create(threadId, daily(), 'user');
    w.clock.now = Date.parse('2026-01-15T08:00:01Z');
    w.failStart(); // the run is recorded as due, then the worker dies before the message is written
    await first.service.fireDue().catch(() => {});
    expect(w.started).toHaveLength(0);
    first.db.close();
    // The next start finds the recorded run and starts it, once.
    const second = w.make();
    await second.service.start();
    await second.service.start();
    expect(w.started).toHaveLength(1);
    second.db.close();
    // And a crash after the message was written but before the run was marked started: still once.
    const third = w.make();
    await third.db.scheduleRuns.toCollection().modify({ status: 'due' });
    await third.service.start();
    expect(w.started).toHaveLength(1);
    const runs = await third.db.scheduleRuns.toArray();
    expect(runs.map((r) => r.status)).toEqual(['started']);
  });

  it('does not stack a run on one still going', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    await service.create(
      threadId,
      daily({ recurrence: { kind: 'interval', every: 5, unit: 'minutes', anchorAt: T0 } }),
      'user',
    );
    // An interval starts one period after it is created, not at once.
    expect((await service.list())[0]?.nextRunAt).toBe(T0 + 5 * MIN);
    await service.fireDue();
    expect(w.started).toHaveLength(0);
    w.clock.now = T0 + 5 * MIN;
    await service.fireDue();
    w.clock.now = T0 + 10 * MIN;
    await service.fireDue();
    expect(w.started).toHaveLength(1);
    await expect(service.runNow((await service.list())[0]?.id ?? '')).rejects.toThrow(/still going/);
  });

  it('pauses a schedule after N failed runs in a row and tells the user', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    const schedule = await service.create(
      threadId,
      daily({ recurrence: { kind: 'interval', every: 5, unit: 'minutes', anchorAt: T0 }, maxFailures: 2 }),
      'user',
    );
    for (let i = 1; i <= 2; i++) {
      w.clock.now = T0 + i * 5 * MIN;
      await service.fireDue();
      const body = w.started.at(-1)?.body;
      if (body?.kind !== 'user_message' || !body.run) throw new Error('no run');
      await service.runFinished(threadId, 'failed', body.run, 0.01);
    }
    const [view] = await service.list();
    expect(view).toMatchObject({ status: 'paused', consecutiveFailures: 2, running: false });
    expect(view?.pausedReason).toMatch(/2 failed runs in a row/);
    expect(view?.costUsd).toBeCloseTo(0.02);
    expect(w.notes.some((n) => /paused/i.test(n.message))).toBe(true);
    w.clock.now = T0 + 15 * MIN;
    await service.fireDue();
    expect(w.started).toHaveLength(2);
    await service.resume(schedule.id);
    expect((await service.list())[0]).toMatchObject({ status: 'active', consecutiveFailures: 0 });
  });

  it('records the outcome of a run and notifies it in one line', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    await db.events.put({
      threadId,
      seq: 1,
      at: T0,
      kind: 'assistant_message',
      taskId: 'x',
      turnId: 'y',
      model: 'm',
      content: [{ type: 'text', text: 'Two of the three sites changed.\nDetails follow.' }],
      stopReason: 'end_turn',
      usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
      costUsd: 0.01,
    });
    const schedule = await service.create(threadId, daily(), 'user');
    await service.runNow(schedule.id);
    const body = w.started[0]?.body;
    if (body?.kind !== 'user_message' || !body.run) throw new Error('no run');
    await service.runFinished(threadId, 'completed', body.run, 0.01);
    expect(w.notes.at(-1)).toEqual({ title: 'Tandem: Check sites', message: 'Done: Two of the three sites changed.' });
    expect((await service.list())[0]?.lastRun).toMatchObject({ outcome: 'completed' });
  });

  it('finishes a one-off after its run', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    await service.create(threadId, daily({ recurrence: { kind: 'after', minutes: 120 } }), 'user');
    w.clock.now = T0 + 120 * MIN;
    await service.fireDue();
    expect(w.started).toHaveLength(1);
    expect((await service.list())[0]).toMatchObject({ status: 'done' });
    expect((await service.list())[0]?.nextRunAt).toBeUndefined();
  });

  it('skips runs of a thread in the trash, and forgets schedules whose thread is gone', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    await service.create(threadId, daily(), 'user');
    await db.threads.update(threadId, { trashedAt: T0 });
    w.clock.now = Date.parse('2026-01-15T08:00:10Z');
    await service.fireDue();
    expect(w.started).toHaveLength(0);
    expect((await service.list())[0]?.lastRun?.summary).toMatch(/trash/);
    await db.threads.delete(threadId);
    w.clock.now = Date.parse('2026-01-16T08:00:10Z');
    await service.fireDue();
    expect(w.started).toHaveLength(0);
    expect(await service.list()).toEqual([]);
  });

  it('does not let a run that never reported its end block the schedule forever', async () => {
    const w = world();
    const { db, service } = w.make();
    const threadId = await thread(db);
    await service.create(threadId, daily(), 'user');
    w.clock.now = Date.parse('2026-01-15T08:00:10Z');
    await service.fireDue(); // started, and its task never reports back (a loop that failed)
    w.clock.now = Date.parse('2026-01-16T08:00:10Z');
    await service.fireDue();
    expect(w.started).toHaveLength(1);
    w.clock.now = Date.parse('2026-01-17T08:00:10Z');
    await service.fireDue();
    expect(w.started).toHaveLength(2);
  });
});

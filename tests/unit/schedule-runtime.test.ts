/**
 * Schedules in the real runtime (the extension's own assembly, in Node on an in-memory
 * IndexedDB) against the scripted model server: runs are ordinary tasks in their thread,
 * the phone may manage them, the model's proposal asks first, per-run caps pause and ask.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assembleRuntime } from '../../extension/runtime/assemble';
import type { RuntimeMessage, ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, waitUntil } from '../support/runtime-harness';

let server: ModelServer;
let counter = 0;
const MIN = 60_000;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function setup() {
  const clock = { now: Date.now() };
  const notes: Array<{ title: string; message: string }> = [];
  const assembled = assembleRuntime({
    databaseName: `schedule-runtime-${process.pid}-${++counter}`,
    now: () => clock.now,
    notifyScheduleResult: async (title, message) => {
      notes.push({ title, message });
    },
  });
  await assembled.settings.update({ apiKey: server.apiKey, baseUrl: server.url, model: 'claude-sonnet-5-5' });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  return { assembled, clock, notes, panel, threadId };
}

const schedulesIn = (messages: readonly RuntimeMessage[]) =>
  messages.flatMap((m) => (m.type === 'schedules' ? [m.schedules] : [])).at(-1) ?? [];
const finished = (e: ThreadEvent) => e.kind === 'task_finished';

describe('schedules in the runtime', () => {
  it('runs a schedule created from the panel as a task in its thread, and reports the outcome', async () => {
    const { assembled, clock, notes, panel, threadId } = await setup();
    const ack = await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: {
        title: 'Site check',
        prompt: 'Check the three sites.',
        recurrence: { kind: 'interval', every: 5, unit: 'minutes' },
        timeZone: 'Europe/Paris',
      },
    });
    expect(ack).toMatchObject({ type: 'ack', threadId });
    await waitUntil(() => schedulesIn(panel.messages).length === 1, 5_000, 'the schedule list');
    expect(schedulesIn(panel.messages)[0]).toMatchObject({ description: 'Every 5 minutes', status: 'active' });

    server.script([{ kind: 'text', text: 'Nothing changed on the three sites.' }]);
    clock.now += 5 * MIN;
    await assembled.schedules.service.fireDue();
    await panel.waitForEvent(threadId, finished);
    const user = panel.events(threadId).find((e) => e.kind === 'user_message');
    expect(user?.kind === 'user_message' && user.text).toBe('[Scheduled: Site check]\nCheck the three sites.');
    await waitUntil(() => notes.length > 0, 5_000, 'the notification');
    expect(notes[0]).toEqual({ title: 'Tandem: Site check', message: 'Done: Nothing changed on the three sites.' });
    await waitUntil(() => schedulesIn(panel.messages)[0]?.lastRun?.outcome === 'completed', 5_000, 'the last result');
    const view = schedulesIn(panel.messages)[0];
    expect(view?.costUsd).toBeGreaterThan(0);
    expect(view?.running).toBe(false);
  });

  it('lets the phone edit, pause, run now and delete a schedule (the user’s own action)', async () => {
    const { assembled, panel, threadId } = await setup();
    await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: { title: 'Daily', prompt: 'Summarise.', recurrence: { kind: 'daily', time: '08:00' }, timeZone: 'UTC' },
    });
    const phone = connect(assembled, 'phone');
    const [schedule] = await assembled.schedules.service.list();
    if (!schedule) throw new Error('no schedule');
    expect(
      await phone.command({
        type: 'schedule.update',
        scheduleId: schedule.id,
        patch: { recurrence: { kind: 'daily', time: '09:30' } },
      }),
    ).toMatchObject({ type: 'ack' });
    expect((await assembled.schedules.service.list())[0]?.description).toBe('Every day at 09:30');
    expect(await phone.command({ type: 'schedule.pause', scheduleId: schedule.id })).toMatchObject({ type: 'ack' });
    expect((await assembled.schedules.service.list())[0]).toMatchObject({ status: 'paused' });
    server.script([{ kind: 'text', text: 'Summary.' }]);
    expect(await phone.command({ type: 'schedule.runNow', scheduleId: schedule.id })).toMatchObject({ type: 'ack' });
    await panel.waitForEvent(threadId, finished);
    expect(await phone.command({ type: 'schedule.delete', scheduleId: schedule.id })).toMatchObject({ type: 'ack' });
    expect(await assembled.schedules.service.list()).toEqual([]);
    expect(await phone.command({ type: 'schedule.delete', scheduleId: schedule.id })).toMatchObject({
      type: 'error',
      code: 'invalid_command',
    });
  });

  it('asks the user before a schedule the model proposes exists, and creates it once approved', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([
      {
        kind: 'tool_use',
        name: 'schedule_task',
        input: {
          title: 'Remind me',
          prompt: 'Remind me to stretch.',
          recurrence: { kind: 'after', minutes: 120 },
          timeZone: 'UTC',
        },
      },
      { kind: 'text', text: 'Scheduled.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'In two hours, remind me to stretch.' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    expect(request.title).toBe('Schedule "Remind me"?');
    expect(request.options.map((o) => o.id)).toEqual(['allow_once', 'deny']);
    expect(await assembled.schedules.service.list()).toEqual([]);
    // The phone may approve it: the answer ends with this call.
    const phone = connect(assembled, 'phone');
    await phone.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'allow_once' });
    await panel.waitForEvent(threadId, finished);
    const [created] = await assembled.schedules.service.list();
    expect(created).toMatchObject({ title: 'Remind me', createdBy: 'model', status: 'active' });
    expect(created?.description).toMatch(/^Once, on /);
  });

  it('creates nothing when the user denies the model’s schedule', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([
      {
        kind: 'tool_use',
        name: 'schedule_task',
        input: { title: 'Spam', prompt: 'Do it.', recurrence: { kind: 'interval', every: 1, unit: 'minutes' } },
      },
      { kind: 'text', text: 'OK, not scheduled.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Schedule something' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await panel.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'deny' });
    await panel.waitForEvent(threadId, finished);
    expect(await assembled.schedules.service.list()).toEqual([]);
  });

  it('pauses a run at its step cap with the usual decision, and tells the user it waits', async () => {
    const { assembled, clock, notes, panel, threadId } = await setup();
    await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: {
        title: 'Capped',
        prompt: 'What time is it?',
        recurrence: { kind: 'interval', every: 5, unit: 'minutes' },
        timeZone: 'UTC',
        maxSteps: 1,
      },
    });
    server.script([
      { kind: 'tool_use', name: 'clock', input: { timeZone: 'UTC' } },
      { kind: 'text', text: 'It is late.' },
    ]);
    clock.now += 5 * MIN;
    await assembled.schedules.service.fireDue();
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    expect(request).toMatchObject({ topic: 'budget', title: 'Step cap reached' });
    // Nobody is watching a scheduled run: the user hears that it waits on them.
    await waitUntil(() => notes.length > 0, 5_000, 'the waiting notification');
    expect(notes[0]).toEqual({ title: 'Tandem: Capped', message: 'Waiting for you: Step cap reached' });
    expect((await assembled.schedules.service.list())[0]?.running).toBe(true);
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await panel.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'stop' });
    await panel.waitForEvent(threadId, finished);
    await waitUntil(
      () => schedulesIn(panel.messages)[0]?.lastRun?.outcome === 'budget_stopped',
      5_000,
      'the capped outcome',
    );
  });

  it('pauses a run at its spending cap with the usual decision', async () => {
    const { assembled, clock, panel, threadId } = await setup();
    await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: {
        title: 'Cheap',
        prompt: 'What time is it?',
        recurrence: { kind: 'interval', every: 5, unit: 'minutes' },
        timeZone: 'UTC',
        capUsd: 0.000001,
      },
    });
    server.script([
      { kind: 'tool_use', name: 'clock', input: { timeZone: 'UTC' } },
      { kind: 'text', text: 'It is late.' },
    ]);
    clock.now += 5 * MIN;
    await assembled.schedules.service.fireDue();
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    expect(request).toMatchObject({ topic: 'budget', title: 'Spending cap reached' });
    expect(request.kind === 'decision_requested' && request.detail).toMatch(/scheduled run/);
  });
});

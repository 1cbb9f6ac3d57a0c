/**
 * What a paired phone may do (issue 9): only answers that end with the task, its actions recorded
 * under its device, command ids scoped per device, and deletions that go to a restorable trash.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AssembledRuntime } from '../../extension/runtime/assemble';
import type { RuntimeMessage, ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime, type TestClient, waitUntil } from '../support/runtime-harness';

let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const DEVICE = {
  deviceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
  deviceName: 'Ana’s phone',
};

/** A phone as the link attaches it: with the device the handshake authenticated. */
function phoneClient(assembled: AssembledRuntime): TestClient & { messages: RuntimeMessage[] } {
  const messages: RuntimeMessage[] = [];
  const attach = assembled.runtime.attach as (
    kind: 'phone',
    send: (m: RuntimeMessage) => void,
    device: { deviceId: string; deviceName: string },
  ) => ReturnType<AssembledRuntime['runtime']['attach']>;
  const attached = attach.call(assembled.runtime, 'phone', (m) => messages.push(structuredClone(m)), DEVICE);
  let counter = 0;
  const events = (threadId: string) =>
    messages.flatMap((m) =>
      m.type === 'thread.page' && m.threadId === threadId
        ? m.events
        : m.type === 'thread.event' && m.threadId === threadId
          ? [m.event]
          : [],
    );
  return {
    messages,
    async command(command) {
      const id = command.id ?? `phone-cmd-${++counter}`;
      await attached.receive({ ...command, id });
      const answer = messages.findLast((m) => (m.type === 'ack' || m.type === 'error') && m.commandId === id);
      if (!answer) throw new Error(`No answer to ${id}`);
      return answer;
    },
    raw: (value) => attached.receive(value),
    events,
    async waitForEvent(threadId, predicate, timeoutMs = 10_000) {
      let found: ThreadEvent | undefined;
      await waitUntil(
        () => {
          found = events(threadId).find(predicate);
          return found !== undefined;
        },
        timeoutMs,
        'an event',
      );
      return found as ThreadEvent;
    },
    detach: attached.detach,
  };
}

async function pendingNotification(panel: TestClient, threadId: string) {
  server.script([
    { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'All set' } },
    { kind: 'text', text: 'Notified.' },
  ]);
  await panel.command({ type: 'message.send', threadId, text: 'Ping me' });
  const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
  if (request.kind !== 'decision_requested') throw new Error('unreachable');
  return request;
}

async function setup() {
  const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  return { assembled, panel, threadId };
}

describe('a phone cannot widen what the user allowed', () => {
  it('marks the answers that outlive the task, and refuses them from a phone', async () => {
    const { assembled, panel, threadId } = await setup();
    const request = await pendingNotification(panel, threadId);
    expect(request.options.map((o) => [o.id, o.persistent])).toEqual([
      ['allow_once', false],
      ['allow_always', true],
      ['deny', false],
      ['deny_always', true],
    ]);
    const phone = phoneClient(assembled);
    for (const optionId of ['allow_always', 'deny_always']) {
      const refused = await phone.command({
        type: 'decision.answer',
        threadId,
        decisionId: request.decisionId,
        optionId,
      });
      expect(refused).toMatchObject({ type: 'error', code: 'not_allowed' });
      expect((refused as { message: string }).message).toContain('use the computer');
    }
    expect(await assembled.grants.load('notifications')).toEqual([]);
    expect((await assembled.db.threads.get(threadId))?.pendingDecisions).toBe(1);
    // "Allow once" from the phone is fine: its effect ends with the task.
    const once = await phone.command({
      type: 'decision.answer',
      threadId,
      decisionId: request.decisionId,
      optionId: 'allow_once',
    });
    expect(once.type).toBe('ack');
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    const grants = await assembled.grants.load('notifications');
    expect(grants.every((g) => g.taskId !== undefined)).toBe(true);
  });

  it('still lets the computer answer "Always allow"', async () => {
    const { assembled, panel, threadId } = await setup();
    const request = await pendingNotification(panel, threadId);
    const always = await panel.command({
      type: 'decision.answer',
      threadId,
      decisionId: request.decisionId,
      optionId: 'allow_always',
    });
    expect(always.type).toBe('ack');
    expect(await assembled.grants.load('notifications')).toEqual([
      expect.objectContaining({ scope: 'desktop', effect: 'allow' }),
    ]);
  });
});

describe('who did what', () => {
  it('records the phone’s name and key fingerprint in the event log and the audit log', async () => {
    const { assembled, panel, threadId } = await setup();
    const phone = phoneClient(assembled);
    server.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'All set' } },
      { kind: 'text', text: 'Notified.' },
    ]);
    await phone.command({ type: 'message.send', threadId, text: 'Ping me from the phone' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await phone.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'allow_once' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    const events = await assembled.log.all(threadId);
    const device = { name: 'Ana’s phone', fingerprint: 'a1b2 c3d4 e5f6 0718' };
    expect(events.find((e) => e.kind === 'user_message')).toMatchObject({ by: { kind: 'phone', device } });
    expect(events.find((e) => e.kind === 'decision_resolved')).toMatchObject({ by: { kind: 'phone', device } });
    const audit = await assembled.audit.list(threadId, 10);
    expect(audit).toEqual([
      expect.objectContaining({ tool: 'notify_user', decidedBy: 'phone', decidedByDevice: device }),
    ]);
  });
});

describe('thread deletion from a phone', () => {
  it('moves the thread to a trash only the computer sees, restorable from there', async () => {
    const { assembled, panel, threadId } = await setup();
    const phone = phoneClient(assembled);
    expect((await phone.command({ type: 'thread.delete', threadId })).type).toBe('ack');
    // Gone for the phone and from every list...
    expect(phone.messages.some((m) => m.type === 'thread.deleted' && m.threadId === threadId)).toBe(true);
    await panel.command({ type: 'threads.list', includeArchived: true });
    const lists = panel.messages.filter((m) => m.type === 'threads');
    expect(lists.at(-1)).toMatchObject({ threads: [] });
    expect(await phone.command({ type: 'thread.subscribe', threadId })).toMatchObject({ code: 'unknown_thread' });
    expect(await phone.command({ type: 'threads.trash' })).toMatchObject({ code: 'not_allowed' });
    // ...but nothing is destroyed: the panel lists it in the trash and restores it.
    expect(await assembled.db.threads.get(threadId)).toBeDefined();
    await panel.command({ type: 'threads.trash' });
    expect(panel.messages.findLast((m) => m.type === 'threads.trashed')).toMatchObject({
      threads: [expect.objectContaining({ id: threadId })],
    });
    expect((await panel.command({ type: 'thread.restore', threadId })).type).toBe('ack');
    await panel.command({ type: 'threads.list', includeArchived: true });
    expect(panel.messages.findLast((m) => m.type === 'threads')).toMatchObject({
      threads: [expect.objectContaining({ id: threadId })],
    });
  });
});

describe('command ids are scoped by device', () => {
  it('a phone’s command id never makes a panel command come back acknowledged without being applied', async () => {
    const { assembled, panel, threadId } = await setup();
    const phone = phoneClient(assembled);
    await phone.command({ id: 'dup', type: 'thread.archive', threadId, archived: true });
    expect(await panel.command({ id: 'dup', type: 'thread.archive', threadId, archived: false })).toMatchObject({
      type: 'ack',
    });
    expect((await assembled.db.threads.get(threadId))?.archived).toBe(false);
  });
});

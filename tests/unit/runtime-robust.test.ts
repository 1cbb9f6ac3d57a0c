/**
 * Engine and storage robustness (issue 17, items 9 and 10): resume from the log, answers whose
 * target is gone, commands recorded with their effect, and storage that fails safe.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolError } from '../../extension/tools/registry';
import type { RuntimeMessage, ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import {
  assertContiguous,
  connect,
  newThread,
  startRuntime,
  type TestClient,
  waitUntil,
} from '../support/runtime-harness';

let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const finished = (e: ThreadEvent) => e.kind === 'task_finished';

async function setup() {
  const { assembled, databaseName } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  return { assembled, databaseName, panel, threadId };
}

/** The harness finds a command's first answer; a re-sent id needs the newest one. */
async function resend(client: TestClient, command: Record<string, unknown>): Promise<RuntimeMessage | undefined> {
  await client.raw(command);
  return client.messages.findLast((m) => (m.type === 'ack' || m.type === 'error') && m.commandId === command.id);
}

function quotaError(): Error {
  const error = new Error('The quota has been exceeded.');
  error.name = 'QuotaExceededError';
  return error;
}

describe('resume decides from the log', () => {
  it('resumes a message whose task had not started when the worker died', async () => {
    const { assembled, databaseName, threadId } = await setup();
    // The worker dies right after the user_message is durable, before the loop starts a task.
    await assembled.log.appendOnce(threadId, 'panel:lost-window', [
      { kind: 'user_message', text: 'Hi', by: { kind: 'panel', clientId: 'p' }, commandId: 'lost-window' },
    ]);
    assembled.db.close();
    server.script([{ kind: 'text', text: 'Answered after the restart.' }]);

    const { assembled: revived } = await startRuntime({ databaseName, baseUrl: server.url, apiKey: server.apiKey });
    expect((await revived.db.threads.get(threadId))?.status).toBe('idle');
    expect(await revived.runtime.resume()).toBe(1);
    const client = connect(revived);
    await client.command({ type: 'thread.subscribe', threadId, afterSeq: 0 });
    await client.waitForEvent(threadId, finished);
    expect(server.requests).toHaveLength(1);
  });

  it('does not resume a thread whose last task finished', async () => {
    const { assembled, databaseName, panel, threadId } = await setup();
    server.script([{ kind: 'text', text: 'Done.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'Hi' });
    await panel.waitForEvent(threadId, finished);
    await assembled.runtime.idle();
    assembled.db.close();
    const { assembled: revived } = await startRuntime({ databaseName, baseUrl: server.url, apiKey: server.apiKey });
    expect(await revived.runtime.resume()).toBe(0);
  });
});

describe('answers whose target is gone', () => {
  it('resolves the decision and tells the model with a tool error', async () => {
    const { assembled, panel, threadId } = await setup();
    let tabOpen = true;
    assembled.tools.register({
      name: 'poke_tab',
      description: 'Pokes a tab.',
      input: z.object({}),
      risk: 'write',
      idempotent: false,
      permission: () => {
        // As the tab tools do: the plan lives in session storage and is gone after a browser restart.
        if (!tabOpen) throw new ToolError('That tab is closed.');
        return { policy: 'notifications', scope: 'tab', title: 'Poke the tab?', detail: 'tab 1' };
      },
      execute: async () => ({ content: [{ type: 'text', text: 'poked' }] }),
    });
    server.script([
      { kind: 'tool_use', name: 'poke_tab', input: {} },
      { kind: 'text', text: 'Understood.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'poke' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    tabOpen = false;
    const answer = await panel.command({
      type: 'decision.answer',
      threadId,
      decisionId: request.decisionId,
      optionId: 'allow_once',
    });
    expect(answer.type).toBe('ack');
    await panel.waitForEvent(threadId, finished);
    const events = await assembled.log.all(threadId);
    expect(events.find((e) => e.kind === 'decision_resolved')).toMatchObject({ allowed: false });
    const result = events.find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ isError: true });
    expect(JSON.stringify(result)).toContain('That tab is closed.');
    expect(JSON.stringify(server.requests[1]?.body?.messages.at(-1))).toContain('That tab is closed.');
  });
});

describe('mutating commands are recorded with their effect', () => {
  it('a thread.create re-sent after the worker died between effect and record creates one thread', async () => {
    const { assembled, panel } = await setup();
    const before = await assembled.db.threads.count();
    const put = assembled.db.commands.put.bind(assembled.db.commands);
    // The worker dies after the thread is written but before its command record is (every attempt).
    assembled.db.commands.put = (() => Promise.reject(new Error('worker died'))) as unknown as typeof put;
    expect(await resend(panel, { id: 'create-1', type: 'thread.create' })).toMatchObject({ type: 'error' });
    assembled.db.commands.put = put;
    const again = await resend(panel, { id: 'create-1', type: 'thread.create' });
    expect(again?.type).toBe('ack');
    expect(await assembled.db.threads.count()).toBe(before + 1);
  });

  it('scopes command ids by client: a phone id never acknowledges a later panel command', async () => {
    const { assembled, panel, threadId } = await setup();
    const phone = connect(assembled, 'phone');
    await phone.command({ id: 'shared-id', type: 'thread.rename', threadId, title: 'From the phone' });
    const renamed = await panel.command({ id: 'shared-id', type: 'thread.rename', threadId, title: 'From the panel' });
    expect(renamed.type).toBe('ack');
    expect((await assembled.db.threads.get(threadId))?.title).toBe('From the panel');
  });
});

describe('storage that fails safe', () => {
  it('answers every command with an error when storage throws, and applies it once storage is back', async () => {
    const { assembled, panel, threadId } = await setup();
    const get = assembled.db.commands.get.bind(assembled.db.commands);
    assembled.db.commands.get = (() => Promise.reject(quotaError())) as unknown as typeof get;
    const failed = await panel.command({ id: 'rename-1', type: 'thread.rename', threadId, title: 'Full' });
    expect(failed).toMatchObject({ type: 'error', code: 'storage' });
    expect((failed as RuntimeMessage & { type: 'error' }).message).toMatch(/storage|space/i);
    assembled.db.commands.get = get;
    const retried = await resend(panel, { id: 'rename-1', type: 'thread.rename', threadId, title: 'Full' });
    expect(retried?.type).toBe('ack');
    expect((await assembled.db.threads.get(threadId))?.title).toBe('Full');
  });

  it('reopens a database whose automatic reopen failed and remembered the failure', async () => {
    const { assembled, panel, threadId } = await setup();
    // What Chromium does after a failed write on a full disk: it closes the database under Dexie...
    assembled.db.close({ disableAutoOpen: false });
    // ...and Dexie's automatic reopen fails while the disk is still full, and that failure is remembered.
    const factory = indexedDB as IDBFactory & { open: IDBFactory['open'] };
    const open = factory.open.bind(factory);
    factory.open = () => {
      throw quotaError();
    };
    await assembled.db.threads.count().catch(() => undefined);
    factory.open = open;
    expect(assembled.db.hasFailed()).toBe(true);
    // Space is back: the next command must work without a worker restart.
    server.script([{ kind: 'text', text: 'Back.' }]);
    const sent = await panel.command({ type: 'message.send', threadId, text: 'after the disk filled' });
    expect(sent.type).toBe('ack');
    await panel.waitForEvent(threadId, finished);
  });

  it('pauses a task whose write fails mid-task, says so, and resumes it on retry', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([
      { kind: 'tool_use', name: 'clock', input: {} },
      { kind: 'text', text: 'It is late.' },
    ]);
    // The disk fills as the tool's result is about to be written: from the transaction after the one
    // writing the assistant message on, IndexedDB refuses every event write (whichever layer issues it:
    // the log's direct transaction or Dexie's).
    const storeAdd = IDBObjectStore.prototype.add;
    let full = false;
    let filledBy: IDBTransaction | undefined;
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (this.name === 'events') {
        if (full && filledBy && this.transaction !== filledBy) throw quotaError();
        if ((value as ThreadEvent).kind === 'assistant_message' && !full) {
          full = true;
          filledBy = this.transaction;
        }
      }
      return storeAdd.call(this, value, key);
    };
    await panel.command({ type: 'message.send', threadId, text: 'time?' });
    await waitUntil(
      () =>
        panel.messages.some((m) => m.type === 'thread.activity' && m.threadId === threadId && m.status === 'paused'),
      10_000,
      'a paused activity',
    );
    const paused = panel.messages.find((m) => m.type === 'thread.activity' && m.status === 'paused');
    expect(paused).toMatchObject({ message: expect.stringMatching(/storage|space/i) });
    await assembled.runtime.idle();
    full = false;
    IDBObjectStore.prototype.add = storeAdd;
    expect((await panel.command({ type: 'task.resume', threadId })).type).toBe('ack');
    await panel.waitForEvent(threadId, finished);
    const events = await assembled.log.all(threadId);
    assertContiguous(events);
    expect(events.filter((e) => e.kind === 'tool_result')).toHaveLength(1);
  });
});

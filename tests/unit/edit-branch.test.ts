/**
 * Editing a sent message (or regenerating its answer) is a new branch of the task: the log keeps
 * the earlier version and its answer, the model is sent only the branch (the history before the
 * edited message, then the new words), decided from the log alone, so a restart mid-branch resumes
 * the same branch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestMessages, stateFromEvents } from '../../extension/runtime/conversation-state';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime } from '../support/runtime-harness';

const by = { kind: 'panel' as const, clientId: 'p' };
const usage = { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

/** A thread's log written by hand: `exchange` appends a user message and its finished answer. */
function log() {
  const events: ThreadEvent[] = [];
  const add = (body: Record<string, unknown>) =>
    events.push({ threadId: 't', seq: events.length + 1, at: 1, ...body } as ThreadEvent);
  const exchange = (text: string, answer: string, replaces?: number) => {
    const userSeq = events.length + 1;
    add({ kind: 'user_message', text, by, commandId: `c${userSeq}`, ...(replaces ? { replaces } : {}) });
    const taskId = `k${userSeq}`;
    add({ kind: 'task_started', taskId });
    add({
      kind: 'assistant_message',
      taskId,
      turnId: `u${userSeq}`,
      model: 'claude-sonnet-5-5',
      content: [{ type: 'text', text: answer }],
      stopReason: 'end_turn',
      usage,
      costUsd: 0,
    });
    add({ kind: 'task_finished', taskId, outcome: 'completed' });
    return userSeq;
  };
  return { events, exchange };
}

const texts = (events: ThreadEvent[]) =>
  requestMessages(stateFromEvents('t', events)).map((m) =>
    m.content.map((b) => (b.type === 'text' ? `${m.role}: ${b.text}` : b.type)).join(' '),
  );

describe('the context of a branch', () => {
  it('after an edit of the first message, is the new message alone: the old answer is not sent', () => {
    const { events, exchange } = log();
    const first = exchange('Capital of France?', 'Paris.');
    exchange('Capital of Italy?', 'Rome.', first);
    expect(texts(events)).toEqual(['user: Capital of Italy?', 'assistant: Rome.']);
  });

  it('after an edit of a later message, keeps what came before it and drops what came after', () => {
    const { events, exchange } = log();
    exchange('One', 'First answer');
    const second = exchange('Two', 'OLD second answer');
    exchange('Three', 'OLD third answer');
    // Only the history before "Two", then the edit (the UI edits the last message; the engine allows any on the branch).
    exchange('Two, edited', 'New second answer', second);
    const sent = texts(events);
    expect(sent).toEqual(['user: One', 'assistant: First answer', 'user: Two, edited', 'assistant: New second answer']);
    expect(sent.join('\n')).not.toContain('OLD');
  });

  it('a regenerate (same words) and an edit of an edit each branch from the same place', () => {
    const { events, exchange } = log();
    exchange('One', 'First answer');
    const two = exchange('Two', 'Answer A');
    const again = exchange('Two', 'Answer B', two);
    exchange('Two!', 'Answer C', again);
    expect(texts(events)).toEqual(['user: One', 'assistant: First answer', 'user: Two!', 'assistant: Answer C']);
  });
});

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const finishedCount = (events: ThreadEvent[]) => events.filter((e) => e.kind === 'task_finished').length;
const userSeqs = (events: ThreadEvent[]) => events.filter((e) => e.kind === 'user_message').map((e) => e.seq);

async function setup() {
  const started = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
  const panel = connect(started.assembled, 'panel');
  const threadId = await newThread(panel);
  return { ...started, panel, threadId };
}

describe('message.edit in the runtime', () => {
  it('sends the model the branch only, keeps the old answer in the log, and regenerates the same way', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'text', text: 'OLD answer about France.' },
      { kind: 'text', text: 'New answer about Italy.' },
      { kind: 'text', text: 'Another answer about Italy.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Tell me about France' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    const [first] = userSeqs(panel.events(threadId));
    if (first === undefined) throw new Error('no user message');

    expect(
      await panel.command({ type: 'message.edit', threadId, replaces: first, text: 'Tell me about Italy' }),
    ).toMatchObject({
      type: 'ack',
    });
    await waitFinished(panel, threadId, 2);
    const branchRequest = JSON.stringify(server.requests[1]?.body?.messages);
    expect(branchRequest).toContain('Tell me about Italy');
    expect(branchRequest).not.toContain('France');

    // Regenerate: the same words again, as another branch from the same place.
    const [, edited] = userSeqs(panel.events(threadId));
    if (edited === undefined) throw new Error('no edit');
    await panel.command({ type: 'message.edit', threadId, replaces: edited, text: 'Tell me about Italy' });
    await waitFinished(panel, threadId, 3);
    const regenerated = server.requests[2]?.body?.messages ?? [];
    expect(regenerated).toHaveLength(1);
    expect(JSON.stringify(regenerated)).not.toContain('New answer');

    // The log keeps every version and every answer.
    const all = JSON.stringify(panel.events(threadId));
    expect(all).toContain('OLD answer about France.');
    expect(all).toContain('New answer about Italy.');
    const edits = panel.events(threadId).filter((e) => e.kind === 'user_message' && e.replaces !== undefined);
    expect(edits.map((e) => e.kind === 'user_message' && e.replaces)).toEqual([first, edited]);
  });

  it('refuses an edit while a task runs, and of a message no longer on the branch', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'text', text: 'Slow answer.', chunkDelayMs: 200, chunkSize: 2 },
      { kind: 'text', text: 'B' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'A' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_started');
    const [first] = userSeqs(panel.events(threadId));
    if (first === undefined) throw new Error('no user message');
    expect(await panel.command({ type: 'message.edit', threadId, replaces: first, text: 'A2' })).toMatchObject({
      type: 'error',
      code: 'busy',
    });
    await panel.command({ type: 'task.stop', threadId });
    await waitFinished(panel, threadId, 1);
    await panel.command({ type: 'message.edit', threadId, replaces: first, text: 'A2' });
    await waitFinished(panel, threadId, 2);
    // The first version was replaced: it cannot be edited again, its newer version can.
    expect(await panel.command({ type: 'message.edit', threadId, replaces: first, text: 'A3' })).toMatchObject({
      type: 'error',
      code: 'invalid_command',
    });
  });

  it('edits only the last message of the branch: a stale edit (a phone offline meanwhile) cuts nothing', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'text', text: 'Answer one.' },
      { kind: 'text', text: 'Answer two.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'One' });
    await waitFinished(panel, threadId, 1);
    await panel.command({ type: 'message.send', threadId, text: 'Two' });
    await waitFinished(panel, threadId, 2);
    const [first] = userSeqs(panel.events(threadId));
    if (first === undefined) throw new Error('no user message');
    expect(await panel.command({ type: 'message.edit', threadId, replaces: first, text: 'One, again' })).toMatchObject({
      type: 'error',
      code: 'invalid_command',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('resumes a branch after the worker died mid-branch, from the log alone', async () => {
    const { assembled, databaseName, panel, threadId } = await setup();
    server.script([{ kind: 'text', text: 'OLD answer.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'First words' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    const [first] = userSeqs(panel.events(threadId));
    // The edit and its task's start are durable; then the worker dies before the model call.
    await assembled.log.append(threadId, [
      { kind: 'user_message', text: 'Edited words', by, commandId: 'edit-1', replaces: first },
      { kind: 'task_started', taskId: 'branch-task' },
    ]);
    assembled.db.close();

    server.script([{ kind: 'text', text: 'Answer on the branch.' }]);
    const { assembled: revived } = await startRuntime({ databaseName, baseUrl: server.url, apiKey: server.apiKey });
    expect(await revived.runtime.resume()).toBe(1);
    const client = connect(revived);
    await client.command({ type: 'thread.subscribe', threadId, afterSeq: 0 });
    await waitFinished(client, threadId, 2);
    const sent = JSON.stringify(server.requests.at(-1)?.body?.messages);
    expect(sent).toContain('Edited words');
    expect(sent).not.toContain('First words');
    expect(sent).not.toContain('OLD answer');
  });
});

async function waitFinished(client: ReturnType<typeof connect>, threadId: string, count: number): Promise<void> {
  const started = Date.now();
  while (finishedCount(client.events(threadId)) < count) {
    if (Date.now() - started > 15_000) throw new Error(`task ${count} did not finish`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

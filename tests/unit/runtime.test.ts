import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { assertContiguous, connect, newThread, startRuntime, waitUntil } from '../support/runtime-harness';

let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function setup(capUsd?: number) {
  const { assembled, databaseName } = await startRuntime({
    baseUrl: server.url,
    apiKey: server.apiKey,
    ...(capUsd === undefined ? {} : { capUsd }),
  });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  return { assembled, databaseName, panel, threadId };
}

const finished = (e: ThreadEvent) => e.kind === 'task_finished';
const kinds = (events: readonly ThreadEvent[]) => events.map((e) => e.kind);

describe('runtime', () => {
  it('streams an answer into the durable log and to the client, in order, once', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([{ kind: 'text', text: 'Hello there, this is a streamed answer.', chunkSize: 4, chunkDelayMs: 2 }]);
    await panel.command({ type: 'message.send', threadId, text: 'Hi' });
    await panel.waitForEvent(threadId, finished);
    const received = panel.events(threadId);
    assertContiguous(received);
    expect(received).toEqual(await assembled.log.all(threadId));
    expect(kinds(received)).toEqual(
      expect.arrayContaining([
        'user_message',
        'task_started',
        'turn_started',
        'text',
        'assistant_message',
        'task_finished',
      ]),
    );
    const text = received.filter((e) => e.kind === 'text').map((e) => (e.kind === 'text' ? e.text : ''));
    expect(text.join('')).toBe('Hello there, this is a streamed answer.');
    const final = received.find((e) => e.kind === 'assistant_message');
    expect(final?.kind === 'assistant_message' && final.usage.outputTokens).toBeGreaterThan(0);
    const thread = await assembled.db.threads.get(threadId);
    expect(thread).toMatchObject({ status: 'idle', title: 'Hi' });
    expect(thread?.costUsd).toBeGreaterThan(0);
  });

  it('runs a tool round trip and sends the result back to the model', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([
      { kind: 'tool_use', name: 'clock', input: { timeZone: 'UTC' }, text: 'Let me look.' },
      { kind: 'text', text: 'It is now.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'What time is it?' });
    await panel.waitForEvent(threadId, finished);
    const second = server.requests[1]?.body;
    const lastMessage = JSON.stringify(second?.messages.at(-1));
    expect(lastMessage).toContain('tool_result');
    expect(lastMessage).toContain('UTC');
    const audit = await assembled.audit.list(threadId, 10);
    expect(audit).toEqual([expect.objectContaining({ tool: 'clock', decision: 'auto', outcome: 'ok' })]);
  });

  it('returns invalid tool input to the model as a tool error instead of crashing', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'tool_use', name: 'clock', input: { timeZone: 42 } },
      { kind: 'text', text: 'Sorry.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'time' });
    await panel.waitForEvent(threadId, finished);
    const result = panel.events(threadId).find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ isError: true });
    expect(JSON.stringify(result)).toContain('Invalid input for clock');
    expect(JSON.stringify(server.requests[1]?.body?.messages.at(-1))).toContain('is_error');
  });

  it('applies a re-sent command once', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([{ kind: 'text', text: 'once' }]);
    const first = await panel.command({ id: 'same-id', type: 'message.send', threadId, text: 'Hi' });
    const second = await panel.command({ id: 'same-id', type: 'message.send', threadId, text: 'Hi' });
    expect(first.type).toBe('ack');
    expect(second.type).toBe('ack');
    await panel.waitForEvent(threadId, finished);
    await assembled.runtime.idle();
    const users = (await assembled.log.all(threadId)).filter((e) => e.kind === 'user_message');
    expect(users).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
  });

  it('subscribing after a seq returns exactly the missed events, then live ones', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([
      { kind: 'text', text: 'one' },
      { kind: 'text', text: 'two' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'first' });
    await panel.waitForEvent(threadId, finished);
    const seen = panel.events(threadId).length;
    const phone = connect(assembled, 'phone');
    await phone.command({ type: 'thread.subscribe', threadId, afterSeq: 3 });
    expect(phone.events(threadId).map((e) => e.seq)).toEqual(Array.from({ length: seen - 3 }, (_, i) => i + 4));
    await panel.command({ type: 'message.send', threadId, text: 'second' });
    await phone.waitForEvent(threadId, (e) => e.kind === 'task_finished' && e.seq > seen);
    assertContiguous(phone.events(threadId), 4);
    expect(phone.events(threadId)).toEqual((await assembled.log.all(threadId)).slice(3));
  });

  it('asks for permission durably and takes the answer from another client', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'All set' } },
      { kind: 'text', text: 'Notified.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Ping me' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    expect(request.options.map((o) => o.id)).toEqual(['allow_once', 'allow_always', 'deny', 'deny_always']);
    expect((await assembled.db.threads.get(threadId))?.status).toBe('waiting');

    const phone = connect(assembled, 'phone');
    const wrong = await phone.command({
      type: 'decision.answer',
      threadId,
      decisionId: 'nope',
      optionId: 'allow_once',
    });
    expect(wrong).toMatchObject({ type: 'error', code: 'unknown_decision' });
    const bogus = await phone.command({
      type: 'decision.answer',
      threadId,
      decisionId: request.decisionId,
      optionId: 'yes!',
    });
    expect(bogus).toMatchObject({ type: 'error', code: 'unknown_decision' });
    const ok = await phone.command({
      type: 'decision.answer',
      threadId,
      decisionId: request.decisionId,
      optionId: 'allow_once',
    });
    expect(ok.type).toBe('ack');
    await panel.waitForEvent(threadId, finished);
    const resolved = panel.events(threadId).find((e) => e.kind === 'decision_resolved');
    expect(resolved).toMatchObject({ by: { kind: 'phone' }, allowed: true });
    expect(panel.events(threadId).find((e) => e.kind === 'tool_result')).toMatchObject({ isError: false });
    expect(await assembled.audit.list(threadId, 5)).toEqual([
      expect.objectContaining({ tool: 'notify_user', decision: 'allowed', decidedBy: 'phone', outcome: 'ok' }),
    ]);
  });

  it('a denied tool call becomes a tool error for the model', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'x', message: 'y' } },
      { kind: 'text', text: 'OK, I will not.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Ping me' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await panel.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'deny' });
    await panel.waitForEvent(threadId, finished);
    expect(JSON.stringify(server.requests[1]?.body?.messages.at(-1))).toContain('did not allow');
  });

  it('shows a bad key clearly and does not retry it', async () => {
    const { assembled, panel, threadId } = await setup();
    await assembled.settings.update({ apiKey: 'wrong-key' });
    await panel.command({ type: 'message.send', threadId, text: 'Hi' });
    const done = await panel.waitForEvent(threadId, finished);
    expect(done).toMatchObject({ outcome: 'failed' });
    const error = panel.events(threadId).find((e) => e.kind === 'error');
    expect(error).toMatchObject({ errorKind: 'auth', status: 401 });
    expect(error?.kind === 'error' && error.message).toContain('Settings');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 after retry-after and a 529 with backoff, then succeeds', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'error', errorType: 'rate_limit_error', message: 'Slow down', retryAfterSeconds: 0 },
      { kind: 'error', errorType: 'overloaded_error', message: 'Busy', retryAfterSeconds: 0 },
      { kind: 'text', text: 'Finally.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Hi' });
    await panel.waitForEvent(threadId, finished);
    const retries = panel.events(threadId).filter((e) => e.kind === 'retry_scheduled');
    expect(retries.map((e) => e.kind === 'retry_scheduled' && e.errorKind)).toEqual(['rate_limited', 'overloaded']);
    expect(panel.events(threadId).find(finished)).toMatchObject({ outcome: 'completed' });
    expect(server.requests).toHaveLength(3);
  });

  it('pauses and retries while the network is down, then carries on', async () => {
    const offline = await startModelServer({ minCacheableTokens: 0 });
    const { port, url, apiKey } = offline;
    await offline.close(); // nothing listens on this port now: connections are refused
    const { assembled, panel, threadId } = await setup();
    await assembled.settings.update({ baseUrl: url, apiKey });
    await panel.command({ type: 'message.send', threadId, text: 'Hi' });
    const retry = await panel.waitForEvent(threadId, (e) => e.kind === 'retry_scheduled');
    expect(retry).toMatchObject({ errorKind: 'network' });
    const back = await startModelServer({ minCacheableTokens: 0, port, apiKey });
    try {
      back.script([{ kind: 'text', text: 'Back online.' }]);
      const done = await panel.waitForEvent(threadId, finished, 20_000);
      expect(done).toMatchObject({ outcome: 'completed' });
      expect(JSON.stringify(panel.events(threadId))).toContain('Back online.');
    } finally {
      await back.close();
    }
  });

  it('a mid-stream error discards the partial turn and retries', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'stream_error', afterText: 'half an ans', errorType: 'overloaded_error', message: 'Overloaded' },
      { kind: 'text', text: 'Whole answer.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Hi' });
    await panel.waitForEvent(threadId, finished);
    const events = panel.events(threadId);
    expect(kinds(events)).toContain('turn_discarded');
    expect(JSON.stringify(server.requests[1]?.body)).not.toContain('half an ans');
  });

  it('stop aborts the stream at once and keeps what was received', async () => {
    const { panel, threadId } = await setup();
    server.script([{ kind: 'hang', afterText: 'I was saying' }]);
    await panel.command({ type: 'message.send', threadId, text: 'Talk' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'text');
    const started = Date.now();
    await panel.command({ type: 'task.stop', threadId });
    const done = await panel.waitForEvent(threadId, finished);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(done).toMatchObject({ outcome: 'stopped' });
    const message = panel.events(threadId).find((e) => e.kind === 'assistant_message');
    expect(message).toMatchObject({ stopReason: 'user_stopped', content: [{ type: 'text', text: 'I was saying' }] });
  });

  it('records max_tokens and refusal as outcomes', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'stop_reason', stopReason: 'max_tokens', text: 'cut' },
      { kind: 'stop_reason', stopReason: 'refusal', text: 'no' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'a' });
    await panel.waitForEvent(threadId, finished);
    await panel.command({ type: 'message.send', threadId, text: 'b' });
    await waitUntil(() => panel.events(threadId).filter(finished).length === 2);
    expect(
      panel
        .events(threadId)
        .filter(finished)
        .map((e) => e.kind === 'task_finished' && e.outcome),
    ).toEqual(['max_tokens', 'refusal']);
  });

  it('pauses at the spending cap with a continue/stop decision', async () => {
    const { panel, threadId } = await setup(0.000001);
    server.script([
      { kind: 'tool_use', name: 'clock', input: {} },
      { kind: 'text', text: 'Done' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'time' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    expect(request).toMatchObject({ topic: 'budget' });
    expect(server.requests).toHaveLength(1);
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await panel.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'stop' });
    expect(await panel.waitForEvent(threadId, finished)).toMatchObject({ outcome: 'budget_stopped' });
    expect(server.requests).toHaveLength(1);
  });

  it('resumes after the host dies mid-stream: the open turn is re-issued, nothing is duplicated', async () => {
    const { assembled, databaseName, panel, threadId } = await setup();
    server.script([
      { kind: 'hang', afterText: 'Partial' },
      { kind: 'text', text: 'Complete answer.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Hi' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'text');
    assembled.db.close(); // the host dies: nothing more reaches the database

    const { assembled: revived } = await startRuntime({ databaseName, baseUrl: server.url, apiKey: server.apiKey });
    const client = connect(revived);
    await revived.runtime.resume();
    await client.command({ type: 'thread.subscribe', threadId, afterSeq: 0 });
    await client.waitForEvent(threadId, finished);
    const events = await revived.log.all(threadId);
    assertContiguous(events);
    expect(kinds(events).filter((k) => k === 'user_message')).toHaveLength(1);
    expect(events.find((e) => e.kind === 'turn_discarded')).toMatchObject({ reason: 'interrupted' });
    expect(events.filter((e) => e.kind === 'assistant_message')).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });

  it('resumes after the host dies mid-tool without re-running a completed tool', async () => {
    const { assembled, databaseName, panel, threadId } = await setup();
    server.script([
      {
        kind: 'blocks',
        blocks: [
          { type: 'tool_use', name: 'clock', input: {} },
          { type: 'tool_use', name: 'clock', input: { timeZone: 'UTC' } },
        ],
      },
      { kind: 'text', text: 'Both done.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'time twice' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'tool_result');
    assembled.db.close();
    const durable = await (async () => {
      const { assembled: peek } = await startRuntime({ databaseName, baseUrl: server.url, apiKey: server.apiKey });
      const events = await peek.log.all(threadId);
      peek.db.close();
      return events;
    })();
    const resultsBefore = durable.filter((e) => e.kind === 'tool_result').length;
    expect(resultsBefore).toBeGreaterThanOrEqual(1);

    const { assembled: revived } = await startRuntime({ databaseName, baseUrl: server.url, apiKey: server.apiKey });
    await revived.runtime.resume();
    await waitUntil(() => revived.runtime.hub.size >= 0);
    const client = connect(revived);
    await client.command({ type: 'thread.subscribe', threadId, afterSeq: 0 });
    await client.waitForEvent(threadId, finished);
    const events = await revived.log.all(threadId);
    assertContiguous(events);
    const results = events.filter((e) => e.kind === 'tool_result');
    expect(results).toHaveLength(2);
    expect(new Set(results.map((e) => e.kind === 'tool_result' && e.toolUseId)).size).toBe(2);
  });

  it('refuses phone access to settings', async () => {
    const { assembled } = await setup();
    const phone = connect(assembled, 'phone');
    expect(await phone.command({ type: 'settings.get' })).toMatchObject({ type: 'error', code: 'not_allowed' });
    const panel = connect(assembled, 'panel');
    await panel.command({ type: 'settings.get' });
    const settings = panel.messages.find((m) => m.type === 'settings');
    expect(settings).toMatchObject({ settings: { apiKeySet: true } });
    expect(JSON.stringify(settings)).not.toContain(server.apiKey);
  });

  it('manages threads: rename, archive, delete', async () => {
    const { assembled, panel, threadId } = await setup();
    await panel.command({ type: 'thread.rename', threadId, title: 'Renamed' });
    await panel.command({ type: 'thread.archive', threadId, archived: true });
    expect(await assembled.db.threads.get(threadId)).toMatchObject({ title: 'Renamed', archived: true });
    await panel.command({ type: 'thread.delete', threadId });
    expect(await assembled.db.threads.get(threadId)).toBeUndefined();
    expect(await assembled.log.all(threadId)).toEqual([]);
    expect(panel.messages.some((m) => m.type === 'thread.deleted' && m.threadId === threadId)).toBe(true);
    expect(await panel.command({ type: 'message.send', threadId, text: 'x' })).toMatchObject({
      code: 'unknown_thread',
    });
  });
});

/**
 * What a real model and a real network do to a thread, against the runtime with
 * the real SDK and the faithful stand-in: each case must end with the thread
 * still usable (issue 17, items 3-8).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildThreadView } from '../../shared/conversation/thread-view';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime, waitUntil } from '../support/runtime-harness';

let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

async function setup() {
  const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  return { assembled, panel, threadId };
}

const finishedCount = (events: readonly ThreadEvent[]) => events.filter((e) => e.kind === 'task_finished').length;
const outcomes = (events: readonly ThreadEvent[]) =>
  events.flatMap((e) => (e.kind === 'task_finished' ? [e.outcome] : []));
const errors = (events: readonly ThreadEvent[]) =>
  events.flatMap((e) => (e.kind === 'error' ? [e.message] : e.kind === 'retry_scheduled' ? [e.message] : []));

async function send(panel: ReturnType<typeof connect>, threadId: string, text: string, timeoutMs = 15_000) {
  const before = finishedCount(panel.events(threadId));
  await panel.command({ type: 'message.send', threadId, text });
  await waitUntil(() => finishedCount(panel.events(threadId)) > before, timeoutMs, `task for "${text}"`);
  return outcomes(panel.events(threadId)).at(-1);
}

describe('never sends what the API rejects', () => {
  it('drops a whitespace-only text block streamed before a tool_use', async () => {
    const { panel, threadId } = await setup();
    server.script([
      {
        kind: 'blocks',
        blocks: [
          { type: 'text', text: '\n\n' },
          { type: 'tool_use', name: 'clock', input: {} },
        ],
      },
      { kind: 'text', text: 'It is late.' },
    ]);
    expect(await send(panel, threadId, 'time?')).toBe('completed');
    expect(server.requests[1]?.status).toBe(200);
  });

  it('a turn that stopped after only whitespace does not poison the next request', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'text', text: '\n\n' },
      { kind: 'text', text: 'Now I answer.' },
    ]);
    await send(panel, threadId, 'first');
    expect(await send(panel, threadId, 'second')).toBe('completed');
    expect(server.requests[1]?.status).toBe(200);
    expect(JSON.stringify(panel.events(threadId))).toContain('Now I answer.');
  });
});

describe('refusal', () => {
  it('leaves the refused exchange out of later requests, tells the user, and a rephrased message is answered', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'stop_reason', stopReason: 'refusal', text: 'I cannot help with that.' },
      { kind: 'text', text: 'Sure, here is the safe version.' },
    ]);
    expect(await send(panel, threadId, 'Do the bad thing')).toBe('refusal');
    const view = buildThreadView(panel.events(threadId));
    const notice = view.items.findLast((item) => item.kind === 'notice');
    expect(notice?.kind === 'notice' && notice.text).toMatch(/rephrase/i);
    expect(await send(panel, threadId, 'Do a safe thing')).toBe('completed');
    const second = JSON.stringify(server.requests[1]?.body?.messages);
    expect(second).not.toContain('Do the bad thing');
    expect(second).toContain('Do a safe thing');
    expect(server.requests[1]?.answeredBy?.source).toBe('script');
  });
});

describe('stop reasons that are not the end', () => {
  it('pause_turn continues the turn instead of completing the task', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'stop_reason', stopReason: 'pause_turn', text: 'Searching the web' },
      { kind: 'text', text: 'Found it.' },
    ]);
    expect(await send(panel, threadId, 'look it up')).toBe('completed');
    expect(server.requests).toHaveLength(2);
    const last = server.requests[1]?.body?.messages.at(-1);
    expect(last?.role).toBe('assistant');
    expect(JSON.stringify(last)).toContain('Searching the web');
  });
});

describe('stream faults', () => {
  it('a stalled stream is aborted after the idle timeout and retried as a network error', async () => {
    const { assembled, panel, threadId } = await setup();
    await assembled.settings.update({ streamIdleTimeoutMs: 400 });
    server.script([
      { kind: 'hang', afterText: 'I was saying' },
      { kind: 'text', text: 'Recovered.' },
    ]);
    expect(await send(panel, threadId, 'talk')).toBe('completed');
    const retry = panel.events(threadId).find((e) => e.kind === 'retry_scheduled');
    expect(retry).toMatchObject({ errorKind: 'network' });
    expect(server.requests[0]?.outcome).toBe('client_closed');
    expect(JSON.stringify(server.requests[1]?.body)).not.toContain('I was saying');
  });

  it('pings count as life: a slow stream that keeps pinging is not cut', async () => {
    const { assembled, panel, threadId } = await setup();
    await assembled.settings.update({ streamIdleTimeoutMs: 400 });
    server.script([{ kind: 'text', text: 'slow but alive', chunkSize: 5, chunkDelayMs: 700, pingEveryMs: 100 }]);
    expect(await send(panel, threadId, 'talk')).toBe('completed');
    expect(panel.events(threadId).some((e) => e.kind === 'retry_scheduled')).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it.each(['reset', 'eof'] as const)('a stream cut mid-answer (%s) is retried as a network error', async (ending) => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'cut', afterText: 'half an answer', ending },
      { kind: 'text', text: 'Whole answer.' },
    ]);
    expect(await send(panel, threadId, 'talk')).toBe('completed');
    const retry = panel.events(threadId).find((e) => e.kind === 'retry_scheduled');
    expect(retry).toMatchObject({ errorKind: 'network' });
    // The partial output of the cut turn is discarded, not sent back as if it had been said.
    expect(JSON.stringify(server.requests[1]?.body)).not.toContain('half an answer');
  });
});

describe('error texts a person can act on', () => {
  it('403 says the key lacks access, not that it was refused', async () => {
    const { panel, threadId } = await setup();
    server.script([{ kind: 'error', errorType: 'permission_error', message: 'Your API key does not have permission' }]);
    await send(panel, threadId, 'hi');
    const [message] = errors(panel.events(threadId));
    expect(message).not.toMatch(/key was refused/i);
    expect(message).toMatch(/does not have access|no access|permission/i);
  });

  it('404 names the model and where to change it', async () => {
    const { panel, threadId } = await setup();
    server.script([{ kind: 'error', errorType: 'not_found_error', message: 'model: claude-sonnet-5-5' }]);
    await send(panel, threadId, 'hi');
    const [message] = errors(panel.events(threadId));
    expect(message).toContain('claude-sonnet-5-5');
    expect(message).toMatch(/Settings/);
  });

  it('413 shrinks the request and tries again instead of failing for good', async () => {
    const { panel, threadId } = await setup();
    server.script([
      {
        kind: 'error',
        errorType: 'request_too_large',
        message: 'Request exceeds the maximum allowed number of bytes.',
      },
      { kind: 'text', text: 'Made it.' },
    ]);
    expect(await send(panel, threadId, 'hi')).toBe('completed');
    expect(errors(panel.events(threadId))[0]).toMatch(/too large/i);
  });

  it('an empty end_turn after tool results shows something', async () => {
    const { panel, threadId } = await setup();
    server.script([
      { kind: 'tool_use', name: 'clock', input: {} },
      { kind: 'text', text: '' },
    ]);
    expect(await send(panel, threadId, 'time?')).toBe('completed');
    const view = buildThreadView(panel.events(threadId));
    const last = view.items.at(-1);
    expect(last?.kind).toBe('notice');
    expect(last?.kind === 'notice' && last.text).toMatch(/without (a|any) (reply|answer)/i);
  });
});

describe('unreachable API', () => {
  it('one card per task naming the URL, bounded retries, then a retry/stop decision; Retry now reaches it again', async () => {
    const offline = await startModelServer({ minCacheableTokens: 0 });
    try {
      await offline.unreachable();
      const { assembled, panel, threadId } = await setup();
      await assembled.settings.update({ baseUrl: offline.url, apiKey: offline.apiKey, unreachableGiveUpMs: 4_000 });
      await panel.command({ type: 'message.send', threadId, text: 'Hi' });
      const decision = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested', 20_000);
      expect(decision).toMatchObject({ topic: 'connection', title: `Can't reach ${offline.url}` });
      if (decision.kind !== 'decision_requested') throw new Error('unreachable');
      expect(decision.options.map((option) => option.id)).toEqual(['retry', 'stop']);

      const events = panel.events(threadId);
      const retries = events.filter((e) => e.kind === 'retry_scheduled');
      expect(retries.length).toBeGreaterThan(1);
      expect(retries.every((e) => e.kind === 'retry_scheduled' && e.message.includes(offline.url))).toBe(true);
      const view = buildThreadView(events);
      const cards = view.items.filter((item) => item.kind === 'notice');
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({ actions: ['retry_now', 'settings'] });
      expect(events.some((e) => e.kind === 'task_finished')).toBe(false);

      // Back online; "Retry" on the decision carries on, with a fresh bounded run of retries.
      await offline.reachable();
      offline.script([{ kind: 'text', text: 'Back online.' }]);
      await panel.command({ type: 'decision.answer', threadId, decisionId: decision.decisionId, optionId: 'retry' });
      const done = await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished', 15_000);
      expect(done).toMatchObject({ outcome: 'completed' });
    } finally {
      await offline.close();
    }
  });

  it('"Retry now" ends the wait at once', async () => {
    const offline = await startModelServer({ minCacheableTokens: 0 });
    try {
      await offline.unreachable();
      const { assembled, panel, threadId } = await setup();
      await assembled.settings.update({ baseUrl: offline.url, apiKey: offline.apiKey });
      await panel.command({ type: 'message.send', threadId, text: 'Hi' });
      // The fourth wait is 4-8 s long: long enough to tell "at once" from "when the wait ended".
      const retry = await panel.waitForEvent(threadId, (e) => e.kind === 'retry_scheduled' && e.attempt === 4, 20_000);
      if (retry.kind !== 'retry_scheduled') throw new Error('unreachable');
      await offline.reachable();
      offline.script([{ kind: 'text', text: 'Right away.' }]);
      const pressed = Date.now();
      await panel.command({ type: 'task.retryNow', threadId });
      await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished', 15_000);
      expect(Date.now() - pressed).toBeLessThan(retry.delayMs * 0.75);
    } finally {
      await offline.close();
    }
  });
});

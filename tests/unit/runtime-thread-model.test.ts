import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RuntimeMessage, ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime } from '../support/runtime-harness';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const finished = (e: ThreadEvent) => e.kind === 'task_finished';
const lastModels = (messages: RuntimeMessage[]) => messages.filter((m) => m.type === 'models').at(-1);

describe('model catalogue and per-thread model', () => {
  it('lists every model the Models API pages out, with prices from the table and unknown ones marked', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const phone = connect(assembled, 'phone');
    expect((await phone.command({ type: 'models.list' })).type).toBe('ack');
    const list = lastModels(phone.messages);
    expect(list).toMatchObject({ type: 'models', source: 'api', defaultModel: 'claude-sonnet-5-5' });
    if (list?.type !== 'models') throw new Error('no models');
    expect(list.models.map((m) => m.id)).toEqual([
      'claude-sonnet-5-5',
      'claude-opus-5-5',
      'claude-haiku-4-5',
      'claude-sonnet-4-5',
      'claude-opus-4-1',
      'claude-nimbus-1',
    ]);
    expect(list.models[2]).toEqual({
      id: 'claude-haiku-4-5',
      displayName: 'Claude Haiku 4.5',
      price: { inputPerMTok: 1, outputPerMTok: 5 },
    });
    expect(list.models.at(-1)?.price).toBeNull();

    // Offline: the list fetched before stays, with the reason a refresh failed.
    await server.unreachable();
    try {
      await phone.command({ type: 'models.list', refresh: true });
      const stale = lastModels(phone.messages);
      expect(stale).toMatchObject({ source: 'api', problem: expect.stringContaining('reach') });
    } finally {
      await server.reachable();
    }
  });

  it('falls back to the built-in list when the API refuses the key', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: 'not-the-key' });
    const panel = connect(assembled, 'panel');
    await panel.command({ type: 'models.list' });
    const list = lastModels(panel.messages);
    expect(list).toMatchObject({ source: 'builtin', problem: expect.stringContaining('refused') });
    if (list?.type !== 'models') throw new Error('no models');
    expect(list.models.length).toBeGreaterThan(0);
    expect(list.models.every((m) => m.price !== null)).toBe(true);
  });

  it("uses a thread's own model from its next turn on, leaving other threads on the default", async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const chosen = await newThread(panel);
    const other = await newThread(panel);
    await panel.command({ type: 'message.send', threadId: chosen, text: 'first' });
    await panel.waitForEvent(chosen, finished);
    expect(await panel.command({ type: 'thread.setModel', threadId: chosen, model: 'claude-haiku-4-5' })).toMatchObject(
      { type: 'ack' },
    );
    const threads = panel.messages.filter((m) => m.type === 'threads').at(-1);
    expect(threads?.type === 'threads' && threads.threads.find((t) => t.id === chosen)?.model).toBe('claude-haiku-4-5');
    await panel.command({ type: 'message.send', threadId: chosen, text: 'second' });
    await panel.waitForEvent(chosen, (e) => finished(e) && e.seq > 6);
    await panel.command({ type: 'message.send', threadId: other, text: 'elsewhere' });
    await panel.waitForEvent(other, finished);
    expect(server.requests.map((r) => r.body?.model)).toEqual([
      'claude-sonnet-5-5',
      'claude-haiku-4-5',
      'claude-sonnet-5-5',
    ]);
    const answers = (await assembled.log.all(chosen)).filter((e) => e.kind === 'assistant_message');
    expect(answers.map((e) => (e.kind === 'assistant_message' ? e.model : ''))).toEqual([
      'claude-sonnet-5-5',
      'claude-haiku-4-5',
    ]);
    // Back to the default.
    await panel.command({ type: 'thread.setModel', threadId: chosen, model: null });
    expect((await assembled.db.threads.get(chosen))?.model).toBeUndefined();
  });

  it('lets a phone pick a priced model but not one whose cost the spending cap cannot know', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    const phone = connect(assembled, 'phone');
    await phone.command({ type: 'models.list' });
    expect(await phone.command({ type: 'thread.setModel', threadId, model: 'claude-opus-5-5' })).toMatchObject({
      type: 'ack',
    });
    expect(await phone.command({ type: 'thread.setModel', threadId, model: 'claude-nimbus-1' })).toMatchObject({
      type: 'error',
      code: 'not_allowed',
    });
    expect(await panel.command({ type: 'thread.setModel', threadId, model: 'claude-nimbus-1' })).toMatchObject({
      type: 'ack',
    });
    expect(await phone.command({ type: 'thread.setModel', threadId, model: 'bad model!' })).toMatchObject({
      type: 'error',
      code: 'invalid_command',
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime } from '../support/runtime-harness';

/** A small deterministic PRNG so a failure can be replayed from its seed. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  'threads.list',
  'thread.create',
  'thread.rename',
  'thread.archive',
  'thread.delete',
  'thread.subscribe',
  'thread.unsubscribe',
  'thread.history',
  'message.send',
  'task.stop',
  'decision.answer',
  'settings.get',
  'settings.update',
  'settings.checkKey',
  'audit.list',
  'bogus',
  '',
  '__proto__',
];

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());

describe('runtime fuzz', () => {
  it('answers 10,000 random and malformed commands without crashing', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261125);
    const random = mulberry32(seed);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    // A phone client: message.send would start real tasks, so keep those rare and valid ones stoppable.
    const client = connect(assembled, 'phone');
    const threadId = await newThread(connect(assembled, 'panel'));
    const junk = (): unknown =>
      pick([
        null,
        undefined,
        42,
        -1,
        1e308,
        'text',
        '',
        [],
        [1, 2],
        {},
        { nested: { deep: [null] } },
        'x'.repeat(300_000),
        threadId,
        true,
      ]);
    let answered = 0;
    for (let i = 0; i < 10_000; i++) {
      const roll = random();
      let command: unknown;
      if (roll < 0.05) command = junk();
      else {
        const base: Record<string, unknown> = { type: pick(TYPES), id: random() < 0.9 ? `f${i}` : junk() };
        for (const key of [
          'threadId',
          'text',
          'title',
          'afterSeq',
          'tail',
          'decisionId',
          'optionId',
          'patch',
          'archived',
          'beforeSeq',
          'limit',
        ]) {
          if (random() < 0.4) base[key] = random() < 0.5 ? junk() : key === 'threadId' ? threadId : `v${i}`;
        }
        // Keep real model traffic bounded: a message.send is allowed to start a task only rarely.
        if (base.type === 'message.send' && random() < 0.97) base.text = junk();
        command = base;
      }
      const before = client.messages.length;
      await client.raw(command);
      const replies = client.messages.slice(before).filter((m) => m.type === 'ack' || m.type === 'error');
      if (replies.length >= 1) answered++;
      else throw new Error(`Command ${i} (seed ${seed}) got no answer: ${JSON.stringify(command)?.slice(0, 200)}`);
    }
    expect(answered).toBe(10_000);
    // Still healthy afterwards: a normal round trip works.
    await assembled.runtime.idle();
    const panel = connect(assembled, 'panel');
    expect(await panel.command({ type: 'threads.list' })).toMatchObject({ type: 'ack' });
  });
});

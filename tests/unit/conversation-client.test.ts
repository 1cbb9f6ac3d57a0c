/**
 * The shared client (panel and phone) against the real runtime over a transport
 * that can be cut at any moment: what it shows must equal the durable log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssembledRuntime } from '../../extension/runtime/assemble';
import { ConversationClient } from '../../shared/client/conversation-client';
import type { Transport, TransportState } from '../../shared/client/transport';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { startRuntime, waitUntil } from '../support/runtime-harness';

/** A transport whose link the test can drop and restore; messages in flight when it drops are lost. */
class FlakyTransport implements Transport {
  state: TransportState = 'connecting';
  private link: ReturnType<AssembledRuntime['runtime']['attach']> | undefined;
  private readonly messageListeners = new Set<(m: unknown) => void>();
  private readonly stateListeners = new Set<(s: TransportState) => void>();
  sent = 0;

  constructor(private readonly assembled: AssembledRuntime) {}

  up(): void {
    // Each connection is a new client of the runtime, as after a real reconnect.
    const generation = {};
    this.current = generation;
    this.link = this.assembled.runtime.attach('phone', (message) => {
      if (this.current !== generation) return; // delivered to a dead link: lost
      const copy = structuredClone(message);
      queueMicrotask(() => {
        if (this.current === generation) for (const l of this.messageListeners) l(copy);
      });
    });
    this.setState('open');
  }

  private current: object | undefined;

  down(): void {
    this.link?.detach();
    this.link = undefined;
    this.current = undefined;
    this.setState('connecting');
  }

  send(message: unknown): void {
    if (!this.link) throw new Error('link down');
    this.sent++;
    void this.link.receive(structuredClone(message));
  }

  onMessage(listener: (m: unknown) => void) {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onState(listener: (s: TransportState) => void) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.down();
  }

  private setState(state: TransportState) {
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }
}

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());

describe('conversation client over a flaky link', () => {
  it('shows exactly the durable log after drops at random points during streaming', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const transport = new FlakyTransport(assembled);
    const client = new ConversationClient(transport);
    transport.up();
    const threadId = await client.send({ type: 'thread.create' });
    if (!threadId) throw new Error('no thread');
    client.subscribe(threadId);
    server.script([
      { kind: 'text', text: 'word '.repeat(300), chunkSize: 3, chunkDelayMs: 1 },
      { kind: 'tool_use', name: 'clock', input: {} },
      { kind: 'text', text: 'done '.repeat(100), chunkSize: 2, chunkDelayMs: 1 },
    ]);
    await client.send({ type: 'message.send', threadId, text: 'first' });
    // Drop the link 20 times while the answer streams, for a random few ms each time.
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 5 + random() * 30));
      transport.down();
      await new Promise((r) => setTimeout(r, random() * 20));
      transport.up();
    }
    // A command sent while the link is down is delivered after it comes back, once.
    transport.down();
    const second = client.send({ type: 'message.send', threadId, text: 'second' });
    transport.up();
    await second;
    await waitUntil(
      () => client.events(threadId).filter((e) => e.kind === 'task_finished').length === 2,
      30_000,
      'both tasks',
    );
    await assembled.runtime.idle();
    const log = await assembled.log.all(threadId);
    expect(client.events(threadId)).toEqual(log);
    expect(log.filter((e) => e.kind === 'user_message').map((e) => e.kind === 'user_message' && e.text)).toEqual([
      'first',
      'second',
    ]);
    const view = client.view(threadId);
    expect(view?.items.filter((i) => i.kind === 'assistant').length).toBeGreaterThanOrEqual(2);
  });

  it('re-sends an unanswered command after a drop and it is applied once', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const transport = new FlakyTransport(assembled);
    const client = new ConversationClient(transport);
    transport.up();
    // The command reaches the runtime, but the link dies before the ack comes back.
    const created = client.send({ type: 'thread.create', title: 'Once' });
    transport.down();
    await new Promise((r) => setTimeout(r, 20));
    transport.up();
    const threadId = await created;
    const threads = await assembled.db.threads.toArray();
    expect(threads.filter((t) => t.title === 'Once')).toHaveLength(1);
    expect(threads[0]?.id).toBe(threadId);
  });
});

/**
 * The relay from the service worker to the offscreen document (extension/link/relay-fast-port.ts)
 * in real Chromium with a paired phone: events for the phone go over the MessagePort, and when the
 * worker is stopped in the middle of a stream the restarted one pairs a new MessagePort and the
 * phone's client receives every event exactly once, in seq order, each only after it is in the log.
 */
import type { Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogWorkerHandle } from '../../bench/worker-handle';
import { currentWorker } from './support/chromium';
import { waitForPhoneOpen } from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let rig: PhoneRig;

beforeAll(async () => {
  rig = await startPhoneRig('relay-fast-port', { pair: true });
  await waitForPhoneOpen(rig.phone.page);
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

const routes = (worker: Worker) =>
  worker.evaluate(() => (globalThis as unknown as { tandemRelayRoutes: () => string[] }).tandemRelayRoutes());

/** Appends `count` events as the runtime does (log first, then the hub), checking each is durable when published. */
function appendEvents(worker: Worker, threadId: string, from: number, count: number): Promise<string[]> {
  return worker.evaluate(
    async ({ threadId, from, count }) => {
      const { tandem } = globalThis as unknown as LogWorkerHandle & {
        tandem: { log: { after(id: string, seq: number): Promise<{ seq: number }[]> } };
      };
      const problems: string[] = [];
      for (let i = from; i < from + count; i++) {
        const events = await tandem.log.append(threadId, [
          { kind: 'text', taskId: 'relay-task', turnId: 'relay-turn', text: `relay-${i} ` },
        ]);
        const seq = events[0]?.seq ?? -1;
        // Durable before anyone sees it: a fresh read of the log already has it.
        const stored = await tandem.log.after(threadId, seq - 1);
        if (stored[0]?.seq !== seq) problems.push(`event ${seq} was not in the log when published`);
        tandem.runtime.hub.publish(events);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return problems;
    },
    { threadId, from, count },
  );
}

describe('relay to the offscreen document', () => {
  it('delivers over the MessagePort, and exactly once in order across a worker stop', async () => {
    const phone = rig.phone.page;
    let worker = await currentWorker(rig.extension.context);
    await expect.poll(() => routes(worker), { timeout: 10_000 }).toEqual(['fast']);
    const threadId = await rig.panel.evaluate(() =>
      window.tandem?.client.send({ type: 'thread.create', title: 'Relay across a worker stop' }),
    );
    if (!threadId) throw new Error('thread.create failed');
    await phone.evaluate((id) => {
      // Every thread message the phone's client receives, before its own de-duplication.
      const seen: number[] = [];
      Object.assign(window, { __relaySeen: seen });
      window.tandemPhone?.client.onMessage((message) => {
        if (message.type === 'thread.event' && message.threadId === id) seen.push(message.event.seq);
        if (message.type === 'thread.page' && message.threadId === id) seen.push(...message.events.map((e) => e.seq));
      });
      window.tandemPhone?.client.subscribe(id);
    }, threadId);

    // Stopped in the middle of a stream: some events are in the log but were never published.
    const streaming = appendEvents(worker, threadId, 1, 40).catch(() => ['stopped mid-stream']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await rig.extension.stopServiceWorker(rig.panel);
    expect((await streaming).filter((problem) => problem !== 'stopped mid-stream')).toEqual([]);
    // The offscreen document reconnects at once while the phone is connected, starting a new worker.
    worker = await currentWorker(rig.extension.context);
    await expect.poll(() => routes(worker), { timeout: 15_000 }).toEqual(['fast']);
    expect(await appendEvents(worker, threadId, 41, 30)).toEqual([]);

    const logged = await worker.evaluate(
      (id) =>
        (globalThis as unknown as { tandem: { log: { all(id: string): Promise<unknown[]> } } }).tandem.log
          .all(id)
          .then((events) => events.length),
      threadId,
    );
    expect(logged).toBeGreaterThan(30);
    const expected = Array.from({ length: logged }, (_, i) => i + 1);
    await expect
      .poll(() => phone.evaluate(() => (window as unknown as { __relaySeen: number[] }).__relaySeen.at(-1)), {
        timeout: 20_000,
      })
      .toBe(logged);
    const seen = await phone.evaluate(() => (window as unknown as { __relaySeen: number[] }).__relaySeen);
    // Nothing twice, nothing out of order, nothing missing (a resubscription resumes after the last seq).
    expect(seen).toEqual(expected);
    const delivered = await phone.evaluate(
      (id) => window.tandemPhone?.client.events(id).map((e) => e.seq) ?? [],
      threadId,
    );
    expect(delivered).toEqual(expected);
  }, 90_000);
});

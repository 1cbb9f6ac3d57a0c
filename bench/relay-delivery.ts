/**
 * relay_delivered_ratio, in two real Chromiums on loopback (the extension, and the phone page paired
 * with it through the real QR flow) with a local PeerServer:
 *
 * - relay_delivered_p50_ms: the runtime makes an event (service worker) until the phone's
 *   ConversationClient hands it to its listeners, before any rendering: the event log's IndexedDB
 *   transaction, the hub, the relay port to the offscreen document, seal and frame, the data
 *   channel, open and validate on the phone.
 * - relay_log_append_p50_ms: the part of it spent in the event log's append (Dexie: read the thread
 *   row, write the event and the new head, one transaction).
 * - baseline_append_p50_ms: one relaxed IndexedDB transaction putting one event-sized record, in the
 *   same service worker (the event log's own durability, see extension/storage/db.ts).
 * - baseline_channel_p50_ms: one one-way trip of a small message over a plain RTCDataChannel
 *   between the same two browsers (an extension page and the phone page; no crypto, no runtime).
 * - relay_delivered_ratio: relay_delivered_p50_ms over the sum of the two baselines (goal ≤ 1.5).
 *
 * One-way times are stamped with `performance.timeOrigin + performance.now()` on both sides (one
 * machine, one clock); the raw channel's round trip halved is printed beside it as a cross-check.
 */
import type { Page, Worker } from 'playwright-core';
import { currentWorker } from '../tests/e2e/support/chromium';
import { waitForPhoneOpen } from '../tests/e2e/support/phone';
import { startPhoneRig } from '../tests/e2e/support/phone-rig';
import type { Metric } from './index';
import { median, round } from './stats';
import type { LogWorkerHandle } from './worker-handle';

const SAMPLES = 200;
/** Between samples, so each event travels an idle path (latency, not throughput). */
const GAP_MS = 20;

/** The runtime's path: stamps in the worker as each event is made, arrivals in the phone's client. */
async function relayDelivered(
  worker: Worker,
  phone: Page,
  threadId: string,
): Promise<{ delivered: number[]; appended: number[] }> {
  await phone.evaluate((id) => {
    const arrivals = new Map<number, number>();
    Object.assign(window, { __arrivals: arrivals });
    window.tandemPhone?.client.subscribe(id);
    window.tandemPhone?.client.onEvent((event) => {
      if (event.threadId === id) arrivals.set(event.seq, performance.timeOrigin + performance.now());
    });
  }, threadId);
  const made = await worker.evaluate(
    async ({ threadId, samples, gapMs }) => {
      const { tandem } = globalThis as unknown as LogWorkerHandle;
      const stamps: [number, number, number][] = [];
      for (let i = 0; i < samples; i++) {
        const at = performance.timeOrigin + performance.now();
        const body = { kind: 'text', taskId: 'bench-task', turnId: 'bench-turn', text: `bench-${i} ` };
        const events = await tandem.log.append(threadId, [body]);
        const durable = performance.timeOrigin + performance.now();
        tandem.runtime.hub.publish(events);
        stamps.push([events[0]?.seq ?? -1, at, durable - at]);
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      return stamps;
    },
    { threadId, samples: SAMPLES, gapMs: GAP_MS },
  );
  const last = made.at(-1)?.[0] ?? 0;
  await phone.waitForFunction(
    (seq) => (window as unknown as { __arrivals: Map<number, number> }).__arrivals.has(seq),
    last,
    { timeout: 60_000 },
  );
  const arrivals = new Map(
    await phone.evaluate(() => [...(window as unknown as { __arrivals: Map<number, number> }).__arrivals]),
  );
  const delivered = made.map(([seq, at]) => {
    const arrived = arrivals.get(seq);
    if (arrived === undefined) throw new Error(`Event ${seq} never reached the phone's client.`);
    return arrived - at;
  });
  return { delivered, appended: made.map(([, , appendMs]) => appendMs) };
}

/** One relaxed IndexedDB transaction per event-sized record, in the same worker. */
async function relaxedAppends(worker: Worker): Promise<number[]> {
  return worker.evaluate(
    async ({ samples, gapMs }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('bench-relay-baseline', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('events', { keyPath: ['threadId', 'seq'] });
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('events', 'readwrite', { durability: 'relaxed' });
          // The same shape as a log event (the log also rewrites its thread row: the baseline does not).
          const body = { kind: 'text', taskId: 'bench-task', turnId: 'bench-turn', text: `bench-${i} ` };
          tx.objectStore('events').put({ ...body, threadId: 'baseline', seq: i + 1, at: Date.now() });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        times.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      db.close();
      indexedDB.deleteDatabase('bench-relay-baseline');
      return times;
    },
    { samples: SAMPLES, gapMs: GAP_MS },
  );
}

/** A plain RTCDataChannel from an extension page to the phone page: one-way trips, and round trips. */
async function rawChannel(extensionPage: Page, phonePage: Page): Promise<{ oneWay: number[]; roundTrip: number[] }> {
  const offer = await extensionPage.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const channel = pc.createDataChannel('baseline');
    Object.assign(window, { __basePc: pc, __baseChannel: channel });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    return pc.localDescription?.toJSON();
  });
  const answer = await phonePage.evaluate(async (remote) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const oneWay: number[] = [];
    Object.assign(window, { __basePc: pc, __baseOneWay: oneWay });
    pc.addEventListener('datachannel', ({ channel }) => {
      channel.addEventListener('message', (event) => {
        const arrived = performance.timeOrigin + performance.now();
        const { sentAt } = JSON.parse(String(event.data)) as { sentAt: number };
        oneWay.push(arrived - sentAt);
        channel.send(String(event.data));
      });
    });
    await pc.setRemoteDescription(remote);
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    return pc.localDescription?.toJSON();
  }, offer);
  const roundTrip = await extensionPage.evaluate(
    async ({ answer, samples, gapMs }) => {
      const w = window as unknown as { __basePc: RTCPeerConnection; __baseChannel: RTCDataChannel };
      await w.__basePc.setRemoteDescription(answer);
      const channel = w.__baseChannel;
      if (channel.readyState !== 'open') await new Promise((resolve) => channel.addEventListener('open', resolve));
      const padding = 'x'.repeat(100);
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        await new Promise<void>((resolve) => {
          channel.addEventListener('message', () => resolve(), { once: true });
          channel.send(JSON.stringify({ i, sentAt: performance.timeOrigin + performance.now(), padding }));
        });
        times.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      w.__basePc.close();
      return times;
    },
    { answer, samples: SAMPLES, gapMs: GAP_MS },
  );
  const oneWay = await phonePage.evaluate(() => {
    const w = window as unknown as { __basePc: RTCPeerConnection; __baseOneWay: number[] };
    w.__basePc.close();
    return w.__baseOneWay;
  });
  return { oneWay, roundTrip };
}

export async function runRelayDeliveryBench(): Promise<Metric[]> {
  const rig = await startPhoneRig('bench-relay-delivery', { pair: true });
  try {
    const phone = rig.phone.page;
    await waitForPhoneOpen(phone);
    const worker = await currentWorker(rig.extension.context);
    const threadId = await rig.panel.evaluate(() =>
      window.tandem?.client.send({ type: 'thread.create', title: 'Relay delivery' }),
    );
    if (!threadId) throw new Error('thread.create failed');
    // Settle first: pairing has the panel and the phone still rendering their thread lists.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { delivered, appended } = await relayDelivered(worker, phone, threadId);
    const appends = await relaxedAppends(worker);
    const channel = await rawChannel(rig.panel, phone);
    const baseline = median(appends) + median(channel.oneWay);
    return [
      { metric: 'relay_delivered_p50_ms', value: round(median(delivered)), unit: 'ms' },
      { metric: 'relay_log_append_p50_ms', value: round(median(appended)), unit: 'ms' },
      { metric: 'baseline_append_p50_ms', value: round(median(appends)), unit: 'ms' },
      { metric: 'baseline_channel_p50_ms', value: round(median(channel.oneWay)), unit: 'ms' },
      { metric: 'baseline_channel_half_rtt_p50_ms', value: round(median(channel.roundTrip) / 2), unit: 'ms' },
      { metric: 'relay_delivered_ratio', value: round(median(delivered) / baseline), unit: 'x' },
    ];
  } finally {
    await rig.close();
  }
}

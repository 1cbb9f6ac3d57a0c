/**
 * Phone link benchmarks, in two real Chromiums on loopback (the extension, and the phone page in a
 * mobile viewport) with a local PeerServer, measured against a plain data channel between the same
 * two browsers in the same run.
 *
 * - relay_p50_ms / relay_p99_ms: an event appended to the runtime's log (service worker) until the
 *   phone page had rendered it: IndexedDB commit, hub, relay port to the offscreen document, seal and
 *   chunk, data channel, open, ConversationClient, and the view's next animation frame.
 *   relay_delivery_p50_ms: the same up to the phone's client, without waiting for a frame.
 * - raw_channel_p50_ms / raw_channel_p99_ms: the round trip of a small echo over a plain
 *   RTCDataChannel between an extension page and the phone browser (no crypto, no runtime).
 *   (No ratio here: relay_p50_ratio compared this durable, encrypted, rendered path with a bare echo.
 *   `npm run bench -- reach` gives relay_delivered_ratio against a like-for-like baseline.)
 * - pair_ms: QR URL opened on a fresh phone until its thread list shows the history (median of 5).
 * - catchup_ms_50_missed: a phone following a 5,000-event thread loses its data channel and 50 events
 *   are appended meanwhile; from its reconnect attempt until it holds all 50 (median of 5).
 * - lost_events_1000_drops: events lost, duplicated or reordered on the phone over 1,000 drops
 *   during streaming (PHONE_BENCH_DROPS overrides the count).
 */
import type { Page, Worker } from 'playwright-core';
import { currentWorker, launchExtensionBrowser, makeSandbox } from '../tests/e2e/support/chromium';
import { configureModel, runtimeLog } from '../tests/e2e/support/panel';
import {
  type ArrivalCheck,
  buildPhonePage,
  checkArrivals,
  closeSettings,
  configureLink,
  type DropKind,
  dropOnce,
  launchPhoneBrowser,
  newPhone,
  PHONE_DIST,
  readArrivals,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
  waitForPhoneOpen,
} from '../tests/e2e/support/phone';
import { type JsonTurn, startModelServer } from '../tests/fixtures/model-server';
import { startSignalingServer } from '../tests/fixtures/signaling';
import type { Metric } from './index';
import { median, percentile, round } from './stats';
import type { LogWorkerHandle } from './worker-handle';

const RELAY_SAMPLES = 300;
const ECHO_SAMPLES = 300;
const PAIR_REPEATS = 5;
const CATCHUP_REPEATS = 5;

/** Appends `count` text events to a thread in the worker, publishing them as the runtime does. */
async function appendEvents(
  worker: Worker,
  threadId: string,
  count: number,
  batch: number,
  gapMs: number,
): Promise<void> {
  await worker.evaluate(
    async ({ threadId, count, batch, gapMs }) => {
      const { tandem } = globalThis as unknown as LogWorkerHandle;
      for (let done = 0; done < count; done += batch) {
        const bodies = Array.from({ length: Math.min(batch, count - done) }, (_, i) => ({
          kind: 'text',
          taskId: 'bench-task',
          turnId: 'bench-turn',
          text: `bench-${done + i} `,
        }));
        tandem.runtime.hub.publish(await tandem.log.append(threadId, bodies));
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    },
    { threadId, count, batch, gapMs },
  );
}

async function createThread(panel: Page, title: string): Promise<string> {
  const id = await panel.evaluate((t) => window.tandem?.client.send({ type: 'thread.create', title: t }), title);
  if (!id) throw new Error('thread.create failed');
  return id;
}

/** Relay: event `at` (worker clock) to "rendered" on the phone (after the next animation frame). */
async function measureRelay(
  worker: Worker,
  phone: Page,
  threadId: string,
): Promise<{ rendered: number[]; delivered: number[] }> {
  await phone.evaluate((id) => {
    const w = window as unknown as { __relay: { rendered: number[]; delivered: number[] } };
    w.__relay = { rendered: [], delivered: [] };
    window.tandemPhone?.client.subscribe(id);
    window.tandemPhone?.client.onEvent((event) => {
      if (event.threadId !== id) return;
      const now = performance.timeOrigin + performance.now();
      w.__relay.delivered.push(now - event.at);
      requestAnimationFrame(() =>
        setTimeout(() => w.__relay.rendered.push(performance.timeOrigin + performance.now() - event.at), 0),
      );
    });
  }, threadId);
  await appendEvents(worker, threadId, RELAY_SAMPLES, 1, 20);
  await phone.waitForFunction(
    (n) => (window as unknown as { __relay: { rendered: number[] } }).__relay.rendered.length >= n,
    RELAY_SAMPLES,
    { timeout: 60_000 },
  );
  return phone.evaluate(() => (window as unknown as { __relay: { rendered: number[]; delivered: number[] } }).__relay);
}

/** A plain RTCDataChannel between an extension page and the phone browser; round trips of a small echo. */
async function measureRawEcho(extensionPage: Page, phonePage: Page): Promise<number[]> {
  const offer = await extensionPage.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const channel = pc.createDataChannel('echo');
    Object.assign(window, { __pc: pc, __channel: channel });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    return pc.localDescription?.toJSON();
  });
  const answer = await phonePage.evaluate(async (remote) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.addEventListener('datachannel', ({ channel }) => {
      channel.addEventListener('message', (event) => channel.send(event.data));
    });
    Object.assign(window, { __echoPc: pc });
    await pc.setRemoteDescription(remote);
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    });
    return pc.localDescription?.toJSON();
  }, offer);
  return extensionPage.evaluate(
    async ({ answer, samples }) => {
      const w = window as unknown as { __pc: RTCPeerConnection; __channel: RTCDataChannel };
      await w.__pc.setRemoteDescription(answer);
      const channel = w.__channel;
      if (channel.readyState !== 'open') await new Promise((resolve) => channel.addEventListener('open', resolve));
      const payload = 'x'.repeat(100);
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        await new Promise<void>((resolve) => {
          channel.addEventListener('message', () => resolve(), { once: true });
          channel.send(`${i}:${payload}`);
        });
        times.push(performance.now() - started);
      }
      w.__pc.close();
      return times;
    },
    { answer, samples: ECHO_SAMPLES },
  );
}

/** JSON with sorted keys: the phone and the worker may hold the same event with keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export async function runPhoneBench(): Promise<Metric[]> {
  buildPhonePage();
  const longAnswer: JsonTurn = {
    kind: 'text',
    text: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '),
    chunkSize: 4,
    chunkDelayMs: 12,
  };
  const model = await startModelServer({ minCacheableTokens: 0, defaultResponder: () => longAnswer });
  const signaling = await startSignalingServer();
  const site = await serveStatic(PHONE_DIST);
  const origin = new URL(site.url).origin;
  const sandbox = makeSandbox('bench-phone');
  const extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  const phones = await launchPhoneBrowser(sandbox.root, origin);
  try {
    const panel = await extension.openPanel();
    await configureModel(panel, model.url, model.apiKey);
    await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
    const worker = await currentWorker(extension.context);

    // pair_ms: a fresh phone each time, with history to show.
    const historyThread = await createThread(panel, 'History');
    await appendEvents(worker, historyThread, 200, 50, 0);
    const pairTimes: number[] = [];
    let phone = phones.page;
    for (let i = 0; i < PAIR_REPEATS; i++) {
      const url = await showAndScanQr(panel);
      await waitForLinkOnline(extension);
      const page = i === 0 ? phones.page : (await newPhone(phones.browser, origin)).page;
      const started = Date.now();
      await page.goto(url);
      await page.getByTestId('thread-item').filter({ hasText: 'History' }).first().waitFor({ timeout: 30_000 });
      pairTimes.push(Date.now() - started);
      if (i > 0) await page.context().close();
      else phone = page;
    }
    await closeSettings(panel);
    await waitForPhoneOpen(phone);

    // relay vs raw echo.
    const relayThread = await createThread(panel, 'Relay');
    const relay = await measureRelay(worker, phone, relayThread);
    const raw = await measureRawEcho(panel, phone);

    // catchup_ms_50_missed on a 5,000-event thread.
    const bigThread = await createThread(panel, 'Five thousand');
    await appendEvents(worker, bigThread, 5_000, 500, 0);
    await phone.evaluate((id) => window.tandemPhone?.client.subscribe(id), bigThread);
    await phone.waitForFunction((id) => (window.tandemPhone?.client.events(id).at(-1)?.seq ?? 0) >= 5_000, bigThread, {
      timeout: 60_000,
    });
    const catchups: number[] = [];
    for (let i = 0; i < CATCHUP_REPEATS; i++) {
      const target = 5_000 + (i + 1) * 50;
      // The link drops (signaling stays up); the 50 events are written while the phone waits to retry.
      await phone.evaluate(() => {
        const w = window as unknown as { __attemptAt?: number };
        w.__attemptAt = undefined;
        let waited = false;
        const off = window.tandemPhone?.link.onPhase((phase) => {
          if (phase.kind === 'retrying') waited = true;
          if (phase.kind === 'connecting' && waited && w.__attemptAt === undefined) {
            w.__attemptAt = performance.now();
            off?.();
          }
        });
        window.tandemPhone?.link.debug.dropConnection();
      });
      await appendEvents(worker, bigThread, 50, 50, 0);
      const took = await phone.evaluate(
        ({ id, target }) =>
          new Promise<number>((resolve) => {
            const w = window as unknown as { __attemptAt?: number };
            const check = () => {
              if ((window.tandemPhone?.client.events(id).at(-1)?.seq ?? 0) >= target && w.__attemptAt !== undefined) {
                resolve(performance.now() - w.__attemptAt);
              } else {
                setTimeout(check, 1);
              }
            };
            check();
          }),
        { id: bigThread, target },
      );
      catchups.push(took);
    }

    // lost_events over many drops during streaming.
    const drops = Number(process.env.PHONE_BENCH_DROPS ?? 1_000);
    const dropThread = await createThread(panel, 'Drops');
    await panel.evaluate((id) => window.tandem?.client.subscribe(id), dropThread);
    await phone.evaluate((id) => window.tandemPhone?.client.subscribe(id), dropThread);
    const arrivals: ArrivalCheck = { duplicated: 0, reordered: 0 };
    let messages = 0;
    let seed = 4242;
    const next = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let drop = 0; drop < drops; drop++) {
      const running = await panel.evaluate((id) => {
        const events = window.tandem?.client.events(id) ?? [];
        return events.findLast((e) => e.kind === 'task_finished' || e.kind === 'user_message')?.kind === 'user_message';
      }, dropThread);
      if (!running) {
        messages += 1;
        await panel.evaluate(
          ({ id, n }) => window.tandem?.client.send({ type: 'message.send', threadId: id, text: `Keep talking ${n}` }),
          { id: dropThread, n: messages },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 150)));
      const roll = next();
      const kind: DropKind = roll < 0.6 ? 'peer-connection' : roll < 0.85 ? 'reload' : 'signaling';
      await dropOnce(phone, kind, signaling, arrivals, dropThread, 100 + Math.floor(next() * 300));
      if (kind === 'reload') await phone.evaluate((id) => window.tandemPhone?.client.subscribe(id), dropThread);
    }
    await panel.waitForFunction(
      ({ id, messages }) => {
        const events = window.tandem?.client.events(id) ?? [];
        return events.filter((e) => e.kind === 'task_finished').length === messages;
      },
      { id: dropThread, messages },
      { timeout: 60_000 },
    );
    const log = await runtimeLog(extension.context, dropThread);
    await phone.waitForFunction(
      ({ id, last }) => (window.tandemPhone?.client.events(id).at(-1)?.seq ?? 0) >= last,
      { id: dropThread, last: log.length },
      { timeout: 60_000 },
    );
    const final = checkArrivals(await readArrivals(phone), dropThread);
    const seen = await phone.evaluate((id) => [...(window.tandemPhone?.client.events(id) ?? [])], dropThread);
    const first = seen[0]?.seq ?? 1;
    const expected = log.slice(first - 1);
    const seenBySeq = new Map(seen.map((e) => [e.seq, canonical(e)]));
    const missing = expected.filter((e) => seenBySeq.get(e.seq) !== canonical(e)).length;
    const lost = missing + arrivals.duplicated + arrivals.reordered + final.duplicated + final.reordered;

    const relayP50 = median(relay.rendered);
    const relayP99 = percentile(relay.rendered, 99);
    const rawP50 = median(raw);
    const rawP99 = percentile(raw, 99);
    return [
      { metric: 'relay_p50_ms', value: round(relayP50), unit: 'ms' },
      { metric: 'relay_p99_ms', value: round(relayP99), unit: 'ms' },
      { metric: 'relay_delivery_p50_ms', value: round(median(relay.delivered)), unit: 'ms' },
      { metric: 'relay_delivery_p99_ms', value: round(percentile(relay.delivered, 99)), unit: 'ms' },
      { metric: 'raw_channel_p50_ms', value: round(rawP50), unit: 'ms' },
      { metric: 'raw_channel_p99_ms', value: round(rawP99), unit: 'ms' },
      { metric: 'pair_ms', value: round(median(pairTimes)), unit: 'ms' },
      { metric: 'catchup_ms_50_missed', value: round(median(catchups)), unit: 'ms' },
      { metric: `lost_events_${drops}_drops`, value: lost, unit: 'events' },
    ];
  } finally {
    await phones.close();
    await extension.close();
    await Promise.all([model.close(), signaling.close(), site.close()]);
    sandbox.cleanup();
  }
}

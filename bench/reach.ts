/**
 * [reach] benchmarks (`npm run bench -- reach`).
 *
 * - phone_page_js_gzip_kb: the JavaScript the phone page loads for normal use, gzipped at level 9
 *   as a static host would serve it, summed, in KiB (goal ≤ 110): every script of the static build
 *   (the service worker included) except the chunks index.html's import map pins for `import()`.
 * - phone_page_on_demand_js_gzip_kb: those chunks, fetched only for a rare action (today the
 *   in-page QR decoder, when the user taps "Scan the QR code"), reported apart, not hidden.
 * - relay_delivered_ratio (and the times it is made of): on loopback, see relay-delivery.ts.
 * In the network-namespace rig (tests/rig/, root only; skipped with the reason otherwise), one run each:
 * - connect_ms_direct: both behind endpoint-independent NATs, the QR URL opened on the phone until
 *   its thread list shows (goal ≤ 1,500);
 * - connect_ms_turn: the same behind symmetric NATs, through coturn (goal ≤ 2,500);
 * - network_change_recover_ms: while the runtime streams an event every 50 ms, the phone moves to
 *   another NAT and address; from the move until the phone's client holds a new event, received
 *   after it noticed the move (ICE restart or replaced link) (goal ≤ 5,000).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { currentWorker } from '../tests/e2e/support/chromium';
import { buildPhonePage, PHONE_DIST, waitForPhoneOpen } from '../tests/e2e/support/phone';
import { rigUnavailable } from '../tests/rig/rig';
import { pair, type Setup, setUp, tearDown } from '../tests/rig/rig-session';
import type { Metric } from './index';
import { runRelayDeliveryBench } from './relay-delivery';
import { round } from './stats';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Chunks loaded by `import()` that only a rare action fetches, by name. A lazily loaded chunk not
 * listed here counts as loaded at start: loading lazily alone does not take code out of normal use.
 */
const RARE_ACTION_CHUNKS = [
  /^jsQR-/, // the in-page QR decoder: only when "Scan the QR code" is tapped
];

/** The scripts index.html's import map pins (loaded by `import()`) that only a rare action fetches. */
function onDemandScripts(dist: string): Set<string> {
  const map = readFileSync(join(dist, 'index.html'), 'utf8').match(/<script type="importmap">(.*?)<\/script>/s)?.[1];
  const pinned = map ? (JSON.parse(map) as { integrity?: Record<string, string> }).integrity : undefined;
  return new Set(
    Object.keys(pinned ?? {})
      .filter((path) => RARE_ACTION_CHUNKS.some((name) => name.test(basename(path))))
      .map((path) => join(dist, path)),
  );
}

const gzippedKb = (files: readonly string[]) =>
  files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).byteLength, 0) / 1024;

/** The page's JavaScript as a phone downloads it, gzipped: at start (the service worker included), and on demand. */
export function phonePageJsGzipKb(dist: string): { atStart: number; onDemand: number } {
  const scripts = filesUnder(dist).filter((file) => file.endsWith('.js'));
  const onDemand = onDemandScripts(dist);
  return {
    atStart: gzippedKb(scripts.filter((file) => !onDemand.has(file))),
    onDemand: gzippedKb(scripts.filter((file) => onDemand.has(file))),
  };
}

/** Streams events in the worker, moves the phone, and times until the phone holds a new one. */
async function networkChangeRecoverMs(setup: Setup): Promise<number> {
  const { panel, phone } = setup;
  const threadId = await panel.evaluate(
    async () => (await window.tandem?.client.send({ type: 'thread.create' })) ?? '',
  );
  await phone.evaluate((id) => window.tandemPhone?.client.subscribe(id), threadId);
  const worker = await currentWorker(setup.extension.context);
  const streaming = worker.evaluate(async (id) => {
    type Tandem = {
      log: { append(t: string, b: unknown[]): Promise<unknown[]> };
      runtime: { hub: { publish(e: unknown[]): void } };
    };
    const { tandem } = globalThis as unknown as { tandem: Tandem };
    for (let i = 0; i < 300; i++) {
      tandem.runtime.hub.publish(
        await tandem.log.append(id, [{ kind: 'text', taskId: 'b', turnId: 'b', text: `e${i} ` }]),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, threadId);
  const count = () => phone.evaluate((id) => window.tandemPhone?.client.events(id).length ?? 0, threadId);
  while ((await count()) < 20) await new Promise((resolve) => setTimeout(resolve, 100));
  const restartsBefore = await phone.evaluate(() => window.tandemPhone?.link.iceRestarts ?? 0);
  const noticed = () =>
    phone.evaluate((done) => {
      const link = window.tandemPhone?.link;
      return link !== undefined && (link.restarting || link.phase.kind !== 'open' || link.iceRestarts > done);
    }, restartsBefore);
  const movedAt = Date.now();
  setup.rig.movePhone();
  // Wait until the phone noticed (an ICE restart under way, or the link given up), then for the
  // next event over the new path.
  while (!(await noticed())) {
    if (Date.now() - movedAt > 30_000) throw new Error('The phone never noticed the move.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const before = await count();
  await waitForPhoneOpen(phone, 30_000);
  while ((await count()) <= before) await new Promise((resolve) => setTimeout(resolve, 20));
  const elapsed = Date.now() - movedAt;
  await streaming;
  return elapsed;
}

async function inRig(mode: 'eim' | 'symmetric', measure: (setup: Setup) => Promise<Metric[]>): Promise<Metric[]> {
  const setup = await setUp(mode);
  try {
    return await measure(setup);
  } finally {
    await tearDown(setup);
  }
}

export async function runReachBench(): Promise<Metric[]> {
  buildPhonePage();
  const js = phonePageJsGzipKb(PHONE_DIST);
  console.error(
    `bench reach: phone_page_js_gzip_kb counts every script the page loads at start; ` +
      `phone_page_on_demand_js_gzip_kb is the QR decoder, fetched only when the in-page scanner opens.`,
  );
  const metrics: Metric[] = [
    { metric: 'phone_page_js_gzip_kb', value: round(js.atStart), unit: 'KiB' },
    { metric: 'phone_page_on_demand_js_gzip_kb', value: round(js.onDemand), unit: 'KiB' },
  ];
  metrics.push(...(await runRelayDeliveryBench()));
  const unavailable = rigUnavailable();
  if (unavailable) {
    console.error(`bench reach: the rig metrics are skipped: ${unavailable}`);
    return metrics;
  }
  metrics.push(
    ...(await inRig('eim', async (setup) => [
      { metric: 'connect_ms_direct', value: await pair(setup), unit: 'ms' },
      { metric: 'network_change_recover_ms', value: await networkChangeRecoverMs(setup), unit: 'ms' },
    ])),
    ...(await inRig('symmetric', async (setup) => [
      { metric: 'connect_ms_turn', value: await pair(setup), unit: 'ms' },
    ])),
  );
  return metrics;
}

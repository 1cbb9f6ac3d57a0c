/**
 * [reach] benchmarks (`npm run bench -- reach`).
 *
 * - phone_page_js_gzip_kb: the JavaScript the phone page loads for normal use, gzipped at level 9
 *   as a static host would serve it, summed, in KiB (goal ≤ 110): every script of the static build
 *   (the service worker included), the highlighter's core and its largest language chunk included;
 *   the rule is in phone-page-size.ts.
 * - phone_page_on_demand_js_gzip_kb: the chunks fetched only for a rare action (the in-page QR
 *   decoder, when the user taps "Scan the QR code") or for code in one more language (the other
 *   language chunks), reported apart, not hidden.
 * - relay_delivered_ratio (and the times it is made of): on loopback, see relay-delivery.ts.
 * In the network-namespace rig (tests/rig/, root only; skipped with the reason otherwise), one run each:
 * - connect_ms_direct: both behind endpoint-independent NATs, the QR URL opened on the phone until
 *   its thread list shows (goal ≤ 1,500);
 * - connect_ms_turn: the same behind symmetric NATs, through coturn (goal ≤ 2,500);
 * - network_change_recover_ms: while the runtime streams an event every 50 ms, the phone moves to
 *   another NAT and address; from the move until the phone's client holds a new event, received
 *   after it noticed the move (ICE restart or replaced link) (goal ≤ 5,000).
 */
import { currentWorker } from '../tests/e2e/support/chromium';
import { buildPhonePage, PHONE_DIST, waitForPhoneOpen } from '../tests/e2e/support/phone';
import { rigUnavailable } from '../tests/rig/rig';
import { pair, type Setup, setUp, tearDown } from '../tests/rig/rig-session';
import type { Metric } from './index';
import { PHONE_PAGE_SIZE_RULE, phonePageJsGzipKb } from './phone-page-size';
import { runRelayDeliveryBench } from './relay-delivery';
import { round } from './stats';

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

export { phonePageJsGzipKb };

export async function runReachBench(): Promise<Metric[]> {
  buildPhonePage();
  const js = phonePageJsGzipKb(PHONE_DIST);
  console.error(`bench reach: ${PHONE_PAGE_SIZE_RULE}`);
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

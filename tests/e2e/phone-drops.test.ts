/**
 * Reliability of the phone link over a flaky network: while answers stream, the link is broken 100
 * times at random points (the phone's peer connection closed as a network loss would, the phone page
 * reloaded, the signaling server stopped with the connection dropped and started again). After each
 * drop the phone reconnects by itself; in the end it must hold exactly the runtime's durable log
 * from where it subscribed, and within each page lifetime every event must have arrived once, in
 * order (recorded on the link, before the client's own de-duplication).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonTurn } from '../fixtures/model-server';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, runtimeLog } from './support/panel';
import {
  type ArrivalCheck,
  buildPhonePage,
  checkArrivals,
  closeSettings,
  configureLink,
  type DropKind,
  dropOnce,
  launchPhoneBrowser,
  openOnPhone,
  PHONE_DIST,
  type PhoneBrowser,
  phoneEvents,
  readArrivals,
  type StaticServer,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
} from './support/phone';

const DROPS = 100;

let model: ModelServer;
let signaling: SignalingFixture;
let site: StaticServer;
let sandbox: ReturnType<typeof makeSandbox>;
let extension: ExtensionBrowser;
let panel: Page;
let phone: PhoneBrowser;

/** A small deterministic generator, so a failing run can be replayed (seed printed on failure). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const LONG_ANSWER: JsonTurn = {
  kind: 'text',
  text: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '),
  chunkSize: 4,
  chunkDelayMs: 12,
};

beforeAll(async () => {
  buildPhonePage();
  [model, signaling, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0, defaultResponder: () => LONG_ANSWER }),
    startSignalingServer(),
    serveStatic(PHONE_DIST),
  ]);
  sandbox = makeSandbox('phone-drops');
  extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  panel = await extension.openPanel();
  await configureModel(panel, model.url, model.apiKey);
  await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
  phone = await launchPhoneBrowser(sandbox.root, new URL(site.url).origin);
  const url = await showAndScanQr(panel);
  await waitForLinkOnline(extension);
  await openOnPhone(phone.page, url);
  await closeSettings(panel);
});

afterAll(async () => {
  await phone?.close();
  await extension?.close();
  await Promise.all([model?.close(), signaling?.close(), site?.close()]);
  sandbox?.cleanup();
});

async function threadIsRunning(threadId: string): Promise<boolean> {
  return panel.evaluate((id) => {
    const events = window.tandem?.client.events(id) ?? [];
    const last = events.findLast((e) => e.kind === 'task_finished' || e.kind === 'user_message');
    return last?.kind === 'user_message';
  }, threadId);
}

async function sendFromPanel(threadId: string, text: string): Promise<void> {
  await panel.evaluate(({ threadId, text }) => window.tandem?.client.send({ type: 'message.send', threadId, text }), {
    threadId,
    text,
  });
}

describe('phone link reliability', () => {
  it(`loses, duplicates and reorders nothing over ${DROPS} drops during streaming`, async () => {
    const seed = Number(process.env.PHONE_DROP_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    const page = phone.page;
    const threadId =
      (await panel.evaluate(() => window.tandem?.client.send({ type: 'thread.create', title: 'Drops' }))) ?? '';
    await panel.evaluate((id) => window.tandem?.client.subscribe(id), threadId);
    await page.getByTestId('thread-item').filter({ hasText: 'Drops' }).first().click();
    await page.getByTestId('composer-input').waitFor();

    const arrivals: ArrivalCheck = { duplicated: 0, reordered: 0 };
    const kinds: Record<DropKind, number> = { 'peer-connection': 0, reload: 0, signaling: 0 };
    let messages = 0;
    for (let drop = 0; drop < DROPS; drop++) {
      if (!(await threadIsRunning(threadId))) await sendFromPanel(threadId, `Keep talking ${++messages}`);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 150)));
      const roll = next();
      const kind: DropKind = roll < 0.6 ? 'peer-connection' : roll < 0.85 ? 'reload' : 'signaling';
      kinds[kind] += 1;
      try {
        await dropOnce(page, kind, signaling, arrivals, threadId, 100 + Math.floor(next() * 300));
      } catch (error) {
        throw new Error(`Drop ${drop} (${kind}) did not recover; seed ${seed}: ${String(error)}`);
      }
    }
    // Let every answer finish, then compare with the durable log.
    await panel.waitForFunction(
      ({ id, messages }) => {
        const events = window.tandem?.client.events(id) ?? [];
        return (
          events.filter((e) => e.kind === 'user_message').length === messages &&
          events.filter((e) => e.kind === 'task_finished').length === messages
        );
      },
      { id: threadId, messages },
      { timeout: 30_000 },
    );
    const lastSeq = (await runtimeLog(extension.context, threadId)).length;
    await page.waitForFunction(
      ({ id, lastSeq }) => (window.tandemPhone?.client.events(id) ?? []).at(-1)?.seq === lastSeq,
      { id: threadId, lastSeq },
      { timeout: 30_000 },
    );
    const final = checkArrivals(await readArrivals(page), threadId);
    arrivals.duplicated += final.duplicated;
    arrivals.reordered += final.reordered;

    const log = await runtimeLog(extension.context, threadId);
    const seen = await phoneEvents(page, threadId);
    const first = seen[0]?.seq ?? 1;
    console.log(
      `phone drops: seed ${seed}, ${JSON.stringify(kinds)}, ${messages} answers, ${log.length} events in the log, ${seen.length} on the phone`,
    );
    expect(arrivals).toEqual({ duplicated: 0, reordered: 0 });
    expect(seen).toEqual(log.slice(first - 1));
    expect(seen.length).toBeGreaterThan(100);
  });
});

/**
 * [reach] in a simulated internet (tests/rig/): the computer's Chromium behind a home NAT, the
 * phone's Chromium behind a mobile NAT, coturn (STUN and TURN REST), the signaling server and the
 * phone page on the "internet". Needs root; skips with the reason otherwise.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNREACHABLE_AFTER_MS } from '../../phone-web/src/presence';
import { rigUnavailable, TURN_SECRET } from '../rig/rig';
import { pair, relaunchComputer, type Setup, setUp, tearDown } from '../rig/rig-session';
import { currentWorker } from './support/chromium';
import { runtimeLog } from './support/panel';
import { buildPhonePage, checkArrivals, readArrivals, secretSpellings, waitForPhoneOpen } from './support/phone';
import { readPresence, recordPresence } from './support/presence-recorder';

const unavailable = rigUnavailable();
if (unavailable) console.warn(`[reach rig] skipped: ${unavailable}`);

const route = (page: Page) => page.getByTestId('link-route').textContent({ timeout: 15_000 });

describe.skipIf(unavailable !== undefined)('phone from anywhere, in the rig', () => {
  beforeAll(() => buildPhonePage());

  describe('behind endpoint-independent NATs', () => {
    let setup: Setup | undefined;
    beforeAll(async () => {
      setup = await setUp('eim');
    }, 120_000);
    afterAll(() => tearDown(setup), 60_000);

    it('serves the phone page over HTTPS, trusted through a test CA: a secure context with its service worker', async () => {
      if (!setup) throw new Error('no rig');
      expect(new URL(setup.rig.pageUrl).protocol).toBe('https:');
      // A context of its own: the pairing phone's blocks service workers (Playwright's routing).
      const context = await setup.phoneBrowser.newContext({ serviceWorkers: 'allow' });
      try {
        const page = await context.newPage();
        const response = await page.goto(setup.rig.pageUrl);
        expect(response?.ok()).toBe(true);
        // Trusted because the run's CA issued it, not because a check was waived.
        expect((await response?.securityDetails())?.issuer).toBe('Tandem rig test CA');
        expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
        const worker = await page.evaluate(async () => {
          const registration = await Promise.race([
            navigator.serviceWorker.ready,
            new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000)),
          ]);
          return registration?.active?.scriptURL;
        });
        expect(worker).toBe(new URL('sw.js', setup.rig.pageUrl).href);
      } finally {
        await context.close();
      }
    }, 60_000);

    it('connects directly through STUN (case 1)', async () => {
      if (!setup) throw new Error('no rig');
      const ms = await pair(setup);
      console.log(`[reach rig] connect_ms_direct ${ms}`);
      await expect.poll(() => route(setup!.phone), { timeout: 15_000 }).toBe('direct');
    }, 120_000);

    it('restarts ICE on the live connection through the signaling server: same session, nothing lost (case 3, restart)', async () => {
      if (!setup) throw new Error('no rig');
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
        for (let i = 0; i < 60; i++) {
          const body = { kind: 'text', taskId: 'ir', turnId: 'ir', text: `r${i} ` };
          tandem.runtime.hub.publish(await tandem.log.append(id, [body]));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }, threadId);
      const count = () => phone.evaluate((id) => window.tandemPhone?.client.events(id).length ?? 0, threadId);
      await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(10);
      const welcomes = async () => (await readArrivals(phone)).filter(([id]) => id === 'welcome').length;
      const welcomesBefore = await welcomes();
      const ufragsBefore = await phone.evaluate(() => window.tandemPhone?.link.debug.iceUfrags() ?? []);
      expect(await phone.evaluate(() => window.tandemPhone?.link.debug.restartIce())).toBe(true);
      const ufragsAfter = await phone.evaluate(() => window.tandemPhone?.link.debug.iceUfrags() ?? []);
      // A new offer and answer were applied on both sides (new ICE credentials each)…
      expect(ufragsAfter[0]).toBeDefined();
      expect(ufragsAfter[0]).not.toBe(ufragsBefore[0]);
      expect(ufragsAfter[1]).not.toBe(ufragsBefore[1]);
      expect(await phone.evaluate(() => window.tandemPhone?.link.iceRestarts)).toBeGreaterThan(0);
      await streaming;
      await expect.poll(count, { timeout: 15_000 }).toBe(60);
      // …on the same connection and session: no new welcome, every event once and in order.
      expect(await welcomes()).toBe(welcomesBefore);
      expect(await phone.evaluate(() => window.tandemPhone?.link.phase.kind)).toBe('open');
      const seqs = await phone.evaluate(
        (id) => window.tandemPhone?.client.events(id).map((e) => e.seq) ?? [],
        threadId,
      );
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(checkArrivals(await readArrivals(phone), threadId)).toEqual({ duplicated: 0, reordered: 0 });
    }, 60_000);

    it('reconnects after the phone changes networks mid-stream, nothing lost, duplicated or reordered (case 3)', async () => {
      if (!setup) throw new Error('no rig');
      const { panel, phone } = setup;
      const threadId = await panel.evaluate(
        async () => (await window.tandem?.client.send({ type: 'thread.create' })) ?? '',
      );
      await phone.evaluate((id) => window.tandemPhone?.client.subscribe(id), threadId);
      const worker = await currentWorker(setup.extension.context);
      // A stream of runtime events, one every 50 ms, through the move.
      const streaming = worker.evaluate(async (id) => {
        type Tandem = {
          log: { append(t: string, b: unknown[]): Promise<unknown[]> };
          runtime: { hub: { publish(e: unknown[]): void } };
        };
        const { tandem } = globalThis as unknown as { tandem: Tandem };
        for (let i = 0; i < 240; i++) {
          const body = { kind: 'text', taskId: 'rig', turnId: 'rig', text: `e${i} ` };
          tandem.runtime.hub.publish(await tandem.log.append(id, [body]));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }, threadId);
      const count = () => phone.evaluate((id) => window.tandemPhone?.client.events(id).length ?? 0, threadId);
      await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(20);
      const welcomes = async () => (await readArrivals(phone)).filter(([id]) => id === 'welcome').length;
      const welcomesBefore = await welcomes();
      const restarts = () => phone.evaluate(() => window.tandemPhone?.link.iceRestarts ?? 0);
      const restartsBefore = await restarts();
      expect(await phone.getByTestId('link-presence').textContent()).toBe('Connected');
      await recordPresence(phone);
      const movedAt = Date.now();
      setup.rig.movePhone();
      // Events that were in flight on the old path may still land: count from when the phone noticed
      // (an ICE restart under way, or the link given up), then wait for the next event.
      await expect
        .poll(
          () =>
            phone.evaluate((done) => {
              const link = window.tandemPhone?.link;
              return link !== undefined && (link.restarting || link.phase.kind !== 'open' || link.iceRestarts > done);
            }, restartsBefore),
          { timeout: 10_000, interval: 20 },
        )
        .toBe(true);
      const before = await count();
      await waitForPhoneOpen(phone, 20_000);
      await expect.poll(count, { timeout: 20_000, interval: 20 }).toBeGreaterThan(before);
      const recoverMs = Date.now() - movedAt;
      const how = (await restarts()) > restartsBefore ? 'ICE restart' : 'replaced link';
      console.log(
        `[reach rig] network_change_recover_ms ${recoverMs} (${how}: ${await phone.evaluate(() => window.tandemPhone?.link.lastProblem)})`,
      );
      await streaming;
      await expect.poll(count, { timeout: 15_000 }).toBe(240);
      const seqs = await phone.evaluate(
        (id) => window.tandemPhone?.client.events(id).map((e) => e.seq) ?? [],
        threadId,
      );
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(checkArrivals(await readArrivals(phone), threadId)).toEqual({ duplicated: 0, reordered: 0 });
      expect(recoverMs).toBeLessThan(5_000);
      // What the screen said, honestly: "Reconnecting…" from the moment the link noticed (not
      // "Connected" while a restart or standby was in flight), then "Connected", without flapping.
      await expect.poll(() => phone.getByTestId('link-presence').textContent(), { timeout: 5_000 }).toBe('Connected');
      const said = await readPresence(phone);
      console.log(`[reach rig] presence during the move: ${JSON.stringify(said)}`);
      expect(said.seen.map((s) => s.text)).toEqual(['Connected', 'Reconnecting…', 'Connected']);
      const reconnectingAt = said.seen[1]?.at ?? Number.POSITIVE_INFINITY;
      expect(said.noticedAt).toBeDefined();
      expect(reconnectingAt - (said.noticedAt ?? 0)).toBeLessThan(500);
      // Recovered by an ICE restart on the same session (no new runtime welcome), or by a new link.
      if ((await restarts()) > restartsBefore) expect(await welcomes()).toBe(welcomesBefore);
      else expect(await welcomes()).toBeGreaterThan(welcomesBefore);
    }, 120_000);

    it('says the computer is unreachable once its browser is closed; what is typed then arrives once, in order, when it is back (case 4)', async () => {
      if (!setup) throw new Error('no rig');
      const { phone } = setup;
      const said = () => phone.getByTestId('link-presence').textContent();
      const userMessages = async (threadId: string) =>
        (await runtimeLog(setup!.extension.context, threadId)).flatMap((e) =>
          e.kind === 'user_message' ? [e.text] : [],
        );
      await expect.poll(said, { timeout: 15_000 }).toBe('Connected');
      await phone.getByTestId('new-thread').first().click();
      await phone.getByTestId('composer-input').fill('Before the browser closed');
      await phone.getByTestId('composer-input').press('Enter');
      const threadId = await phone.evaluate(() => window.tandemPhone?.client.threads[0]?.id ?? '');
      expect(threadId).not.toBe('');
      await expect.poll(() => userMessages(threadId), { timeout: 15_000 }).toEqual(['Before the browser closed']);

      await setup.extension.close();
      const closedAt = Date.now();
      // The presence rule's timeout (UNREACHABLE_AFTER_MS of doubt, counted from the last frame heard)
      // plus the link noticing the closed channel and the screen's next refresh: never a guess, never late.
      const limitMs = UNREACHABLE_AFTER_MS + 4_000;
      await expect.poll(said, { timeout: limitMs, interval: 100 }).toMatch(/^Computer unreachable since \d\d:\d\d$/);
      const noticedMs = Date.now() - closedAt;
      console.log(`[reach rig] unreachable shown ${noticedMs} ms after the computer's browser closed`);
      expect(noticedMs).toBeLessThan(limitMs);
      const written = ['Typed while the computer was off', 'And a second thought'];
      for (const text of written) {
        await phone.getByTestId('composer-input').fill(text);
        await phone.getByTestId('composer-input').press('Enter');
      }
      await expect.poll(() => phone.getByTestId('queued-message').count(), { timeout: 5_000 }).toBe(2);

      await relaunchComputer(setup);
      await waitForPhoneOpen(phone, 45_000);
      await expect.poll(said, { timeout: 15_000 }).toBe('Connected');
      await expect.poll(() => phone.getByTestId('queued-message').count(), { timeout: 20_000 }).toBe(0);
      // Exactly once each and in the order written, counted in the runtime's own log (worker side).
      await expect
        .poll(() => userMessages(threadId), { timeout: 20_000 })
        .toEqual(['Before the browser closed', ...written]);
      // And not again a moment later (a second send of the same command would be a second entry).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await userMessages(threadId)).toEqual(['Before the browser closed', ...written]);
    }, 180_000);
  });

  describe('behind symmetric NATs', () => {
    let setup: Setup | undefined;
    beforeAll(async () => {
      setup = await setUp('symmetric');
    }, 120_000);
    afterAll(() => tearDown(setup), 60_000);

    it('connects through TURN with time-limited credentials (case 2)', async () => {
      if (!setup) throw new Error('no rig');
      const ms = await pair(setup);
      console.log(
        `[reach rig] connect_ms_turn ${ms} (${await setup.phone.evaluate(() => window.tandemPhone?.link.lastProblem)})`,
      );
      await expect.poll(() => route(setup!.phone), { timeout: 15_000 }).toBe('relayed');
      // On the first attempt, and the relayed path stays up (it once died a second after opening:
      // the rig's internet had no route for private addresses, and coturn closes an allocation
      // when a send fails; see netns-rig.sh "void").
      expect(await setup.phone.evaluate(() => window.tandemPhone?.link.lastProblem)).toBe('');
      // The relay was used with credentials minted from the secret, never the secret itself.
      expect(setup.rig.turnLog.join('\n')).not.toContain(TURN_SECRET);

      // A message's plaintext crosses the relay: the capture on the TURN server's side holds only
      // ciphertext (no pairing secret in any spelling, no message text, no TURN REST secret).
      const canary = `canary-${Date.now()}-plaintext`;
      const threadId = await setup.panel.evaluate(
        async () => (await window.tandem?.client.send({ type: 'thread.create' })) ?? '',
      );
      await setup.phone.evaluate((id) => window.tandemPhone?.client.subscribe(id), threadId);
      const worker = await currentWorker(setup.extension.context);
      const shown = () =>
        setup!.phone.evaluate((id) => JSON.stringify(window.tandemPhone?.client.events(id) ?? []), threadId);
      // Appended again until the phone shows it: the subscription may still be on its way; the point
      // here is what crosses the relay, which the capture checks below.
      const until = Date.now() + 60_000;
      while (Date.now() < until && !(await shown()).includes(canary)) {
        await worker.evaluate(
          async ({ id, text }) => {
            type Tandem = {
              log: { append(t: string, b: unknown[]): Promise<unknown[]> };
              runtime: { hub: { publish(e: unknown[]): void } };
            };
            const { tandem } = globalThis as unknown as { tandem: Tandem };
            tandem.runtime.hub.publish(await tandem.log.append(id, [{ kind: 'text', taskId: 'c', turnId: 'c', text }]));
          },
          { id: threadId, text: canary },
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      if (!(await shown()).includes(canary)) {
        const state = await setup.phone.evaluate(
          (id) => ({
            phase: window.tandemPhone?.link.phase.kind,
            threads: window.tandemPhone?.client.threads.map((t) => t.id),
            id,
            lastError: window.tandemPhone?.client.lastError?.message,
            problem: window.tandemPhone?.link.lastProblem,
          }),
          threadId,
        );
        console.log(`[reach rig] canary not shown: ${JSON.stringify(state)}`);
      }
      expect(await shown()).toContain(canary);
      const capture = setup.rig.capture();
      expect(capture.length).toBeGreaterThan(10_000);
      // The capture is real: it holds the TURN traffic (the STUN magic cookie of its messages).
      expect(capture.includes(Buffer.from([0x21, 0x12, 0xa4, 0x42]))).toBe(true);
      const needles = [
        ...secretSpellings(setup.offerUrl ?? ''),
        { name: 'message text', bytes: Buffer.from(canary) },
        { name: 'TURN REST secret', bytes: Buffer.from(TURN_SECRET) },
      ];
      expect(needles.filter((needle) => capture.includes(needle.bytes)).map((n) => n.name)).toEqual([]);
    }, 120_000);
  });

  describe('through a hostile TURN server', () => {
    let setup: Setup | undefined;
    beforeAll(async () => {
      setup = await setUp('symmetric', { hostileTurn: true });
    }, 120_000);
    afterAll(() => tearDown(setup), 60_000);

    it('gets nowhere by replaying and injecting relayed packets: every event once, in order (case 5)', async () => {
      if (!setup) throw new Error('no rig');
      await pair(setup);
      await expect.poll(() => route(setup!.phone), { timeout: 15_000 }).toBe('relayed');
      const { panel, phone } = setup;
      const threadId = await panel.evaluate(
        async () => (await window.tandem?.client.send({ type: 'thread.create' })) ?? '',
      );
      await phone.evaluate((id) => window.tandemPhone?.client.subscribe(id), threadId);
      const worker = await currentWorker(setup.extension.context);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await worker.evaluate(async (id) => {
        type Tandem = {
          log: { append(t: string, b: unknown[]): Promise<unknown[]> };
          runtime: { hub: { publish(e: unknown[]): void } };
        };
        const { tandem } = globalThis as unknown as { tandem: Tandem };
        for (let i = 0; i < 100; i++) {
          tandem.runtime.hub.publish(
            await tandem.log.append(id, [{ kind: 'text', taskId: 'h', turnId: 'h', text: `h${i} ` }]),
          );
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }, threadId);
      const count = () => phone.evaluate((id) => window.tandemPhone?.client.events(id).length ?? 0, threadId);
      await expect.poll(count, { timeout: 20_000 }).toBe(100);
      const counts = await setup.rig.hostileCounts();
      console.log(`[reach rig] hostile TURN: ${JSON.stringify(counts)}`);
      // The relay really did replay and inject (else this test proves nothing)…
      expect(counts.replayed).toBeGreaterThan(50);
      expect(counts.injected).toBeGreaterThan(10);
      // …and none of it reached the conversation: each event once, in order, on one unbroken link.
      const seqs = await phone.evaluate(
        (id) => window.tandemPhone?.client.events(id).map((e) => e.seq) ?? [],
        threadId,
      );
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(checkArrivals(await readArrivals(phone), threadId)).toEqual({ duplicated: 0, reordered: 0 });
      expect(await phone.evaluate(() => window.tandemPhone?.link.phase.kind)).toBe('open');
    }, 120_000);
  });
});

/**
 * The phone link refuses what it must, in real browsers: a signaling server that puts a man in the
 * middle (the phone and the extension see different DTLS certificates), a wrong pairing secret, an
 * expired QR code, a QR code used twice, replayed frames, frames with forged tags, and 10,000
 * fuzzed frames from an authenticated phone, which must each be answered without harming anything.
 */
import { randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOffer, offerToUrl, parseOffer } from '../../shared/link/pairing-offer.ts';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import {
  type HostileSignaling,
  type SignalingFixture,
  startHostileSignaling,
  startSignalingServer,
} from '../fixtures/signaling';
import { currentWorker, type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel } from './support/panel';
import {
  buildPhonePage,
  closeSettings,
  configureLink,
  handshakeRefusals,
  launchPhoneBrowser,
  linkStatus,
  newPhone,
  openOnPhone,
  PHONE_DIST,
  type PhoneBrowser,
  pairedDevices,
  phonePhase,
  runtimePhoneClients,
  type StaticServer,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
} from './support/phone';

let model: ModelServer;
let signaling: SignalingFixture;
let hostile: HostileSignaling;
let site: StaticServer;
let sandbox: ReturnType<typeof makeSandbox>;
let extension: ExtensionBrowser;
let panel: Page;
let phones: PhoneBrowser;
let origin: string;

beforeAll(async () => {
  buildPhonePage();
  [model, signaling, hostile, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startSignalingServer(),
    startHostileSignaling(),
    serveStatic(PHONE_DIST),
  ]);
  origin = new URL(site.url).origin;
  sandbox = makeSandbox('phone-attacks');
  extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  panel = await extension.openPanel();
  await configureModel(panel, model.url, model.apiKey);
  await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
  phones = await launchPhoneBrowser(sandbox.root, origin);
});

afterAll(async () => {
  await phones?.close();
  await extension?.close();
  await Promise.all([model?.close(), signaling?.close(), hostile?.close(), site?.close()]);
  sandbox?.cleanup();
});

/** Commands the runtime has recorded as applied (a refused phone must add none). */
async function appliedCommands(): Promise<number> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(() =>
    (
      globalThis as unknown as { tandem: { db: { commands: { count(): Promise<number> } } } }
    ).tandem.db.commands.count(),
  );
}

/** Opens a URL on a brand-new phone (own storage, own device key) and returns its page. */
async function freshPhone(url: string): Promise<Page> {
  const { page } = await newPhone(phones.browser, origin);
  await page.goto(url);
  await page.waitForFunction(() => window.tandemPhone !== undefined);
  return page;
}

async function expectRefusedPhone(page: Page, refusal: string): Promise<void> {
  await expect.poll(() => handshakeRefusals(extension), { timeout: 15_000 }).toContain(refusal);
  await expect.poll(() => phonePhase(page), { timeout: 20_000 }).toBe('failed');
  expect(await runtimePhoneClients(extension)).toBe(0);
}

describe('phone link attacks', () => {
  it('refuses a man in the middle placed by the signaling server: no command reaches the runtime', async () => {
    await configureLink(panel, { signaling: hostile.settings });
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    const extensionId = (await linkStatus(extension)).peerId ?? '';
    // The attacker: a browser page at the hostile server, relaying between phone and extension.
    const bundle = await build({
      entryPoints: [new URL('../fixtures/signaling/mitm-page.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
    });
    site.routes.set('/mitm.js', { type: 'text/javascript', body: bundle.outputFiles[0]?.text ?? '' });
    site.routes.set('/mitm.html', { type: 'text/html', body: '<!doctype html><script src="/mitm.js"></script>' });
    const { page: attacker } = await newPhone(phones.browser, origin);
    await attacker.goto(`${site.url}mitm.html`);
    await attacker.evaluate((config) => window.startMitm(config), {
      host: '127.0.0.1',
      port: hostile.port,
      path: hostile.path,
      attackerId: 'mitm-attacker',
      extensionId,
    });
    hostile.divert({ target: extensionId, attacker: 'mitm-attacker' });
    const commandsBefore = await appliedCommands();

    const victim = await freshPhone(url);
    await expect.poll(() => handshakeRefusals(extension), { timeout: 15_000 }).toContain('fingerprint_mismatch');
    // The attacker did sit in the middle and relay the phone's handshake...
    expect(await attacker.evaluate(() => window.mitm.relayedToExtension)).toBeGreaterThan(0);
    expect(hostile.diverted).toBeGreaterThan(0);
    // ...and got nothing: the phone never opened, nothing was attached or applied, no device was added.
    await expect.poll(() => phonePhase(victim), { timeout: 20_000 }).toBe('failed');
    expect(await runtimePhoneClients(extension)).toBe(0);
    expect(await appliedCommands()).toBe(commandsBefore);
    expect(await pairedDevices(extension)).toEqual([]);
    await attacker.context().close();
    await victim.context().close();
    hostile.divert({ target: '', attacker: '' });
    await configureLink(panel, { signaling: signaling.settings });
  });

  it('refuses a wrong pairing secret', async () => {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    const offer = parseOffer(url, Date.now());
    const forged = offerToUrl(site.url, { ...offer, secret: new Uint8Array(randomBytes(32)) });
    const page = await freshPhone(forged);
    await expectRefusedPhone(page, 'unknown_offer');
    expect(await pairedDevices(extension)).toEqual([]);
    await page.context().close();
  });

  it('refuses an expired QR code, on the phone and in the extension', async () => {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    const offer = parseOffer(url, Date.now());
    // A code the phone itself can see is stale: refused before any connection.
    const stale = `${site.url}#p=${encodeOffer({ ...offer, expiresAt: Math.floor(Date.now() / 1000 - 3600) * 1000 })}`;
    const stalePage = await freshPhone(stale);
    await expect.poll(() => stalePage.getByTestId('scan-error').textContent()).toContain('expired');
    await stalePage.context().close();
    // A code that expired in the extension while the phone's clock says otherwise: refused by the extension.
    const worker = await currentWorker(extension.context);
    await worker.evaluate(
      (secretId) =>
        (
          globalThis as unknown as {
            tandem: { db: { pairings: { update(id: string, c: object): Promise<number> } } };
          }
        ).tandem.db.pairings.update(secretId, { expiresAt: Date.now() - 1_000 }),
      await panel.evaluate(() => {
        const view = document.querySelector('tandem-panel-app')?.shadowRoot?.querySelector('tandem-pairing-view');
        return (view as unknown as { offer?: { secretId: string } } | null)?.offer?.secretId ?? '';
      }),
    );
    const page = await freshPhone(url);
    await expectRefusedPhone(page, 'expired_offer');
    expect(await pairedDevices(extension)).toEqual([]);
    await page.context().close();
  });

  let paired: Page;

  it('refuses a QR code used a second time', async () => {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    ({ page: paired } = await newPhone(phones.browser, origin));
    await openOnPhone(paired, url);
    await closeSettings(panel);
    const second = await freshPhone(url);
    await expect.poll(() => handshakeRefusals(extension), { timeout: 15_000 }).toContain('secret_used');
    await expect.poll(() => phonePhase(second), { timeout: 20_000 }).toBe('failed');
    expect(await second.getByTestId('phone-failed').textContent()).toContain('already used');
    expect((await pairedDevices(extension)).length).toBe(1);
    expect(await runtimePhoneClients(extension)).toBe(1);
    await second.context().close();
  });

  it('refuses replayed frames and frames with forged tags, and keeps serving the phone', async () => {
    const before = await appliedCommands();
    const codes = await paired.evaluate(async () => {
      const link = window.tandemPhone?.link;
      if (!link) return [];
      // A command whose frame is then replayed: the runtime must see it once.
      await window.tandemPhone?.client.send({ type: 'thread.create', title: 'Created once' });
      link.debug.replayFrame(1);
      link.debug.replayFrame(2);
      link.debug.sendForgedFrame();
      link.debug.sendForgedFrame();
      const deadline = Date.now() + 5_000;
      while (link.linkErrors.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return link.linkErrors.map((e) => e.code);
    });
    expect(codes.filter((c) => c === 'replayed').length).toBe(2);
    expect(codes.filter((c) => c === 'bad_tag').length).toBe(2);
    // Still connected, still served, and the replayed command was applied exactly once.
    expect(await phonePhase(paired)).toBe('open');
    const titles = await paired.evaluate(async () => {
      await window.tandemPhone?.client.send({ type: 'threads.list', includeArchived: true });
      return window.tandemPhone?.client.threads.map((t) => t.title) ?? [];
    });
    expect(titles.filter((t) => t === 'Created once').length).toBe(1);
    expect(await appliedCommands()).toBe(before + 1);
  });

  it('answers each of 10,000 fuzzed frames from an authenticated phone without harm', async () => {
    const FRAMES = 10_000;
    const result = await paired.evaluate(async (count) => {
      const phone = window.tandemPhone;
      if (!phone) throw new Error('no phone');
      const { link } = phone;
      let runtimeAnswers = 0;
      link.onMessage((m) => {
        const type = (m as { type?: string }).type;
        if (type === 'ack' || type === 'error') runtimeAnswers += 1;
      });
      const errorsBefore = link.linkErrors.length;
      let seed = 12345;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
      const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
      const junk = (): unknown =>
        pick<() => unknown>([
          () => Math.floor(rand() * 1e9) - 5e8,
          () => 'x'.repeat(Math.floor(rand() * 40)),
          () => null,
          () => rand() > 0.5,
          () => [1, 'two', { three: 3 }],
          () => ({ nested: { deeper: 'value' } }),
          () => -0.5,
        ])();
      const types = [
        'threads.list',
        'thread.subscribe',
        'thread.history',
        'message.send',
        'task.stop',
        'decision.answer',
        'settings.update',
        'pairing.start',
        'devices.revoke',
        'nonsense',
        '',
      ];
      const command = (): Record<string, unknown> => {
        const value: Record<string, unknown> = { type: pick(types), id: `fuzz-${rand().toString(36).slice(2)}` };
        const fields = [
          'threadId',
          'text',
          'afterSeq',
          'tail',
          'beforeSeq',
          'decisionId',
          'optionId',
          'patch',
          'deviceId',
        ];
        for (let i = Math.floor(rand() * 4); i > 0; i--) value[pick(fields)] = junk();
        // A valid read-only command now and then: it must be answered too.
        if (rand() < 0.1) return { type: 'threads.list', id: value.id };
        if (rand() < 0.05) delete value.id;
        return value;
      };
      const encoder = new TextEncoder();
      const randomBytes = (n: number) => {
        const bytes = new Uint8Array(n);
        for (let i = 0; i < n; i++) bytes[i] = Math.floor(rand() * 256);
        return bytes;
      };
      const chunk = (messageId: number, index: number, count: number, payload: Uint8Array) => {
        const bytes = new Uint8Array(12 + payload.length);
        const view = new DataView(bytes.buffer);
        view.setUint32(0, messageId);
        view.setUint32(4, index);
        view.setUint32(8, count);
        bytes.set(payload, 12);
        return bytes;
      };
      for (let i = 0; i < count; i++) {
        const roll = rand();
        if (roll < 0.45) link.debug.sendSealedMessage(encoder.encode(JSON.stringify({ t: 'msg', m: command() })));
        else if (roll < 0.6) link.debug.sendSealedMessage(randomBytes(1 + Math.floor(rand() * 64)));
        else if (roll < 0.7) link.debug.sendSealedMessage(encoder.encode(JSON.stringify(junk())));
        else if (roll < 0.8) {
          const envelope = pick([
            { t: 'pong', n: 1 },
            { t: 'bye', reason: 'revoked', message: 'x' },
            { t: 'error', frame: 0, code: 'x', message: 'y' },
            { t: 'msg' },
            { t: 'ping', n: -1 },
          ]);
          link.debug.sendSealedMessage(encoder.encode(JSON.stringify(envelope)));
        } else if (roll < 0.9) {
          const kind = Math.floor(rand() * 3);
          const bad =
            kind === 0
              ? chunk(Math.floor(rand() * 1e6), 0, 0, randomBytes(4))
              : kind === 1
                ? chunk(Math.floor(rand() * 1e6), 5, 2, randomBytes(4))
                : randomBytes(Math.floor(rand() * 11));
          link.debug.sendSealedChunk(bad);
        } else {
          link.debug.sendSealedMessage(encoder.encode(JSON.stringify({ t: 'msg', m: junk() })));
        }
        if (i % 500 === 499) await new Promise((r) => setTimeout(r, 0));
      }
      const deadline = Date.now() + 90_000;
      const answered = () => runtimeAnswers + link.linkErrors.length - errorsBefore;
      while (answered() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      return { answered: answered(), phase: link.phase.kind };
    }, FRAMES);
    expect(result).toEqual({ answered: FRAMES, phase: 'open' });
    // Nothing crashed: the link is up and the runtime still answers this phone.
    expect((await linkStatus(extension)).state).toBe('online');
    const ok = await paired.evaluate(() =>
      window.tandemPhone?.client.send({ type: 'threads.list', includeArchived: false }).then(() => true),
    );
    expect(ok).toBe(true);
  });
});

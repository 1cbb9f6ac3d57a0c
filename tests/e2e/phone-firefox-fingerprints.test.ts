/**
 * Firefox at both ends (the extension's link host in its background page, the phone page in a
 * second Firefox) through a signaling server that adds a second `a=fingerprint` line to every
 * session description. Firefox accepts DTLS if any listed fingerprint matches, so the data channel
 * opens; the handshake must refuse the ambiguous binding before any command reaches the runtime.
 * The same rig without the extra line pairs and serves the phone, so the refusal is the point.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSummary } from '../../shared/protocol/link';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type HostileSignaling, startHostileSignaling } from '../fixtures/signaling';
import { makeSandbox } from './support/chromium';
import { FIREFOX_PATH, type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';
import { buildPhonePage, PHONE_DIST, type StaticServer, serveStatic } from './support/phone';

/** Loopback-only ICE in Firefox: allow loopback candidates and show real host addresses. */
const LOOPBACK_ICE_PREFS = {
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
};

let model: ModelServer;
let hostile: HostileSignaling;
let site: StaticServer;
let sandbox: ReturnType<typeof makeSandbox>;
let firefox: FirefoxExtensionBrowser;
let phoneBrowser: Browser;

beforeAll(async () => {
  buildPhonePage();
  [model, hostile, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startHostileSignaling(),
    serveStatic(PHONE_DIST),
  ]);
  sandbox = makeSandbox('phone-firefox-fp');
  firefox = await launchFirefoxWithExtension(sandbox.root, { prefs: LOOPBACK_ICE_PREFS });
  phoneBrowser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    env: { ...process.env, HOME: `${sandbox.root}/phone-home`, TMPDIR: `${sandbox.root}/tmp` },
    extraPrefsFirefox: LOOPBACK_ICE_PREFS,
  });
  await firefox.panel.evaluate(
    async ({ baseUrl, apiKey, settings, phonePageUrl }) => {
      const client = window.tandem?.client;
      await client?.send({ type: 'settings.update', patch: { baseUrl, apiKey, notifyOnFinish: false } });
      await client?.send({
        type: 'link.settings.update',
        patch: { signaling: settings, iceServers: [], phonePageUrl },
      });
    },
    { baseUrl: model.url, apiKey: model.apiKey, settings: hostile.settings, phonePageUrl: site.url },
  );
}, 120_000);

afterAll(async () => {
  await phoneBrowser?.close();
  await firefox?.close();
  await Promise.all([model?.close(), hostile?.close(), site?.close()]);
  sandbox?.cleanup();
});

/** A fresh QR code's URL, once the link host is registered at the signaling server. */
async function showQr(): Promise<string> {
  return firefox.panel.evaluate(async () => {
    const client = window.tandem?.client;
    if (!client) throw new Error('no client');
    const offer = new Promise<string>((resolve) => {
      const off = client.onMessage((m) => {
        if (m.type === 'pairing.offer') {
          off();
          resolve(m.url);
        }
      });
    });
    await client.send({ type: 'pairing.start' });
    const url = await offer;
    for (let i = 0; i < 200; i++) {
      const online = await new Promise<boolean>((resolve) => {
        const off = client.onMessage((m) => {
          if (m.type === 'link.status') {
            off();
            resolve(m.status.state === 'online');
          }
        });
        void client.send({ type: 'link.settings.get' });
      });
      if (online) return url;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the link host did not come online');
  });
}

async function devices(): Promise<DeviceSummary[]> {
  return firefox.panel.evaluate(async () => {
    const client = window.tandem?.client;
    const list = new Promise<DeviceSummary[]>((resolve) => {
      const off = client?.onMessage((m) => {
        if (m.type === 'devices') {
          off?.();
          resolve(m.devices);
        }
      });
    });
    await client?.send({ type: 'devices.list' });
    return list;
  });
}

async function phonePage(url: string): Promise<Page> {
  const context = await phoneBrowser.createBrowserContext();
  const page = await context.newPage();
  await page.evaluateOnNewDocument('globalThis.__name ??= (fn) => fn');
  await page.goto(url);
  return page;
}

const phase = (page: Page) => page.evaluate(() => window.tandemPhone?.link.phase.kind);

describe('Firefox ↔ Firefox through a signaling server that adds a fingerprint', () => {
  it('aborts the pairing before any command, and pairs once the server stops', async () => {
    hostile.addFingerprints(true);
    const url = await showQr();
    const victim = await phonePage(url);
    await victim.waitForFunction(() => window.tandemPhone?.link.phase.kind === 'failed', { timeout: 60_000 });
    // The server did add its line to the descriptions, and the phone said why it stopped.
    expect(hostile.fingerprintsAdded).toBeGreaterThan(0);
    expect(await victim.evaluate(() => window.tandemPhone?.link.lastProblem ?? '')).toMatch(/fingerprint/i);
    // Nothing was paired, nothing got a runtime client, no thread was made.
    expect(await devices()).toEqual([]);
    const threads = await firefox.panel.evaluate(() => window.tandem?.client.threads.length ?? -1);
    expect(threads).toBe(0);
    await victim.browserContext().close();

    // Control: the same browsers and server, without the extra line.
    hostile.addFingerprints(false);
    const added = hostile.fingerprintsAdded;
    const honestUrl = await showQr();
    const phone = await phonePage(honestUrl);
    await phone.waitForFunction(() => window.tandemPhone?.link.phase.kind === 'open', { timeout: 60_000 });
    const threadId = await phone.evaluate(() =>
      window.tandemPhone?.client.send({ type: 'thread.create', title: 'Firefox phone' }),
    );
    expect(threadId).toBeTruthy();
    expect(await phase(phone)).toBe('open');
    expect((await devices()).map((d) => d.connected)).toEqual([true]);
    expect(hostile.fingerprintsAdded).toBe(added);
    await phone.browserContext().close();
  });
});

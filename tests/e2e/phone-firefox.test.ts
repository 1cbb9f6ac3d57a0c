/**
 * The phone link with Firefox as the extension's browser: the link host runs in the background page
 * itself (Firefox's MV3 background has RTCPeerConnection), with the phone page in Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';
import { makeSandbox } from './support/chromium';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';
import {
  buildPhonePage,
  launchPhoneBrowser,
  openOnPhone,
  PHONE_DIST,
  type PhoneBrowser,
  type StaticServer,
  serveStatic,
  waitForPhoneEvent,
} from './support/phone';

/** Loopback-only ICE in Firefox: allow loopback candidates and show real host addresses. */
const LOOPBACK_ICE_PREFS = {
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
};

let model: ModelServer;
let signaling: SignalingFixture;
let site: StaticServer;
let sandbox: ReturnType<typeof makeSandbox>;
let firefox: FirefoxExtensionBrowser;
let phone: PhoneBrowser;

beforeAll(async () => {
  buildPhonePage();
  [model, signaling, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startSignalingServer(),
    serveStatic(PHONE_DIST),
  ]);
  sandbox = makeSandbox('phone-firefox');
  firefox = await launchFirefoxWithExtension(sandbox.root, { prefs: LOOPBACK_ICE_PREFS });
  phone = await launchPhoneBrowser(sandbox.root, new URL(site.url).origin);
});

afterAll(async () => {
  await phone?.close();
  await firefox?.close();
  await Promise.all([model?.close(), signaling?.close(), site?.close()]);
  sandbox?.cleanup();
});

describe('phone link with Firefox', () => {
  it('pairs a phone with the link host in the background page and streams an answer to it', async () => {
    const { panel } = firefox;
    model.script([{ kind: 'text', text: 'Hello from Firefox.' }]);
    const url = await panel.evaluate(
      async ({ baseUrl, apiKey, settings, phonePageUrl }) => {
        const client = window.tandem?.client;
        if (!client) throw new Error('no client');
        await client.send({ type: 'settings.update', patch: { baseUrl, apiKey, notifyOnFinish: false } });
        await client.send({
          type: 'link.settings.update',
          patch: { signaling: settings, iceServers: [], phonePageUrl },
        });
        const offer = new Promise<string>((resolve) => {
          const off = client.onMessage((m) => {
            if (m.type === 'pairing.offer') {
              off();
              resolve(m.url);
            }
          });
        });
        await client.send({ type: 'pairing.start' });
        return offer;
      },
      { baseUrl: model.url, apiKey: model.apiKey, settings: signaling.settings, phonePageUrl: site.url },
    );
    await panel.waitForFunction(
      () =>
        new Promise<boolean>((resolve) => {
          void window.tandem?.client.send({ type: 'link.settings.get' });
          const off = window.tandem?.client.onMessage((m) => {
            if (m.type === 'link.status' && m.status.state === 'online') {
              off?.();
              resolve(true);
            }
          });
          setTimeout(() => resolve(false), 500);
        }),
      { timeout: 20_000, polling: 600 },
    );
    await openOnPhone(phone.page, url);
    const threadId = await phone.page.evaluate(() =>
      window.tandemPhone?.client.send({ type: 'thread.create', title: 'From the phone' }),
    );
    await phone.page.evaluate((id) => {
      window.tandemPhone?.client.subscribe(id ?? '');
      return window.tandemPhone?.client.send({ type: 'message.send', threadId: id ?? '', text: 'Hi Firefox' });
    }, threadId);
    await waitForPhoneEvent(phone.page, threadId ?? '', 'task_finished');
    const text = await phone.page.evaluate(
      (id) =>
        (window.tandemPhone?.client.events(id ?? '') ?? [])
          .filter((e) => e.kind === 'text')
          .map((e) => (e.kind === 'text' ? e.text : ''))
          .join(''),
      threadId,
    );
    expect(text).toContain('Hello from Firefox.');
  });
});

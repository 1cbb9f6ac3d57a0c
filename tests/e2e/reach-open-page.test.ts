/**
 * [reach] on loopback, in two real Chromiums: pairing into a tab where the phone page is already
 * open (a camera app that reuses the tab only changes the fragment), and what the phone tells the
 * user about the link (connection type, presence).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel } from './support/panel';
import {
  buildPhonePage,
  closeSettings,
  configureLink,
  launchPhoneBrowser,
  PHONE_DIST,
  type PhoneBrowser,
  pairedDevices,
  type StaticServer,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
  waitForPhoneOpen,
} from './support/phone';

let model: ModelServer;
let signaling: SignalingFixture;
let site: StaticServer;
let sandbox: ReturnType<typeof makeSandbox>;
let extension: ExtensionBrowser;
let panel: Page;
let phone: PhoneBrowser;

beforeAll(async () => {
  buildPhonePage();
  [model, signaling, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startSignalingServer(),
    serveStatic(PHONE_DIST),
  ]);
  sandbox = makeSandbox('reach-open-page');
  extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  panel = await extension.openPanel();
  await configureModel(panel, model.url, model.apiKey);
  await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
  phone = await launchPhoneBrowser(sandbox.root, new URL(site.url).origin);
});

afterAll(async () => {
  await phone?.close();
  await extension?.close();
  await Promise.all([model?.close(), signaling?.close(), site?.close()]);
  sandbox?.cleanup();
});

describe('phone page already open', () => {
  it('pairs when a new QR code is opened in the tab that shows the page (only the fragment changes)', async () => {
    await phone.page.goto(site.url);
    await phone.page.getByTestId('scan-start').waitFor();
    const loads: string[] = [];
    phone.page.on('load', () => loads.push(phone.page.url()));

    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    // What a camera app does with a tab already on this page: same document, new fragment.
    await phone.page.goto(url);
    await waitForPhoneOpen(phone.page, 20_000);
    expect(loads).toEqual([]);
    expect(phone.page.url()).not.toContain('#');
    await expect.poll(() => panel.getByTestId('pairing-done').isVisible(), { timeout: 5_000 }).toBe(true);
    expect((await pairedDevices(extension)).map((d) => d.connected)).toEqual([true]);
    await closeSettings(panel);
  });

  it('shows the connection type and that the computer is connected', async () => {
    await expect
      .poll(() => phone.page.getByTestId('link-presence').textContent(), { timeout: 10_000 })
      .toContain('Connected');
    // Loopback host candidates: a direct connection, no relay.
    await expect
      .poll(() => phone.page.getByTestId('link-route').textContent(), { timeout: 10_000 })
      .toContain('direct');
  });
});

/**
 * The two-browser set-up the phone e2e files share: the scripted model, a real PeerJS server and
 * the built phone page on loopback, the extension's Chromium with its panel configured for them,
 * and the phone's Chromium; paired through the real QR flow when asked.
 */
import type { Page } from 'playwright-core';
import { type ModelServer, startModelServer } from '../../fixtures/model-server';
import { type SignalingFixture, startSignalingServer } from '../../fixtures/signaling';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './chromium';
import { configureModel } from './panel';
import {
  buildPhonePage,
  closeSettings,
  configureLink,
  launchPhoneBrowser,
  openOnPhone,
  PHONE_DIST,
  type PhoneBrowser,
  type StaticServer,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
} from './phone';

export interface PhoneRig {
  model: ModelServer;
  signaling: SignalingFixture;
  site: StaticServer;
  extension: ExtensionBrowser;
  panel: Page;
  phone: PhoneBrowser;
  close(): Promise<void>;
}

export async function startPhoneRig(name: string, options: { pair?: boolean } = {}): Promise<PhoneRig> {
  buildPhonePage();
  const [model, signaling, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startSignalingServer(),
    serveStatic(PHONE_DIST),
  ]);
  const sandbox = makeSandbox(name);
  const extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  const panel = await extension.openPanel();
  await configureModel(panel, model.url, model.apiKey);
  await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
  const phone = await launchPhoneBrowser(sandbox.root, new URL(site.url).origin);
  if (options.pair) {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    await openOnPhone(phone.page, url);
    await panel.getByTestId('pairing-done').waitFor({ timeout: 10_000 });
    await closeSettings(panel);
  }
  return {
    model,
    signaling,
    site,
    extension,
    panel,
    phone,
    async close() {
      await phone.close();
      await extension.close();
      await Promise.all([model.close(), signaling.close(), site.close()]);
      sandbox.cleanup();
    },
  };
}

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
import { configureModel, runtimeLog } from './support/panel';
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

const launchExtension = () => launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });

beforeAll(async () => {
  buildPhonePage();
  [model, signaling, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startSignalingServer(),
    serveStatic(PHONE_DIST),
  ]);
  sandbox = makeSandbox('reach-open-page');
  extension = await launchExtension();
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

  it('says the computer is unreachable once its browser is closed, and delivers what was typed meanwhile once it is back', async () => {
    model.script([
      { kind: 'text', text: 'First answer.' },
      { kind: 'text', text: 'Got it after the restart.' },
    ]);
    const page = phone.page;
    await page.getByTestId('new-thread').first().click();
    await page.getByTestId('composer-input').fill('First, while connected');
    await page.getByTestId('composer-input').press('Enter');
    await expect
      .poll(() => page.getByTestId('assistant-text').last().textContent(), { timeout: 15_000 })
      .toContain('First answer.');
    const threadId = await page.evaluate(() => window.tandemPhone?.client.threads[0]?.id ?? '');
    expect(threadId).not.toBe('');

    await extension.close();
    const closedAt = Date.now();
    // Within the heartbeat timeout (5 s of silence) plus the time to learn the id is gone.
    await expect
      .poll(() => page.getByTestId('link-presence').textContent(), { timeout: 20_000 })
      .toMatch(/^Computer unreachable since \d\d:\d\d$/);
    expect(Date.now() - closedAt).toBeLessThan(20_000);
    // Written while unreachable: kept in the page's storage, not lost when the tab reloads.
    await page.getByTestId('composer-input').fill('Sent from the train');
    await page.getByTestId('composer-input').press('Enter');
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('tandem.outbox.v1') ?? ''))
      .toContain('Sent from the train');
    // Shown in the thread as not sent yet, not as if the computer had it.
    await expect
      .poll(() => page.getByTestId('queued-state').textContent(), { timeout: 5_000 })
      .toContain('Waiting for your computer');
    expect(await page.getByTestId('queued-message').getByTestId('user-message-text').textContent()).toBe(
      'Sent from the train',
    );
    await page.reload();

    extension = await launchExtension();
    panel = await extension.openPanel();
    await waitForPhoneOpen(page, 45_000);
    await expect.poll(() => page.getByTestId('link-presence').textContent(), { timeout: 10_000 }).toBe('Connected');
    // Delivered once, and answered.
    await expect
      .poll(
        async () => (await runtimeLog(extension.context, threadId)).filter((e) => e.kind === 'user_message').length,
        {
          timeout: 20_000,
        },
      )
      .toBe(2);
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('tandem.outbox.v1')), { timeout: 10_000 })
      .toBeNull();
    expect(await page.getByTestId('queued-message').count()).toBe(0);
    const sent = (await runtimeLog(extension.context, threadId)).filter((e) => e.kind === 'user_message');
    expect(sent.map((e) => (e.kind === 'user_message' ? e.text : ''))).toEqual([
      'First, while connected',
      'Sent from the train',
    ]);
  });
});

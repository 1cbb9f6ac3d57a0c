/**
 * The phone link end to end in two real Chromiums: the extension (runtime in the service worker,
 * link host in the offscreen document) and the phone page in a mobile viewport, over WebRTC on
 * loopback with a local PeerServer. Pairing is done as a person does it: the panel's QR code is
 * decoded from a screenshot and opened on the phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import {
  clientEvents,
  configureModel,
  newThreadFromUi,
  openThreadFromUi,
  runtimeLog,
  sendFromComposer,
  waitForClientEvent,
} from './support/panel';
import {
  buildPhonePage,
  closeSettings,
  configureLink,
  launchPhoneBrowser,
  openOnPhone,
  PHONE_DIST,
  type PhoneBrowser,
  pairedDevices,
  phoneEvents,
  phonePhase,
  runtimePhoneClients,
  type StaticServer,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
  waitForPhoneEvent,
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
  sandbox = makeSandbox('phone');
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

beforeEach(() => model.reset());

/** What both clients hold is exactly the runtime's durable log. */
async function expectBothMatchLog(threadId: string): Promise<ThreadEvent[]> {
  const log = await runtimeLog(extension.context, threadId);
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  expect(await phoneEvents(phone.page, threadId)).toEqual(log);
  expect(await clientEvents(panel, threadId)).toEqual(log);
  return log;
}

async function openThreadOnPhone(title: string): Promise<void> {
  const page = phone.page;
  if (await page.getByTestId('back').isVisible()) await page.getByTestId('back').click();
  await page.getByTestId('thread-item').filter({ hasText: title }).first().click();
  await page.getByTestId('composer-input').waitFor();
}

describe('phone link in Chromium', () => {
  it('pairs by scanning the panel QR code and shows the thread list and history', async () => {
    model.script([{ kind: 'text', text: 'Answer before pairing.' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Written on the computer');
    await waitForClientEvent(panel, threadId, 'task_finished');

    const url = await showAndScanQr(panel);
    expect(url.startsWith(site.url)).toBe(true);
    expect(url).toContain('#p=');
    await waitForLinkOnline(extension);
    await openOnPhone(phone.page, url);
    // The secret left the address bar (and the history entry) at once.
    expect(phone.page.url()).not.toContain('#');
    await expect.poll(() => panel.getByTestId('pairing-done').isVisible(), { timeout: 5_000 }).toBe(true);
    expect((await pairedDevices(extension)).map((d) => d.connected)).toEqual([true]);
    await closeSettings(panel);

    await openThreadOnPhone('Written on the computer');
    await waitForPhoneEvent(phone.page, threadId, 'task_finished');
    await expect
      .poll(() => phone.page.getByTestId('assistant-text').last().textContent())
      .toContain('Answer before pairing.');
    expect(await phoneEvents(phone.page, threadId)).toEqual(await runtimeLog(extension.context, threadId));
  });

  it('sends from the phone: the panel shows it and the answer streams on both', async () => {
    model.script([
      { kind: 'text', text: 'Streaming to both of you, word by word, slowly.', chunkSize: 3, chunkDelayMs: 40 },
    ]);
    const page = phone.page;
    if (await page.getByTestId('back').isVisible()) await page.getByTestId('back').click();
    await page.getByTestId('new-thread').first().click();
    await page.getByTestId('composer-input').fill('Sent from the phone');
    await page.getByTestId('composer-input').press('Enter');
    await page.waitForFunction(() =>
      (window.tandemPhone?.client.threads ?? []).some((t) => t.title.includes('Sent from the phone')),
    );
    const threadId = await page.evaluate(
      () => window.tandemPhone?.client.threads.find((t) => t.title.includes('Sent from the phone'))?.id ?? '',
    );
    await openThreadFromUi(panel, 'Sent from the phone');
    await expect
      .poll(() => panel.getByTestId('user-message-text').last().textContent())
      .toContain('Sent from the phone');
    await waitForPhoneEvent(page, threadId, 'task_finished');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await expect.poll(() => page.getByTestId('assistant-text').last().textContent()).toContain('word by word, slowly.');
    await expect
      .poll(() => panel.getByTestId('assistant-text').last().textContent())
      .toContain('word by word, slowly.');
    const log = await expectBothMatchLog(threadId);
    expect(log.find((e) => e.kind === 'user_message')).toMatchObject({ by: { kind: 'phone' } });
    // Streamed: several text batches reached both clients, not one final message.
    expect(log.filter((e) => e.kind === 'text').length).toBeGreaterThan(2);
  });

  it('sends from the panel: the phone shows it live', async () => {
    model.script([{ kind: 'text', text: 'Seen live on the phone.', chunkSize: 5, chunkDelayMs: 20 }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Typed in the panel');
    await openThreadOnPhone('Typed in the panel');
    await expect
      .poll(() => phone.page.getByTestId('user-message-text').last().textContent())
      .toContain('Typed in the panel');
    await expect
      .poll(() => phone.page.getByTestId('assistant-text').last().textContent(), { timeout: 10_000 })
      .toContain('Seen live on the phone.');
    await waitForPhoneEvent(phone.page, threadId, 'task_finished');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await expectBothMatchLog(threadId);
  });

  it('stops a running answer from the phone', async () => {
    model.script([{ kind: 'hang', afterText: 'This will never end' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Talk until stopped');
    await openThreadOnPhone('Talk until stopped');
    await expect
      .poll(() => phone.page.getByTestId('assistant-text').last().textContent(), { timeout: 10_000 })
      .toContain('never end');
    await phone.page.getByTestId('stop').click();
    await waitForPhoneEvent(phone.page, threadId, 'task_finished', 1, 5_000);
    await waitForClientEvent(panel, threadId, 'task_finished', 1, 5_000);
    const log = await expectBothMatchLog(threadId);
    expect(log.find((e) => e.kind === 'stop_requested')).toMatchObject({ by: { kind: 'phone' } });
    expect(log.find((e) => e.kind === 'task_finished')).toMatchObject({ outcome: 'stopped' });
  });

  it('answers a permission prompt from the phone', async () => {
    model.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'The kettle boiled.' } },
      { kind: 'text', text: 'I told you about the kettle.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Tell me when the kettle boils');
    await openThreadOnPhone('Tell me when the kettle boils');
    const allow = phone.page.locator('[data-testid="decision-option"][data-option-id="allow_once"]');
    await allow.waitFor({ timeout: 10_000 });
    // The panel shows the same question.
    await panel.getByTestId('decision-card').last().waitFor();
    await allow.click();
    await waitForPhoneEvent(phone.page, threadId, 'task_finished');
    const log = await expectBothMatchLog(threadId);
    expect(log.find((e) => e.kind === 'decision_resolved')).toMatchObject({
      optionId: 'allow_once',
      by: { kind: 'phone' },
      allowed: true,
    });
    expect(log.find((e) => e.kind === 'tool_result')).toMatchObject({ name: 'notify_user', isError: false });
  });

  it('refuses trusted-only commands from the phone', async () => {
    for (const type of ['settings.get', 'pairing.start', 'devices.list', 'link.settings.get'] as const) {
      const code = await phone.page.evaluate(
        (t) =>
          window.tandemPhone?.client.send({ type: t }).then(
            () => 'accepted',
            (error: { code?: string }) => error.code ?? 'failed',
          ),
        type,
      );
      expect(code).toBe('not_allowed');
    }
  });

  it('keeps serving the phone when the service worker is stopped under it', async () => {
    model.script([
      { kind: 'text', text: 'Answered before.' },
      { kind: 'text', text: 'Answered by a restarted worker.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Before the worker stops');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await openThreadOnPhone('Before the worker stops');
    await waitForPhoneEvent(phone.page, threadId, 'task_finished');
    // Chrome stops idle workers; the offscreen document keeps the phone's channel and brings the runtime back.
    const welcomes = () =>
      phone.page.evaluate(
        () =>
          ((window as unknown as { __arrivals?: [string, number][] }).__arrivals ?? []).filter(
            ([id]) => id === 'welcome',
          ).length,
      );
    const before = await welcomes();
    await extension.stopServiceWorker(panel);
    await phone.page.getByTestId('composer-input').fill('After the worker stopped');
    await phone.page.getByTestId('composer-input').press('Enter');
    await waitForPhoneEvent(phone.page, threadId, 'task_finished', 2, 20_000);
    await expect
      .poll(() => phone.page.getByTestId('assistant-text').last().textContent())
      .toContain('Answered by a restarted worker.');
    await waitForClientEvent(panel, threadId, 'task_finished', 2, 20_000);
    await expectBothMatchLog(threadId);
    // The phone was greeted by the new runtime (and resubscribed), over the same data channel.
    expect(await welcomes()).toBe(before + 1);
  });

  it('reconnects without a new QR code after the extension’s browser restarts', async () => {
    model.script([{ kind: 'text', text: 'After the restart.' }]);
    await extension.close();
    await expect.poll(() => phonePhase(phone.page), { timeout: 10_000 }).not.toBe('open');
    extension = await launchExtension();
    panel = await extension.openPanel();
    await waitForPhoneOpen(phone.page, 45_000);
    expect(await phone.page.getByTestId('phone-unpaired').count()).toBe(0);
    // And it works: a message from the phone gets an answer.
    const page = phone.page;
    if (await page.getByTestId('back').isVisible()) await page.getByTestId('back').click();
    await page.getByTestId('new-thread').first().click();
    await page.getByTestId('composer-input').fill('Still there?');
    await page.getByTestId('composer-input').press('Enter');
    await expect
      .poll(() => page.getByTestId('assistant-text').last().textContent(), { timeout: 15_000 })
      .toContain('After the restart.');
  });

  it('revokes the phone from the Devices view: dropped at once and refused afterwards', async () => {
    await waitForPhoneOpen(phone.page);
    await panel.getByTestId('open-settings').click();
    await panel.getByTestId('settings-section-phone').click();
    await panel.getByTestId('device-revoke').first().click();
    await panel.getByTestId('device-revoke-confirm').first().click();
    await expect.poll(() => phonePhase(phone.page), { timeout: 5_000 }).toBe('revoked');
    await expect.poll(() => phone.page.getByTestId('phone-revoked').isVisible()).toBe(true);
    await expect.poll(() => panel.getByTestId('devices-empty').isVisible()).toBe(true);
    // No phone is attached to the runtime any more.
    await expect.poll(() => runtimePhoneClients(extension)).toBe(0);
    // A phone that missed the goodbye tries again with the same device key; with the link up (a QR code
    // is shown), the extension answers "revoked" in the handshake.
    await panel.getByTestId('pairing-start').click();
    await panel.getByTestId('pairing-qr').waitFor();
    await waitForLinkOnline(extension);
    await phone.page.evaluate(() => {
      const key = 'tandem.phone.pairing.v1';
      const stored = JSON.parse(localStorage.getItem(key) ?? '{}');
      localStorage.setItem(key, JSON.stringify({ ...stored, kind: 'paired' }));
    });
    await phone.page.reload();
    await expect.poll(() => phonePhase(phone.page), { timeout: 15_000 }).toBe('revoked');
    await expect.poll(() => runtimePhoneClients(extension)).toBe(0);
  });
});

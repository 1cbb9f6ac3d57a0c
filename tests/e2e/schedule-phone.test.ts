/**
 * Schedules through the shared UI, in two real Chromiums: a schedule made with the panel's
 * Schedules screen runs when asked, then the paired phone edits it and deletes it from its own
 * Schedules screen (the user's own action, allowed from the phone).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleView } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';
import { currentWorker, type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, newThreadFromUi, runtimeLog } from './support/panel';
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
  sandbox = makeSandbox('schedule-phone');
  extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  panel = await extension.openPanel();
  await configureModel(panel, model.url, model.apiKey);
  await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
  phone = await launchPhoneBrowser(sandbox.root, new URL(site.url).origin);
  const url = await showAndScanQr(panel);
  await waitForLinkOnline(extension);
  await openOnPhone(phone.page, url);
  await panel.getByTestId('pairing-done').waitFor({ timeout: 10_000 });
  await closeSettings(panel);
});

afterAll(async () => {
  await phone?.close();
  await extension?.close();
  await Promise.all([model?.close(), signaling?.close(), site?.close()]);
  sandbox?.cleanup();
});

async function schedules(): Promise<ScheduleView[]> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(() =>
    (
      globalThis as unknown as { tandem: { schedules: { service: { list(): Promise<ScheduleView[]> } } } }
    ).tandem.schedules.service.list(),
  );
}

describe('schedules in the panel and on the phone', () => {
  it('creates a schedule from the panel screen, runs it now, then the phone edits and deletes it', async () => {
    const threadId = await newThreadFromUi(panel);
    await panel.getByTestId('open-schedules').click();
    const mine = panel.getByTestId('thread-schedules');
    await mine.getByTestId('schedule-new').click();
    await mine.getByTestId('schedule-title').fill('Morning check');
    await mine.getByTestId('schedule-prompt').fill('Check the three sites.');
    await mine.getByTestId('schedule-kind').selectOption('weekly');
    await mine.getByTestId('schedule-time').fill('08:00');
    await mine.getByTestId('schedule-save').click();
    const item = mine.getByTestId('schedule-item');
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(1);
    expect(await item.innerText()).toContain('Every weekday at 08:00');
    const [created] = await schedules();
    expect(created).toMatchObject({ threadId, title: 'Morning check', createdBy: 'user' });

    await item.getByTestId('schedule-run-now').click();
    await expect
      .poll(
        async () => (await runtimeLog(extension.context, threadId)).filter((e) => e.kind === 'task_finished').length,
        { timeout: 20_000 },
      )
      .toBe(1);
    await expect.poll(() => item.getByTestId('schedule-last').innerText(), { timeout: 10_000 }).toMatch(/^Last: Done/);

    // The phone: its Schedules screen lists every thread's schedules; edit the rule, then delete.
    await phone.page.getByTestId('open-schedules').click();
    const onPhone = phone.page.getByTestId('all-schedules').getByTestId('schedule-item');
    await expect.poll(() => onPhone.count(), { timeout: 15_000 }).toBe(1);
    await onPhone.getByTestId('schedule-edit').click();
    await onPhone.getByTestId('schedule-kind').selectOption('daily');
    await onPhone.getByTestId('schedule-time').fill('09:30');
    await onPhone.getByTestId('schedule-save').click();
    await expect.poll(async () => (await schedules())[0]?.description, { timeout: 10_000 }).toBe('Every day at 09:30');
    await expect.poll(() => item.innerText(), { timeout: 10_000 }).toContain('Every day at 09:30');
    await onPhone.getByTestId('schedule-delete').click();
    await onPhone.getByTestId('schedule-delete').click();
    await expect.poll(async () => (await schedules()).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(0);
  });

  it('saves a shortcut on the phone and expands /name typed in the phone composer', async () => {
    await panel.getByTestId('open-schedules').click(); // back from the panel's Schedules screen
    const threadId = await newThreadFromUi(panel);
    const title = 'Shortcut test';
    await panel.evaluate(
      ({ id, title }) => window.tandem?.client.send({ type: 'thread.rename', threadId: id, title }),
      { id: threadId, title },
    );
    const shortcuts = phone.page.getByTestId('shortcuts');
    await shortcuts.getByTestId('shortcut-name').fill('news');
    await shortcuts.getByTestId('shortcut-prompt').fill('Summarise the news.');
    await shortcuts.getByTestId('shortcut-save').click();
    await expect.poll(() => shortcuts.getByTestId('shortcut-item').count(), { timeout: 10_000 }).toBe(1);
    // Back to the thread on the phone, and use it.
    await phone.page.getByTestId('open-schedules').click();
    await phone.page.getByTestId('thread-item').filter({ hasText: title }).first().click();
    await phone.page.getByTestId('composer-input').fill('/news about sport');
    await phone.page.getByTestId('composer-input').press('Enter');
    await expect
      .poll(
        async () =>
          (await runtimeLog(extension.context, threadId)).flatMap((e) => (e.kind === 'user_message' ? [e.text] : [])),
        { timeout: 15_000 },
      )
      .toEqual(['Summarise the news.\n\nabout sport']);
  });
});

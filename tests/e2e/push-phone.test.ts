/**
 * Web Push end to end (issue 12): the built extension in one Chromium, the phone page (served from
 * 127.0.0.1, a secure context, its service worker allowed) in another, paired over the real link.
 * The extension's push goes to the loopback push-service stand-in; the test decrypts it with
 * http_ece, checks the VAPID token, and hands the plaintext to the phone's service worker as the
 * browser's push service would (CDP ServiceWorker.deliverPushMessage). The notification is read
 * with registration.getNotifications(); its tap runs the worker's own tap handler (a headless
 * browser has no notification to click), and the task goes on exactly once.
 */
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushNotice } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { browserSubscription, decryptPush, verifyVapid } from '../fixtures/push-service/independent-check';
import { PushServiceStandIn } from '../fixtures/push-service/push-service';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';
import { currentWorker, type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, newThreadFromUi, runtimeLog, sendFromComposer, waitForClientEvent } from './support/panel';
import {
  buildPhonePage,
  closeSettings,
  configureLink,
  launchPhoneBrowser,
  openOnPhone,
  openPhoneSettings,
  PHONE_DIST,
  type PhoneBrowser,
  pairedDevices,
  type StaticServer,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
} from './support/phone';

let model: ModelServer;
let signaling: SignalingFixture;
let site: StaticServer;
let pushService: PushServiceStandIn;
let sandbox: ReturnType<typeof makeSandbox>;
let extension: ExtensionBrowser;
let panel: Page;
let phoneBrowser: PhoneBrowser;
let phone: { context: BrowserContext; page: Page };
let cdp: CDPSession;
let origin: string;
let registrationId = '';

interface WorkerPush {
  tandem: {
    push: {
      store: {
        allowServiceOrigins(origins: string[]): Promise<void>;
        subscription(deviceId: string): Promise<unknown>;
        vapidKeys(): Promise<{ publicKeyText: string }>;
      };
    };
  };
}

/** A phone context like support/phone.ts newPhone, but with service workers allowed (push needs one). */
async function pushPhone(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    serviceWorkers: 'allow',
  });
  await context.grantPermissions(['camera', 'microphone', 'notifications'], { origin });
  await context.addInitScript('globalThis.__name ??= (fn) => fn');
  return { context, page: await context.newPage() };
}

beforeAll(async () => {
  buildPhonePage();
  [model, signaling, site, pushService] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startSignalingServer(),
    serveStatic(PHONE_DIST),
    new PushServiceStandIn().start(),
  ]);
  origin = new URL(site.url).origin;
  sandbox = makeSandbox('push-phone');
  extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  panel = await extension.openPanel();
  await configureModel(panel, model.url, model.apiKey);
  await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
  const worker = await currentWorker(extension.context);
  await worker.evaluate(
    (o) => (globalThis as unknown as WorkerPush).tandem.push.store.allowServiceOrigins([o]),
    pushService.origin,
  );
  phoneBrowser = await launchPhoneBrowser(sandbox.root, origin);
  phone = await pushPhone(phoneBrowser.browser);
  cdp = await phone.context.newCDPSession(phone.page);
  cdp.on('ServiceWorker.workerErrorReported', ({ errorMessage }) =>
    console.warn('phone service worker error', errorMessage),
  );
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    for (const r of registrations) if (r.scopeURL.startsWith(origin) && !r.isDeleted) registrationId = r.registrationId;
  });
  await cdp.send('ServiceWorker.enable');
  const url = await showAndScanQr(panel);
  await waitForLinkOnline(extension);
  await openOnPhone(phone.page, url);
  await panel.getByTestId('pairing-done').waitFor({ timeout: 10_000 });
  await closeSettings(panel);
  await phone.page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  for (let waited = 0; registrationId === '' && waited < 10_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  if (!registrationId) throw new Error('The phone page registered no service worker.');
});

afterAll(async () => {
  await phoneBrowser?.close();
  await extension?.close();
  await Promise.all([model?.close(), signaling?.close(), site?.close(), pushService?.stop()]);
  sandbox?.cleanup();
});

async function deviceId(): Promise<string> {
  const [device] = await pairedDevices(extension);
  if (!device) throw new Error('no paired device');
  return device.id;
}

async function storedSubscription(): Promise<unknown> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(
    (id) => (globalThis as unknown as WorkerPush).tandem.push.store.subscription(id),
    await deviceId(),
  );
}

async function sendFromPhone(command: Record<string, unknown>): Promise<string> {
  return phone.page.evaluate(
    (c) =>
      (window as unknown as { tandemPhone: { client: { send(c: unknown): Promise<unknown> } } }).tandemPhone.client
        .send(c)
        .then(
          () => 'accepted',
          (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`,
        ),
    command,
  );
}

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  actions: string[];
  data: { kind?: string; threadId?: string; decisionId?: string };
}

function shownNotifications(): Promise<ShownNotification[]> {
  return phone.page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return (await registration.getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      actions: ((n as unknown as { actions?: { action: string }[] }).actions ?? []).map((a) => a.action),
      data: n.data as ShownNotification['data'],
    }));
  });
}

/** What the browser's push service would do: hand the decrypted message to the page's service worker. */
async function deliverToPhone(plaintext: string): Promise<void> {
  // Only an activated worker gets push events; the page is controlled once it is.
  await phone.page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
  await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: plaintext });
}

describe('web push to the phone', () => {
  let subscriptionId = '';
  let browserKeys: ReturnType<typeof browserSubscription>;
  let vapidKey = '';

  /** The first accepted push (decrypted independently, its token verified) that matches. */
  async function waitForNotice(match: (n: PushNotice) => boolean): Promise<{ notice: PushNotice; plaintext: string }> {
    let found: { notice: PushNotice; plaintext: string } | undefined;
    await expect
      .poll(
        () => {
          for (const push of pushService.accepted(subscriptionId)) {
            const claims = verifyVapid(push.headers.authorization ?? '', vapidKey);
            expect(claims.aud).toBe(pushService.origin);
            expect(claims.exp * 1000).toBeGreaterThan(Date.now());
            const plaintext = decryptPush(push.body, browserKeys);
            const notice = JSON.parse(plaintext) as PushNotice;
            if (match(notice)) found = { notice, plaintext };
          }
          return found !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    return found as { notice: PushNotice; plaintext: string };
  }

  it('"Notify me on this phone" asks and subscribes (or shows the browser\'s exact refusal)', async () => {
    await phone.page.getByTestId('push-enable').click();
    const result = phone.page.getByTestId('push-disable').or(phone.page.getByTestId('push-error'));
    await result.first().waitFor({ timeout: 20_000 });
    if (await phone.page.getByTestId('push-error').isVisible()) {
      // Headless Chromium here has no reachable push service (FCM) to subscribe with: print its words.
      const message = (await phone.page.getByTestId('push-error').textContent()) ?? '';
      console.info(`pushManager.subscribe in headless Chromium: ${message.trim()}`);
      expect(message).toContain('Could not turn on notifications');
      expect(await storedSubscription()).toBeUndefined();
    } else {
      expect(await storedSubscription()).toBeDefined();
    }
    // The same command the page sends, over the same link, with a subscription at the stand-in.
    const worker = await currentWorker(extension.context);
    vapidKey = await worker.evaluate(() =>
      (globalThis as unknown as WorkerPush).tandem.push.store.vapidKeys().then((k) => k.publicKeyText),
    );
    browserKeys = browserSubscription();
    const sub = pushService.subscribe(vapidKey);
    subscriptionId = sub.id;
    expect(
      await sendFromPhone({
        type: 'push.subscribe',
        subscription: { endpoint: sub.endpoint, keys: { p256dh: browserKeys.p256dh, auth: browserKeys.auth } },
      }),
    ).toBe('accepted');
    expect(await storedSubscription()).toMatchObject({ endpoint: sub.endpoint });
    await phone.page.getByTestId('push-disable').waitFor();
  });

  it('a waiting decision reaches the phone, its "Allow once" answers it through the link, and the task goes on once', async () => {
    model.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'The kettle boiled.' } },
      { kind: 'text', text: 'Told you.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Tell me when the kettle boils');
    const { notice, plaintext } = await waitForNotice((n) => n.threadId === threadId && n.kind === 'decision');
    expect(notice).toMatchObject({ kind: 'decision', threadId, actions: ['allow_once', 'deny'] });

    await deliverToPhone(plaintext);
    await expect.poll(async () => (await shownNotifications()).length, { timeout: 10_000 }).toBe(1);
    const [shown] = await shownNotifications();
    expect(shown).toMatchObject({
      title: notice.title,
      tag: `tandem-thread-${threadId}`,
      actions: ['allow_once', 'deny'],
      data: { kind: 'decision', threadId, decisionId: notice.decisionId },
    });

    // The tap: the worker's notificationclick handler body, with the action the user chose.
    const sw = phone.context.serviceWorkers().find((w) => w.url().startsWith(origin));
    if (!sw) throw new Error('no phone service worker');
    const tap = await sw.evaluate(
      (d) =>
        (
          self as unknown as {
            tandemHandleNotificationTap(data: unknown, action: string): Promise<{ commandId: string }>;
          }
        ).tandemHandleNotificationTap(d, 'allow_once'),
      shown?.data,
    );
    await expect
      .poll(() => phone.page.getByTestId('push-tap-outcome').textContent(), { timeout: 15_000 })
      .toContain('Allowed once');
    // Landed on that thread.
    await expect.poll(() => phone.page.getByTestId('phone-title').textContent()).toContain('kettle');
    await waitForClientEvent(panel, threadId, 'task_finished');

    // The same tap sent again (a page that reconnected before it heard the answer): applied once.
    await phone.page.evaluate(
      async (t) => {
        const open = indexedDB.open('tandem-push', 1);
        await new Promise((r) => {
          open.onsuccess = r;
        });
        const tx = open.result.transaction('pending', 'readwrite');
        tx.objectStore('pending').put({ ...t, at: Date.now() });
        await new Promise((r) => {
          tx.oncomplete = r;
        });
        open.result.close();
        navigator.serviceWorker.dispatchEvent(new MessageEvent('message', { data: { type: 'tandem-push-tap' } }));
      },
      { commandId: tap.commandId, threadId, decisionId: notice.decisionId, optionId: 'allow_once' },
    );
    await expect
      .poll(
        () =>
          phone.page.evaluate(
            () =>
              new Promise((r) => {
                const open = indexedDB.open('tandem-push', 1);
                open.onsuccess = () => {
                  const req = open.result.transaction('pending').objectStore('pending').count();
                  req.onsuccess = () => r(req.result);
                };
              }),
          ),
        { timeout: 10_000 },
      )
      .toBe(0);
    const log = await runtimeLog(extension.context, threadId);
    expect(log.filter((e) => e.kind === 'decision_resolved')).toHaveLength(1);
    expect(log.filter((e) => e.kind === 'decision_resolved')[0]).toMatchObject({
      optionId: 'allow_once',
      by: { kind: 'phone' },
    });
    expect(log.filter((e) => e.kind === 'tool_result' && e.name === 'notify_user')).toHaveLength(1);
    expect(log.filter((e) => e.kind === 'task_finished')).toHaveLength(1);
  });

  it('a decision answered on the computer replaces the phone notification with its withdrawal', async () => {
    model.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'Again.' } },
      { kind: 'text', text: 'Done.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Ping me once more');
    const decision = await waitForNotice((n) => n.threadId === threadId && n.kind === 'decision');
    await deliverToPhone(decision.plaintext);
    await expect
      .poll(async () =>
        (await shownNotifications()).filter((n) => n.data.threadId === threadId).map((n) => n.data.kind),
      )
      .toEqual(['decision']);
    await panel.locator('[data-testid="decision-option"][data-option-id="deny"]').last().click();
    const withdrawn = await waitForNotice((n) => n.threadId === threadId && n.kind === 'withdrawn');
    expect(withdrawn.notice.body).toContain('on the computer');
    await deliverToPhone(withdrawn.plaintext);
    await expect
      .poll(async () =>
        (await shownNotifications())
          .filter((n) => n.data.threadId === threadId)
          .map((n) => [n.data.kind, n.actions.length]),
      )
      .toEqual([['withdrawn', 0]]);
  });

  it('a "Deny" tapped while no page is open takes effect when the page next connects, once', async () => {
    model.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'Later.' } },
      { kind: 'text', text: 'Understood.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Ask me while my phone is locked');
    const { notice } = await waitForNotice((n) => n.threadId === threadId && n.kind === 'decision');
    await phone.page.close();
    const sw = phone.context.serviceWorkers().find((w) => w.url().startsWith(origin));
    if (!sw) throw new Error('no phone service worker');
    await sw.evaluate(
      (d) =>
        (
          self as unknown as { tandemHandleNotificationTap(data: unknown, action: string): Promise<unknown> }
        ).tandemHandleNotificationTap(d, 'deny'),
      { kind: 'decision', threadId, decisionId: notice.decisionId },
    );
    // Still pending on the computer: nothing reached it without a page.
    expect((await runtimeLog(extension.context, threadId)).some((e) => e.kind === 'decision_resolved')).toBe(false);
    phone.page = phone.context.pages().find((p) => p.url().startsWith(origin)) ?? (await phone.context.newPage());
    if (!phone.page.url().startsWith(origin)) await phone.page.goto(site.url);
    cdp = await phone.context.newCDPSession(phone.page);
    await expect
      .poll(() => phone.page.getByTestId('push-tap-outcome').textContent(), { timeout: 30_000 })
      .toContain('Denied');
    await waitForClientEvent(panel, threadId, 'task_finished');
    const log = await runtimeLog(extension.context, threadId);
    expect(log.filter((e) => e.kind === 'decision_resolved')).toEqual([
      expect.objectContaining({ optionId: 'deny', by: expect.objectContaining({ kind: 'phone' }) }),
    ]);
  });

  it('coalesces: one notice per thread per window, the newest after it', async () => {
    const worker = await currentWorker(extension.context);
    const before = pushService.accepted(subscriptionId).length;
    await worker.evaluate(async () => {
      const push = (globalThis as unknown as { tandem: { push: { notifyUser(n: unknown): Promise<void> } } }).tandem
        .push;
      for (const title of ['first', 'second', 'third']) {
        await push.notifyUser({ kind: 'notice', threadId: 'coalesce-thread', title, body: '' });
      }
    });
    // Other threads' notices may arrive meanwhile: only this thread's count.
    const titles = () =>
      pushService
        .accepted(subscriptionId)
        .slice(before)
        .map((p) => JSON.parse(decryptPush(p.body, browserKeys)) as PushNotice)
        .filter((n) => n.threadId === 'coalesce-thread')
        .map((n) => n.title);
    await expect.poll(titles).toEqual(['first']);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(titles()).toEqual(['first']);
    await expect.poll(titles, { timeout: 15_000 }).toEqual(['first', 'third']);
  });

  it('the privacy switch in Settings → Phone makes every notice only "Tandem needs you"', async () => {
    await openPhoneSettings(panel);
    await panel.getByTestId('push-details').uncheck();
    const worker = await currentWorker(extension.context);
    await expect
      .poll(() =>
        worker.evaluate(() =>
          (
            globalThis as unknown as { tandem: { push: { store: { settings(): Promise<{ details: boolean }> } } } }
          ).tandem.push.store
            .settings()
            .then((s) => s.details),
        ),
      )
      .toBe(false);
    await closeSettings(panel);
    const before = pushService.accepted(subscriptionId).length;
    await worker.evaluate(() =>
      (globalThis as unknown as { tandem: { push: { notifyUser(n: unknown): Promise<void> } } }).tandem.push.notifyUser(
        {
          kind: 'notice',
          threadId: 'private-thread',
          title: 'Quarterly numbers',
          body: 'Secret details',
        },
      ),
    );
    const [push] = (await pushService.waitForAccepted(before + 1, subscriptionId)).slice(before);
    const notice = JSON.parse(decryptPush(push?.body ?? Buffer.alloc(0), browserKeys)) as PushNotice;
    expect(notice).toMatchObject({ title: 'Tandem needs you', body: '', actions: [] });
  });

  it('a 410 from the push service removes the subscription, and nothing more is sent to it', async () => {
    pushService.expire(subscriptionId);
    model.script([{ kind: 'text', text: 'Finished quickly.' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Quick one');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await expect.poll(() => storedSubscription(), { timeout: 15_000 }).toBeUndefined();
    const refused = pushService.pushes.filter((p) => p.subscriptionId === subscriptionId && p.status === 410).length;
    expect(refused).toBe(1);
    // The phone page offers to turn notifications on again.
    await phone.page.reload();
    await phone.page.waitForFunction(() => window.tandemPhone?.link.phase.kind === 'open', undefined, {
      timeout: 30_000,
    });
    if (await phone.page.getByTestId('back').isVisible()) await phone.page.getByTestId('back').click();
    await phone.page.getByTestId('push-enable').waitFor({ timeout: 20_000 });
  });

  it('a revoked phone loses its subscription and gets no more pushes', async () => {
    browserKeys = browserSubscription();
    const sub = pushService.subscribe(vapidKey);
    subscriptionId = sub.id;
    expect(
      await sendFromPhone({
        type: 'push.subscribe',
        subscription: { endpoint: sub.endpoint, keys: { p256dh: browserKeys.p256dh, auth: browserKeys.auth } },
      }),
    ).toBe('accepted');
    const id = await deviceId();
    await panel.evaluate((deviceId) => window.tandem?.client.send({ type: 'devices.revoke', deviceId }), id);
    const worker = await currentWorker(extension.context);
    expect(
      await worker.evaluate((d) => (globalThis as unknown as WorkerPush).tandem.push.store.subscription(d), id),
    ).toBeUndefined();
    model.script([{ kind: 'text', text: 'Nobody hears this on the phone.' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'After the revoke');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await new Promise((r) => setTimeout(r, 6_000)); // past the coalescing window
    expect(pushService.pushes.filter((p) => p.subscriptionId === sub.id)).toEqual([]);
  });
});

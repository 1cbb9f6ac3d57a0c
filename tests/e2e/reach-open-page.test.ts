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

/** The phone page's outbox as stored in its IndexedDB (page-outbox.ts): each command's text and photos. */
function storedOutbox(page: Page): Promise<{ text: string; photos: number; chars: number }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open('tandem-phone', 1);
        let missing = false;
        // No outbox database yet: read nothing, and do not create it (the page creates its own).
        request.onupgradeneeded = () => {
          missing = true;
          request.transaction?.abort();
        };
        request.onerror = () => (missing ? resolve([]) : reject(request.error));
        request.onsuccess = () => {
          const db = request.result;
          let all: IDBRequest;
          try {
            all = db.transaction('outbox', 'readonly').objectStore('outbox').getAll();
          } catch (error) {
            db.close();
            reject(error);
            return;
          }
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            type Row = { order: number; command: { text?: string; attachments?: { data?: string }[] } };
            const rows = (all.result as Row[]).sort((a, b) => a.order - b.order);
            resolve(
              rows.map((row) => ({
                text: row.command.text ?? '',
                photos: row.command.attachments?.length ?? 0,
                chars: JSON.stringify(row.command).length,
              })),
            );
          };
        };
      }),
  );
}

/**
 * A photo as a phone takes it: a noisy JPEG of 1200×900 just under the size the composer sends
 * unchanged (about 1.15 MB once in base64), made by the phone's own browser.
 */
async function largePhoto(page: Page, seed: number): Promise<Buffer> {
  const base64 = await page.evaluate(async (n) => {
    const canvas = new OffscreenCanvas(1200, 900);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    const image = context.createImageData(1200, 900);
    let x = n * 2654435761 + 1;
    for (let i = 0; i < image.data.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      image.data[i] = i % 4 === 3 ? 255 : x >>> 24;
    }
    context.putImageData(image, 0, 0);
    let best: Blob | undefined;
    for (let quality = 0.95; quality > 0.3; quality -= 0.05) {
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      if (blob.size <= 880_000) {
        best = blob;
        break;
      }
    }
    if (!best) throw new Error('could not make the photo');
    const bytes = new Uint8Array(await best.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }, seed);
  return Buffer.from(base64, 'base64');
}

/** Writes a message with two photos and sends it. */
async function sendWithPhotos(page: Page, text: string, seeds: [number, number]): Promise<void> {
  const files = await Promise.all(
    seeds.map(async (seed) => ({
      name: `IMG_${seed}.jpg`,
      mimeType: 'image/jpeg',
      buffer: await largePhoto(page, seed),
    })),
  );
  await page.getByTestId('attach-input').setInputFiles(files);
  const chips = page.locator('tandem-composer [data-testid="attachment-chip"]');
  await expect.poll(() => chips.count(), { timeout: 30_000 }).toBe(2);
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
  await expect.poll(() => chips.count(), { timeout: 10_000 }).toBe(0);
}

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
      { kind: 'text', text: 'And the photos.' },
      { kind: 'text', text: 'And more photos.' },
      { kind: 'text', text: 'All of them.' },
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
    // Written while unreachable: kept in the page's storage, not lost when the tab reloads; photos
    // included, far more than localStorage's 5 MB could hold (the page's IndexedDB holds them).
    await page.getByTestId('composer-input').fill('Sent from the train');
    await page.getByTestId('composer-input').press('Enter');
    await sendWithPhotos(page, 'Photos from the platform', [1, 2]);
    await sendWithPhotos(page, 'Photos from the bridge', [3, 4]);
    await sendWithPhotos(page, 'Photos from the harbour', [5, 6]);
    const queuedTexts = [
      'Sent from the train',
      'Photos from the platform',
      'Photos from the bridge',
      'Photos from the harbour',
    ];
    await expect
      .poll(async () => (await storedOutbox(page)).map((c) => c.text), { timeout: 10_000 })
      .toEqual(queuedTexts);
    const stored = await storedOutbox(page);
    expect(stored.map((c) => c.photos)).toEqual([0, 2, 2, 2]);
    expect(stored.reduce((sum, c) => sum + c.chars, 0)).toBeGreaterThan(6_000_000);
    expect(await page.evaluate(() => localStorage.getItem('tandem.outbox.v1'))).toBeNull();

    // Storage full: the user is told, the message stays in the composer, nothing is queued.
    await page.evaluate(() => {
      const store = IDBObjectStore.prototype as IDBObjectStore & { realPut?: IDBObjectStore['put'] };
      store.realPut = store.put;
      store.put = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    await page.getByTestId('composer-input').fill('One photo too many');
    await page.getByTestId('composer-input').press('Enter');
    await expect
      .poll(() => page.getByTestId('error-banner').textContent(), { timeout: 5_000 })
      .toMatch(/storage is full/i);
    await expect.poll(() => page.getByTestId('composer-input').inputValue()).toBe('One photo too many');
    await page.evaluate(() => {
      const store = IDBObjectStore.prototype as IDBObjectStore & { realPut?: IDBObjectStore['put'] };
      if (store.realPut) store.put = store.realPut;
    });
    await page.getByTestId('composer-input').fill('');
    expect((await storedOutbox(page)).map((c) => c.text)).toEqual(queuedTexts);
    // Shown in the thread as not sent yet, not as if the computer had it.
    await expect
      .poll(() => page.getByTestId('queued-state').first().textContent(), { timeout: 5_000 })
      .toContain('Waiting for your computer');
    await expect.poll(() => page.getByTestId('queued-message').count()).toBe(4);
    expect(await page.getByTestId('queued-message').getByTestId('user-message-text').allTextContents()).toEqual(
      queuedTexts,
    );
    await page.reload();
    // Read back from the page's storage after the reload, still waiting.
    await expect.poll(() => page.getByTestId('queued-message').count(), { timeout: 10_000 }).toBe(4);

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
      .toBe(5);
    await expect.poll(async () => (await storedOutbox(page)).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('queued-message').count(), { timeout: 10_000 }).toBe(0);
    // Each once, in the order written, with every photo.
    const sent = (await runtimeLog(extension.context, threadId)).filter((e) => e.kind === 'user_message');
    expect(sent.map((e) => (e.kind === 'user_message' ? e.text : ''))).toEqual([
      'First, while connected',
      ...queuedTexts,
    ]);
    expect(sent.map((e) => (e.kind === 'user_message' ? (e.attachments?.length ?? 0) : -1))).toEqual([0, 0, 2, 2, 2]);
  });
});

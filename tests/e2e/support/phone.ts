/**
 * The phone side of the phone-link tests: builds and serves the phone page on 127.0.0.1, launches a
 * second Chromium as "the phone" (mobile viewport, touch), and pairs it the way a person does: the
 * side panel shows a QR code, the test screenshots it, decodes it (jsQR) and opens the URL it holds.
 *
 * Both Chromiums need WebRTC over loopback (see ../shared/BROWSER-TESTING.md): the
 * `--allow-loopback-in-peer-connection` switch AND `WebRtcHideLocalIpsWithMdns` in the one
 * `--disable-features` list Chromium honours, merged with the list Playwright passes itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import jsQR from 'jsqr';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { parseOffer } from '../../../shared/link/pairing-offer.ts';
import type { ThreadEvent } from '../../../shared/protocol';
import type { DeviceSummary, LinkSettingsPatch, LinkStatus } from '../../../shared/protocol/link';
import type { SignalingFixture } from '../../fixtures/signaling';
import { CHROMIUM_PATH, currentWorker, type ExtensionBrowser } from './chromium';

export const PHONE_WEB_DIR = resolve(import.meta.dirname, '../../../phone-web');
export const PHONE_DIST = join(PHONE_WEB_DIR, 'dist');

/** Playwright 1.65's own `--disable-features` list (chromiumSwitches.ts), which ours must repeat. */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

export const WEBRTC_LOOPBACK_ARGS = [
  '--allow-loopback-in-peer-connection',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, 'WebRtcHideLocalIpsWithMdns'].join(',')}`,
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/** Builds phone-web/dist (about a second). */
export function buildPhonePage(): void {
  const result = spawnSync(
    'npx',
    ['vite', 'build', '--config', join(PHONE_WEB_DIR, 'vite.config.ts'), '--logLevel', 'warn'],
    {
      cwd: resolve(PHONE_WEB_DIR, '..'),
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('The phone page did not build.');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.json': 'application/json',
};

export interface StaticServer {
  url: string;
  /** Extra routes (path → body), e.g. a test-only page. */
  routes: Map<string, { type: string; body: string }>;
  close(): Promise<void>;
}

/** Serves a folder on 127.0.0.1 (the phone page's static build: what any HTTPS host would serve). */
export async function serveStatic(root: string): Promise<StaticServer> {
  const routes = new Map<string, { type: string; body: string }>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const route = routes.get(path);
    if (route) {
      res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' }).end(route.body);
      return;
    }
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    routes,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface PhoneBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A second Chromium, as a phone: a mobile viewport with touch, dark or light as the system says. */
export async function launchPhoneBrowser(root: string, origin: string): Promise<PhoneBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    env: { ...process.env, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp') },
    args: ['--no-first-run', '--disable-gpu', '--disable-quic', ...WEBRTC_LOOPBACK_ARGS],
  });
  const { context, page } = await newPhone(browser, origin);
  return { browser, context, page, close: () => browser.close() };
}

/** Another phone (its own storage, so its own device key) in the same browser. */
export async function newPhone(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    serviceWorkers: 'block',
  });
  // Without a media permission an http page may gather no ICE candidates on a loopback-only machine.
  await context.grantPermissions(['camera', 'microphone'], { origin });
  await context.addInitScript('globalThis.__name ??= (fn) => fn');
  await context.addInitScript(ARRIVAL_RECORDER);
  const page = await context.newPage();
  return { context, page };
}

// ——— The extension side ———

export async function configureLink(panel: Page, patch: LinkSettingsPatch): Promise<void> {
  await panel.evaluate((p) => window.tandem?.client.send({ type: 'link.settings.update', patch: p }), patch);
}

/** Opens Settings → Phone in the panel. */
export async function openPhoneSettings(panel: Page): Promise<void> {
  if (!(await panel.getByTestId('settings-section-phone').isVisible()))
    await panel.getByTestId('open-settings').click();
  await panel.getByTestId('settings-section-phone').click();
  await panel.getByTestId('pairing-start').or(panel.getByTestId('pairing-qr')).first().waitFor();
}

/** Clicks "Pair a phone", screenshots the QR code and decodes it: the URL a phone camera would open. */
export async function showAndScanQr(panel: Page): Promise<string> {
  await openPhoneSettings(panel);
  const qr = panel.getByTestId('pairing-qr');
  // Always a fresh code: one still on screen may name other settings.
  if (await qr.isVisible()) await panel.getByTestId('pairing-cancel').click();
  await panel.getByTestId('pairing-start').click();
  await qr.waitFor({ state: 'visible', timeout: 10_000 });
  await panel.waitForFunction(() => {
    const view = document.querySelector('tandem-panel-app')?.shadowRoot?.querySelector('tandem-pairing-view');
    const img = view?.shadowRoot?.querySelector('img');
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
  });
  return decodeQr(await qr.screenshot());
}

export function decodeQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!code) throw new Error('No QR code could be read from the panel.');
  return code.data;
}

interface WorkerLink {
  tandem: {
    link: {
      status(): LinkStatus;
      refusals: { code: string; at: number }[];
      devices(): Promise<DeviceSummary[]>;
    };
    db: {
      commands: { count(): Promise<number> };
      pairings: { toCollection(): { modify(c: object): Promise<number> } };
    };
    runtime: { hub: { clients: Map<string, { connection: { kind: string } }> } };
  };
}

export async function linkStatus(extension: ExtensionBrowser): Promise<LinkStatus> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(() => (globalThis as unknown as WorkerLink).tandem.link.status());
}

export async function waitForLinkOnline(extension: ExtensionBrowser, timeout = 20_000): Promise<void> {
  const started = Date.now();
  while ((await linkStatus(extension)).state !== 'online') {
    if (Date.now() - started > timeout)
      throw new Error(`The link host did not come online: ${JSON.stringify(await linkStatus(extension))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function handshakeRefusals(extension: ExtensionBrowser): Promise<string[]> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(() => (globalThis as unknown as WorkerLink).tandem.link.refusals.map((r) => r.code));
}

export async function pairedDevices(extension: ExtensionBrowser): Promise<DeviceSummary[]> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(() => (globalThis as unknown as WorkerLink).tandem.link.devices());
}

/** Phones attached to the runtime right now (a phone that failed the handshake never is one). */
export async function runtimePhoneClients(extension: ExtensionBrowser): Promise<number> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(
    () =>
      [...(globalThis as unknown as WorkerLink).tandem.runtime.hub.clients.values()].filter(
        (client) => client.connection.kind === 'phone',
      ).length,
  );
}

/** Leaves the panel's settings (after pairing: leaving while a code is shown cancels it). */
export async function closeSettings(panel: Page): Promise<void> {
  if (await panel.getByTestId('settings-section-phone').isVisible()) await panel.getByTestId('back').click();
}

// ——— The phone side ———

/** Opens a scanned URL on the phone and waits until it shows the thread list over an open link. */
export async function openOnPhone(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForPhoneOpen(page);
}

export async function waitForPhoneOpen(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => window.tandemPhone?.link.phase.kind === 'open', undefined, { timeout });
}

export function phonePhase(page: Page): Promise<string | undefined> {
  return page.evaluate(() => window.tandemPhone?.link.phase.kind);
}

export function phoneEvents(page: Page, threadId: string): Promise<ThreadEvent[]> {
  return page.evaluate((id) => [...(window.tandemPhone?.client.events(id) ?? [])], threadId);
}

export async function waitForPhoneEvent(
  page: Page,
  threadId: string,
  kind: ThreadEvent['kind'],
  count = 1,
  timeout = 30_000,
): Promise<void> {
  await page.waitForFunction(
    ({ id, kind, count }) =>
      (window.tandemPhone?.client.events(id) ?? []).filter((e) => e.kind === kind).length >= count,
    { id: threadId, kind, count },
    { timeout },
  );
}

// ——— Drops: break the link at random points and check what the phone received ———

/**
 * Records, in the phone page, every thread event as it arrives on the link (before the client's
 * de-duplication), per page lifetime, so a test can prove nothing arrived twice or out of order.
 */
export const ARRIVAL_RECORDER = `(() => {
  window.__arrivals = [];
  window.addEventListener('tandem-phone-ready', () => {
    window.tandemPhone.link.onMessage((m) => {
      if (!m || typeof m !== 'object') return;
      if (m.type === 'welcome') window.__arrivals.push(['welcome', 0]);
      else if (m.type === 'thread.event') window.__arrivals.push([m.threadId, m.event.seq]);
      else if (m.type === 'thread.page' && m.reason !== 'history') for (const e of m.events) window.__arrivals.push([m.threadId, e.seq]);
    });
  });
})();`;

export type DropKind = 'peer-connection' | 'reload' | 'signaling';

export interface ArrivalCheck {
  /** Events received more than once within one page lifetime. */
  duplicated: number;
  /** Events received after a later one, or with a gap before them. */
  reordered: number;
}

/** Within one page lifetime, a thread's events must arrive as one run: each seq one more than the last. */
export function checkArrivals(arrivals: readonly (readonly [string, number])[], threadId: string): ArrivalCheck {
  let last: number | undefined;
  let duplicated = 0;
  let reordered = 0;
  for (const [id, seq] of arrivals) {
    if (id !== threadId) continue;
    if (last !== undefined && seq <= last) duplicated += 1;
    else if (last !== undefined && seq !== last + 1) reordered += 1;
    if (last === undefined || seq > last) last = seq;
  }
  return { duplicated, reordered };
}

export async function readArrivals(page: Page): Promise<[string, number][]> {
  return page.evaluate(() => (window as unknown as { __arrivals?: [string, number][] }).__arrivals ?? []);
}

/** Breaks the link one way, then waits until the phone is back (its runtime said welcome again). */
export async function dropOnce(
  page: Page,
  kind: DropKind,
  signaling: SignalingFixture,
  arrivals: ArrivalCheck,
  threadId: string,
  pauseMs: number,
): Promise<void> {
  const welcomes = await page.evaluate(
    () =>
      (window as unknown as { __arrivals?: [string, number][] }).__arrivals?.filter(([id]) => id === 'welcome')
        .length ?? 0,
  );
  if (kind === 'reload') {
    const check = checkArrivals(await readArrivals(page), threadId);
    arrivals.duplicated += check.duplicated;
    arrivals.reordered += check.reordered;
    await page.reload({ waitUntil: 'commit' });
    await page.waitForFunction(() => window.tandemPhone !== undefined);
    await waitForPhoneOpen(page, 30_000);
    return;
  }
  if (kind === 'signaling') {
    await signaling.stop();
    await page.evaluate(() => window.tandemPhone?.link.debug.dropConnection());
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await signaling.restart();
    await page.evaluate(() => window.tandemPhone?.link.retryNow());
  } else {
    await page.evaluate(() => window.tandemPhone?.link.debug.dropConnection());
  }
  await page.waitForFunction(
    (before) =>
      window.tandemPhone?.link.phase.kind === 'open' &&
      ((window as unknown as { __arrivals?: [string, number][] }).__arrivals?.filter(([id]) => id === 'welcome')
        .length ?? 0) > before,
    welcomes,
    { timeout: 30_000 },
  );
}

// ——— The in-page scanner and what the phone keeps on disk ———

/**
 * Writes a Y4M video (what Chromium's `--use-file-for-fake-video-capture` plays as the camera) of a
 * QR code holding `text`, as a phone camera pointed at the side panel would see it.
 */
export function writeQrVideo(text: string, path: string): void {
  const width = 640;
  const height = 480;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const scale = Math.floor((height - 40) / (modules.size + 2 * quiet));
  const side = scale * (modules.size + 2 * quiet);
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++) {
      if (!modules.get(y, x)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = (top + (y + quiet) * scale + dy) * width + left + (x + quiet) * scale;
        luma.fill(20, row, row + scale);
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: 10 }, () => frame)]));
}

/** A phone whose profile lives on disk (so its history, cookies and storage can be read afterwards). */
export async function launchPersistentPhone(
  root: string,
  profileDir: string,
  origin: string,
  options: { cameraFile?: string } = {},
): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    serviceWorkers: 'block',
    env: { ...process.env, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp') },
    args: [
      '--no-first-run',
      '--disable-gpu',
      '--disable-quic',
      ...WEBRTC_LOOPBACK_ARGS,
      ...(options.cameraFile ? [`--use-file-for-fake-video-capture=${options.cameraFile}`] : []),
    ],
  });
  await context.grantPermissions(['camera', 'microphone'], { origin });
  await context.addInitScript('globalThis.__name ??= (fn) => fn');
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, close: () => context.close() };
}

/** Every way the pairing secret of `offerUrl` could be written down. */
export function secretSpellings(offerUrl: string): { name: string; bytes: Buffer }[] {
  const { secret } = parseOffer(new URL(offerUrl).hash, 0, { clockToleranceMs: Number.MAX_SAFE_INTEGER });
  const fragment = new URLSearchParams(new URL(offerUrl).hash.slice(1)).get('p') ?? '';
  const hex = Buffer.from(secret).toString('hex');
  // Bytes 34..65 of the encoded offer are the secret: characters 46..88 of its base64url encode
  // only secret bits, so they are found even in a truncated or re-encoded URL.
  const texts: [string, string][] = [
    ['offer in the URL', fragment],
    ['secret part of the URL', fragment.slice(46, 88)],
    ['hex', hex],
    ['HEX', hex.toUpperCase()],
    ['base64url', Buffer.from(secret).toString('base64url')],
    ['base64', Buffer.from(secret).toString('base64')],
  ];
  return [
    { name: 'raw bytes', bytes: Buffer.from(secret) },
    ...texts.flatMap(([name, text]) => [
      { name, bytes: Buffer.from(text, 'latin1') },
      { name: `${name} (UTF-16)`, bytes: Buffer.from(text, 'utf16le') },
    ]),
  ];
}

/** Files under `dir` (SQLite databases and their WAL/journal files, LevelDB, caches…) holding any spelling. */
export function findOnDisk(dir: string, needles: { name: string; bytes: Buffer }[]): string[] {
  const hits: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const file = join(path, name);
      let stat: ReturnType<typeof statSync>;
      try {
        stat = statSync(file);
      } catch {
        continue; // a socket or a file gone meanwhile
      }
      if (stat.isDirectory()) walk(file);
      else if (stat.isFile() && stat.size > 0) {
        const content = readFileSync(file);
        for (const needle of needles) {
          if (content.includes(needle.bytes)) hits.push(`${file.slice(dir.length + 1)}: ${needle.name}`);
        }
      }
    }
  };
  walk(dir);
  return hits;
}

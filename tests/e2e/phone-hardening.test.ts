/**
 * Phone link hardening, end to end in real Chromiums (extension + phone page over WebRTC on
 * loopback, a real PeerServer): a QR code dies with the side panel that showed it; the in-page
 * scanner (fake camera playing the panel's QR code) pairs without the secret ever reaching the
 * phone's disk, while a camera-app scan leaves it in the history database, used up; the phone
 * page's Content-Security-Policy confines it to its signaling server.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';
import { currentWorker, type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel } from './support/panel';
import {
  buildPhonePage,
  closeSettings,
  configureLink,
  findOnDisk,
  launchPersistentPhone,
  launchPhoneBrowser,
  linkStatus,
  newPhone,
  PHONE_DIST,
  type PhoneBrowser,
  pairedDevices,
  phonePhase,
  runtimePhoneClients,
  type StaticServer,
  secretSpellings,
  serveStatic,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
  waitForPhoneOpen,
  writeQrVideo,
} from './support/phone';

let model: ModelServer;
let signaling: SignalingFixture;
let site: StaticServer;
let sandbox: ReturnType<typeof makeSandbox>;
let extension: ExtensionBrowser;
let panel: Page;
let phones: PhoneBrowser;
let origin: string;

beforeAll(async () => {
  buildPhonePage();
  [model, signaling, site] = await Promise.all([
    startModelServer({ minCacheableTokens: 0 }),
    startSignalingServer(),
    serveStatic(PHONE_DIST),
  ]);
  origin = new URL(site.url).origin;
  sandbox = makeSandbox('phone-hardening');
  extension = await launchExtensionBrowser(sandbox.root, undefined, { extraArgs: WEBRTC_LOOPBACK_ARGS });
  panel = await extension.openPanel();
  await configureModel(panel, model.url, model.apiKey);
  await configureLink(panel, { signaling: signaling.settings, iceServers: [], phonePageUrl: site.url });
  phones = await launchPhoneBrowser(sandbox.root, origin);
});

afterAll(async () => {
  await phones?.close();
  await extension?.close();
  await Promise.all([model?.close(), signaling?.close(), site?.close()]);
  sandbox?.cleanup();
});

/** QR codes the extension would still accept. */
async function livePairings(): Promise<number> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(async () => {
    const db = (
      globalThis as unknown as { tandem: { db: { pairings: { toArray(): Promise<{ usedAt?: number }[]> } } } }
    ).tandem.db;
    return (await db.pairings.toArray()).filter((row) => row.usedAt === undefined).length;
  });
}

async function revokeAll(): Promise<void> {
  for (const device of await pairedDevices(extension)) {
    await panel.evaluate((id) => window.tandem?.client.send({ type: 'devices.revoke', deviceId: id }), device.id);
  }
}

describe('phone link hardening', () => {
  it('stops a QR code from working once the side panel that showed it is closed', async () => {
    const second = await extension.openPanel();
    const url = await showAndScanQr(second);
    await waitForLinkOnline(extension);
    // The document closes: no element cleanup runs, only the port drops.
    await second.close();

    // The runtime cancelled the code; with no phone paired and no code live, the link goes offline.
    await expect.poll(() => livePairings(), { timeout: 10_000 }).toBe(0);
    await expect.poll(async () => (await linkStatus(extension)).state, { timeout: 10_000 }).toBe('off');

    const { context, page } = await newPhone(phones.browser, origin);
    await page.goto(url);
    const phases = new Set<string | undefined>();
    for (let i = 0; i < 16; i++) {
      phases.add(await phonePhase(page));
      await page.waitForTimeout(500);
    }
    expect(phases.has('open')).toBe(false);
    expect(await pairedDevices(extension)).toEqual([]);
    expect(await runtimePhoneClients(extension)).toBe(0);
    await context.close();
  });

  it('lets an honest phone pair while silent channels keep every handshake slot taken', async () => {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    const extensionId = (await linkStatus(extension)).peerId ?? '';
    const bundle = await build({
      entryPoints: [new URL('../fixtures/signaling/silent-callers.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
    });
    site.routes.set('/silent.js', { type: 'text/javascript', body: bundle.outputFiles[0]?.text ?? '' });
    site.routes.set('/silent.html', { type: 'text/html', body: '<!doctype html><script src="/silent.js"></script>' });
    const { context: attackerContext, page: attacker } = await newPhone(phones.browser, origin);
    await attacker.goto(`${site.url}silent.html`);
    // Twice as many silent callers as there are slots, each re-calling as soon as it is dropped.
    await attacker.evaluate((config) => window.startSilentCallers(config), {
      ...signaling.settings,
      extensionId,
      count: 16,
    });
    await attacker.waitForFunction(() => window.silent.opened >= 8, undefined, { timeout: 20_000 });

    const { context, page } = await newPhone(phones.browser, origin);
    const started = Date.now();
    await page.goto(url);
    await waitForPhoneOpen(page, 20_000);
    const pairMs = Date.now() - started;
    // The silent callers were there all along, and the extension kept dropping them.
    expect(await attacker.evaluate(() => window.silent.closedByExtension)).toBeGreaterThan(0);
    expect((await pairedDevices(extension)).map((d) => d.connected)).toEqual([true]);
    console.log(`paired in ${pairMs} ms under 16 silent callers`);
    await attacker.evaluate(() => window.silent.stop());
    await attackerContext.close();
    await context.close();
    await closeSettings(panel);
    await revokeAll();
  });

  it('pairs with the in-page scanner, and the secret never reaches the phone’s disk', async () => {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    const camera = join(sandbox.root, 'qr-camera.y4m');
    writeQrVideo(url, camera);
    const profile = join(sandbox.root, 'phone-scanner-profile');
    const phone = await launchPersistentPhone(sandbox.root, profile, origin, { cameraFile: camera });
    const scripts: string[] = [];
    phone.page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await phone.page.goto(site.url);
    await phone.page.getByTestId('scan-start').waitFor();
    // The QR decoder is fetched when the scanner opens, not with the page.
    const decoder = lazyChunks().find((chunk) => /jsQR/.test(chunk)) ?? '';
    expect(decoder).toMatch(/jsQR/);
    expect(scripts.some((path) => path.endsWith(decoder))).toBe(false);
    await phone.page.getByTestId('scan-start').click();
    await waitForPhoneOpen(phone.page);
    expect(scripts.some((path) => path.endsWith(decoder))).toBe(true);
    await expect.poll(() => panel.getByTestId('pairing-done').isVisible(), { timeout: 5_000 }).toBe(true);
    expect((await pairedDevices(extension)).map((d) => d.connected)).toEqual([true]);
    // Use it a little, then let the browser write everything it keeps.
    await phone.page.evaluate(() => window.tandemPhone?.client.send({ type: 'thread.create', title: 'Scanned' }));
    await phone.page.reload();
    await waitForPhoneOpen(phone.page);
    await phone.close();

    const spellings = secretSpellings(url);
    expect(spellings.length).toBeGreaterThan(10);
    expect(findOnDisk(profile, spellings)).toEqual([]);
    await closeSettings(panel);
    await revokeAll();
  });

  it('refuses a QR decoder that is not the one index.html pins', async () => {
    const decoder = lazyChunks().find((chunk) => /jsQR/.test(chunk)) ?? '';
    const camera = join(sandbox.root, 'qr-camera-tampered.y4m');
    writeQrVideo('https://example.invalid/#p=unused', camera);
    const phone = await launchPersistentPhone(sandbox.root, join(sandbox.root, 'phone-tampered-profile'), origin, {
      cameraFile: camera,
    });
    // The host swaps the lazily loaded chunk for code of its own.
    site.routes.set(`/${decoder}`, {
      type: 'text/javascript',
      body: 'window.__swapped = true; export default () => null;',
    });
    try {
      await phone.page.goto(site.url);
      await phone.page.getByTestId('scan-start').click();
      await expect
        .poll(() => phone.page.getByTestId('scanner-error').textContent(), { timeout: 10_000 })
        .toContain('could not be loaded');
      expect(await phone.page.evaluate(() => (window as unknown as { __swapped?: boolean }).__swapped)).toBeUndefined();
    } finally {
      site.routes.delete(`/${decoder}`);
      await phone.close();
    }
  });

  it('leaves a camera-app scan in the history database, used up by its first attempt', async () => {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    const profile = join(sandbox.root, 'phone-camera-app-profile');
    const phone = await launchPersistentPhone(sandbox.root, profile, origin);
    await phone.page.goto(url);
    await waitForPhoneOpen(phone.page);
    await phone.close();
    // What the README says is kept: the URL, secret included, in Chromium's History database.
    const hits = findOnDisk(profile, secretSpellings(url));
    expect(hits.some((hit) => hit.startsWith('Default/History'))).toBe(true);
    // ...and that copy is worth nothing: read back from the history, the code is refused.
    const { context, page } = await newPhone(phones.browser, origin);
    await page.goto(url);
    await expect.poll(() => phonePhase(page), { timeout: 30_000 }).toBe('failed');
    expect(await page.getByTestId('phone-failed').textContent()).toContain('already used');
    expect(await pairedDevices(extension)).toHaveLength(1);
    // A fresh code is one tap away on the phone.
    await expect(page.getByTestId('scan-start').isVisible()).resolves.toBe(true);
    await context.close();
    await closeSettings(panel);
    await revokeAll();
  });

  it('confines the phone page to its signaling server by Content-Security-Policy', async () => {
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    const { context, page } = await newPhone(phones.browser, origin);
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(url);
    await waitForPhoneOpen(page);
    const attempts = await page.evaluate(async (signalingPort) => {
      const blocked = (url: string) =>
        new Promise<boolean>((resolve) => {
          try {
            const socket = new WebSocket(url);
            socket.onopen = () => {
              socket.close();
              resolve(false);
            };
            socket.onerror = () => resolve(true);
          } catch {
            resolve(true);
          }
        });
      const fetchBlocked = await fetch(`${location.origin}/index.html`).then(
        () => false,
        () => true,
      );
      // An inline script, as an injection would add it: it must not run.
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.append(script);
      return {
        otherWebSocket: await blocked(`ws://127.0.0.1:${signalingPort + 1}/`),
        sameHostOtherPort: await blocked('ws://localhost:1/'),
        fetchBlocked,
        inlineRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true,
        policies: [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map(
          (meta) => (meta as HTMLMetaElement).content,
        ),
      };
    }, signaling.port);
    expect(attempts.inlineRan).toBe(false);
    expect(attempts.otherWebSocket).toBe(true);
    expect(attempts.sameHostOtherPort).toBe(true);
    // Once paired, not even the page's own origin can be fetched: only the signaling server.
    expect(attempts.fetchBlocked).toBe(true);
    expect(attempts.policies.at(-1)).toBe(`connect-src ws://127.0.0.1:${signaling.port}`);
    expect(violations.length).toBeGreaterThan(0);
    // The link itself still works under the policy.
    expect(await phonePhase(page)).toBe('open');
    await context.close();
    await closeSettings(panel);
    await revokeAll();
  });

  it('publishes the page’s hashes: a deployment can be checked against a build of the same commit', async () => {
    // Asynchronously: the page is served from this very process.
    const verify = (base: string) =>
      new Promise<{ status: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [join(PHONE_DIST, '..', 'verify.mjs'), base], (error, stdout) =>
          resolve({ status: error ? Number(error.code ?? 1) : 0, stdout }),
        );
      });
    const honest = await verify(site.url);
    expect(honest.status).toBe(0);
    expect(honest.stdout).toContain('The deployed page is this build');
    // index.html pins its script and stylesheet by Subresource Integrity.
    const html = readFileSync(join(PHONE_DIST, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module"[^>]* integrity="sha384-/);
    // The one inline script is the import map pinning the lazily loaded chunks, admitted by its hash.
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>(.*?)<\/script>/gs)];
    expect(inline.map(([, attributes]) => attributes)).toEqual([' type="importmap"']);
    const mapHash = createHash('sha256')
      .update(inline[0]?.[2] ?? '')
      .digest('base64');
    expect(html).toContain(`script-src 'self' 'sha256-${mapHash}'`);
    const pinned = (JSON.parse(inline[0]?.[2] ?? '{}') as { integrity?: Record<string, string> }).integrity;
    const sha384 = (path: string) =>
      `sha384-${createHash('sha384')
        .update(readFileSync(join(PHONE_DIST, path)))
        .digest('base64')}`;
    expect(pinned).toEqual(Object.fromEntries(lazyChunks().map((path) => [`./${path}`, sha384(path)])));
    // A host that changed one script is caught.
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    site.routes.set(`/${script}`, { type: 'text/javascript', body: 'alert(1)' });
    const tampered = await verify(site.url);
    site.routes.delete(`/${script}`);
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toContain(`MISMATCH ${script}`);
  });
});

/** The page's scripts that no tag of index.html loads: the chunks loaded by `import()`, on demand. */
function lazyChunks(): string[] {
  const html = readFileSync(join(PHONE_DIST, 'index.html'), 'utf8');
  return readdirSync(join(PHONE_DIST, 'assets'))
    .filter((name) => name.endsWith('.js') && !html.includes(`src="./assets/${name}"`))
    .map((name) => `assets/${name}`)
    .sort();
}

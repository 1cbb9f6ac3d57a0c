/**
 * Launches Debian's Chromium with the built extension, as a user would have it
 * (see ../shared/BROWSER-TESTING.md for the flags and why). Each browser gets its
 * own profile, HOME and TMPDIR under one temp folder, removed at the end.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { CHROME_EXTENSION_ID } from '../../../shared/extension-identity';

export const CHROME_BUILD = resolve(import.meta.dirname, '../../../.output/chrome-mv3');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const NAME_SHIM = 'globalThis.__name ??= (fn) => fn';

/** The current service worker (a new one after a stop), with the evaluate() shim installed. */
export async function currentWorker(context: BrowserContext): Promise<Worker> {
  const worker = context.serviceWorkers().at(-1) ?? (await context.waitForEvent('serviceworker'));
  await worker.evaluate(NAME_SHIM);
  return worker;
}

export interface ExtensionBrowser {
  context: BrowserContext;
  profileDir: string;
  extensionId: string;
  worker: Worker;
  openPanel(): Promise<Page>;
  /** Stops the extension's service worker as Chrome does when idle (CDP ServiceWorker.stopAllWorkers). */
  stopServiceWorker(page: Page): Promise<void>;
  close(): Promise<void>;
}

export function makeSandbox(name: string): { root: string; profileDir: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), `tandem-${name}-`));
  for (const dir of ['home', 'tmp', 'profile']) mkdirSync(join(root, dir), { recursive: true });
  return { root, profileDir: join(root, 'profile'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface LaunchOptions {
  /** Extra Chromium switches (a `--disable-features` here must already include Playwright's own list). */
  extraArgs?: string[];
  /** Another Chromium launcher (the [reach] rig's runs Chromium inside a network namespace). */
  executablePath?: string;
}

export async function launchExtensionBrowser(
  root: string,
  profileDir = join(root, 'profile'),
  options: LaunchOptions = {},
): Promise<ExtensionBrowser> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    headless: true,
    viewport: { width: 480, height: 900 },
    env: { ...process.env, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp') },
    args: [
      `--disable-extensions-except=${CHROME_BUILD}`,
      `--load-extension=${CHROME_BUILD}`,
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--disable-gpu',
      ...(options.extraArgs ?? []),
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  // tsx (used by the bench) compiles with esbuild's keepNames, which wraps functions passed to
  // evaluate() in a __name() helper that does not exist in the browser: define a no-op one.
  await worker.evaluate(NAME_SHIM);
  await context.addInitScript(NAME_SHIM);
  if (extensionId !== CHROME_EXTENSION_ID) throw new Error(`Unexpected extension id ${extensionId}`);
  return {
    context,
    profileDir,
    extensionId,
    worker,
    async openPanel() {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/sidepanel.html`);
      await page.waitForFunction(() => (window as unknown as { tandem?: unknown }).tandem !== undefined);
      return page;
    },
    async stopServiceWorker(page) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    },
    close: () => context.close(),
  };
}

/**
 * Launches Firefox ESR with the built extension over WebDriver BiDi (puppeteer-core),
 * following ../shared/BROWSER-TESTING.md: a fixed internal UUID via prefs, a HOME of
 * its own, and the panel page found among the tabs the extension opened itself
 * (BiDi may not navigate to moz-extension:// URLs).
 */
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { GECKO_ID } from '../../../shared/extension-identity';

export const FIREFOX_BUILD = resolve(import.meta.dirname, '../../../.output/firefox-mv3');
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const EXTENSION_UUID = '7a4d1c2e-5b6f-4e8a-9c0d-1e2f3a4b5c6d';

export interface FirefoxExtensionBrowser {
  browser: Browser;
  panel: Page;
  close(): Promise<void>;
}

async function findExtensionPage(browser: Browser, timeoutMs = 20_000): Promise<Page> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    for (const page of await browser.pages()) {
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(`moz-extension://${EXTENSION_UUID}/sidepanel.html`)) return page;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('The extension did not open its panel page');
}

export async function launchFirefoxWithExtension(
  root: string,
  options: { prefs?: Record<string, unknown> } = {},
): Promise<FirefoxExtensionBrowser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    env: { ...process.env, HOME: join(root, 'home'), TMPDIR: join(root, 'tmp') },
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: EXTENSION_UUID }),
      ...options.prefs,
    },
  });
  const id = await browser.installExtension(FIREFOX_BUILD);
  if (id !== GECKO_ID) throw new Error(`Unexpected add-on id ${id}`);
  const panel = await findExtensionPage(browser);
  await panel.waitForFunction(() => (window as unknown as { tandem?: unknown }).tandem !== undefined);
  return { browser, panel, close: () => browser.close() };
}

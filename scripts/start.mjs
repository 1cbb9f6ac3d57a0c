#!/usr/bin/env node
/**
 * `npm start`: set up and run Tandem on this machine.
 *  1. installs npm dependencies if they are missing, and Chromium if it is missing (Debian, as root);
 *  2. builds the extension;
 *  3. launches Chromium with the extension loaded and its panel open in a tab;
 *  4. if ANTHROPIC_API_KEY is set, stores it in that browser profile (never in a build artifact);
 *  5. serves the phone page and a signaling server on this computer's LAN address and points Tandem at
 *     them, so a phone on the same Wi-Fi can pair (Settings → Phone). `--no-phone` skips this.
 * `npm start -- --demo` talks to a local scripted demo model instead of Claude (clearly labelled).
 * Only Node built-ins are imported up front: dependencies may not be installed yet.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBrowsers, ensureDependencies, root, step } from './setup.mjs';

const args = new Set(process.argv.slice(2));
const demo = args.has('--demo');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

ensureDependencies();
ensureBrowsers(['chromium']);

step('Building the extension', 'npx', ['wxt', 'build']);

async function startDemoModel() {
  // Node itself with tsx's loader, not `npx tsx` (a wrapper process that a signal to it does not
  // reach through): one process, holding our stdin, so it ends with us however we end.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/fixtures/model-server/cli.ts', '--port', '0', '--demo', '--exit-with-stdin'],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    try {
      const ready = JSON.parse(line);
      if (ready.ready) return { child, url: ready.url, apiKey: ready.apiKey };
    } catch {
      // not the ready line
    }
  }
  throw new Error('The demo model server did not start.');
}

const { chromium } = await import('playwright-core');

/**
 * One tab with the panel, nothing else: on a new profile the extension opens its own welcome tab
 * (the panel page) on install, so use that one; otherwise turn the browser's first blank tab into
 * the panel. Any other blank tab goes.
 */
async function panelTab() {
  const panelUrl = `chrome-extension://${CHROME_EXTENSION_ID}/sidepanel.html`;
  const isPanel = (page) => page.url().startsWith(panelUrl);
  const deadline = Date.now() + 3000;
  let panel = context.pages().find(isPanel);
  while (!panel && Date.now() < deadline) {
    await new Promise((wait) => setTimeout(wait, 100));
    panel = context.pages().find(isPanel);
  }
  if (!panel) {
    panel = context.pages().find((page) => page.url() === 'about:blank') ?? (await context.newPage());
    await panel.goto(panelUrl);
  }
  for (const page of context.pages()) if (page !== panel && page.url() === 'about:blank') await page.close();
  await panel.bringToFront();
  return panel;
}
const phoneSide = args.has('--no-phone')
  ? undefined
  : await (await import('./phone-server.mjs')).startPhoneServer().catch((error) => {
      console.warn(`The phone page could not be served (${error.message}); pairing a phone needs it.`);
      return undefined;
    });
// The id is pinned by the manifest key; read it from its one definition.
const identity = readFileSync(join(root, 'shared', 'extension-identity.ts'), 'utf8');
const CHROME_EXTENSION_ID = /CHROME_EXTENSION_ID = '([a-p]{32})'/.exec(identity)?.[1];
const model = demo ? await startDemoModel() : undefined;
const extensionDir = join(root, '.output', 'chrome-mv3');
const profileDir = process.env.TANDEM_PROFILE ?? join(homedir(), '.local', 'share', 'tandem', 'chromium-profile');
mkdirSync(profileDir, { recursive: true });
const headless = !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (headless)
  console.warn('No display found (DISPLAY is unset): starting Chromium headless. Run this on a desktop to see it.');

console.log(`\n▶ Launching Chromium (profile: ${profileDir})`);
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: chromiumPath,
  headless,
  viewport: null,
  args: [
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    '--no-first-run',
    '--no-default-browser-check',
  ],
});
const panel = await panelTab();
await panel.waitForFunction(() => window.tandem !== undefined, undefined, { timeout: 15_000 });

const patch = model
  ? { apiKey: model.apiKey, baseUrl: model.url }
  : process.env.ANTHROPIC_API_KEY
    ? { apiKey: process.env.ANTHROPIC_API_KEY }
    : undefined;
if (patch) {
  await panel.evaluate((p) => window.tandem.client.send({ type: 'settings.update', patch: p }), patch);
  console.log(
    model ? `Demo model at ${model.url} (answers are labelled "[demo model]").` : 'API key set from ANTHROPIC_API_KEY.',
  );
} else {
  console.log('No ANTHROPIC_API_KEY: open Settings in the panel and paste your key.');
}
if (phoneSide) {
  // Only fill in the phone link if the user has not configured one of their own.
  await panel.evaluate(
    async (side) => {
      const client = window.tandem.client;
      const reply = new Promise((resolve) => {
        const off = client.onMessage((m) => {
          if (m.type === 'link.settings') {
            off();
            resolve(m.settings);
          }
        });
        setTimeout(() => resolve(undefined), 2000);
      });
      await client.send({ type: 'link.settings.get' });
      const current = await reply;
      if (current?.signaling) return;
      await client.send({ type: 'link.settings.update', patch: side });
    },
    { signaling: phoneSide.signaling, phonePageUrl: phoneSide.phonePageUrl },
  );
  console.log(`Phone page: ${phoneSide.phonePageUrl} — pair a phone on the same Wi-Fi in Settings → Phone.`);
}
console.log('Tandem is running. Click the Tandem toolbar button to open the side panel. Close the browser to stop.');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  model?.child.kill('SIGTERM');
  await phoneSide?.close().catch(() => {});
  process.exit(0);
}
context.on('close', shutdown);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void context
      .close()
      .catch(() => {})
      .finally(shutdown);
  });
}
// Never leave the demo model running behind us, however this process ends (it also exits when
// our end of its stdin closes, which covers a SIGKILL here).
process.on('exit', () => model?.child.kill('SIGTERM'));

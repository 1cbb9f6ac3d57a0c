/**
 * One computer and one phone in the rig (rig.ts): the extension's Chromium in "home", the phone's
 * in "mobile", the link set to the rig's signaling, STUN and TURN REST servers. Shared by
 * tests/e2e/reach-rig.test.ts and bench/reach.ts.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from '../e2e/support/chromium';
import {
  closeSettings,
  configureLink,
  newPhone,
  PHONE_DIST,
  showAndScanQr,
  WEBRTC_LOOPBACK_ARGS,
  waitForLinkOnline,
  waitForPhoneOpen,
} from '../e2e/support/phone';
import { HOSTILE_TURN_URL, type NatMode, type Rig, STUN_URL, startRig, TURN_SECRET, TURN_URL } from './rig';
import { trustCaInHome } from './test-ca';

export interface Setup {
  rig: Rig;
  extension: ExtensionBrowser;
  panel: Page;
  phoneBrowser: Browser;
  phone: Page;
  sandbox: ReturnType<typeof makeSandbox>;
  offerUrl?: string;
}

const launchComputer = (sandbox: Setup['sandbox'], rig: Rig) =>
  launchExtensionBrowser(sandbox.root, undefined, {
    extraArgs: WEBRTC_LOOPBACK_ARGS,
    executablePath: rig.homeChromium,
  });

/**
 * The computer's browser closed, then started again in "home" with the same profile (its pairing
 * and link settings): the panel is open and the link online again when this resolves.
 */
export async function relaunchComputer(setup: Setup): Promise<void> {
  setup.extension = await launchComputer(setup.sandbox, setup.rig);
  setup.panel = await setup.extension.openPanel();
  await waitForLinkOnline(setup.extension, 30_000);
}

export async function setUp(mode: NatMode, options: { hostileTurn?: boolean } = {}): Promise<Setup> {
  const sandbox = makeSandbox(`reach-rig-${mode}`);
  const rig = await startRig(mode, sandbox.root, PHONE_DIST, { hostile: options.hostileTurn === true });
  // Both Chromiums run with this HOME: the computer's reaches the signaling server over wss, the
  // phone's loads the page over HTTPS, each trusting the run's CA and nothing else extra.
  trustCaInHome(`${sandbox.root}/home`, rig.ca.caPath);
  const extension = await launchComputer(sandbox, rig);
  const panel = await extension.openPanel();
  await configureLink(panel, {
    signaling: rig.signaling,
    iceServers: [{ urls: STUN_URL }],
    phonePageUrl: rig.pageUrl,
    // Time-limited TURN REST credentials, minted by the extension from the coturn secret.
    turnRest: { urls: [options.hostileTurn ? HOSTILE_TURN_URL : TURN_URL], secret: TURN_SECRET, ttlSeconds: 3600 },
  });
  const phoneBrowser = await chromium.launch({
    executablePath: rig.mobileChromium,
    headless: true,
    env: { ...process.env, HOME: `${sandbox.root}/home`, TMPDIR: `${sandbox.root}/tmp` },
    args: ['--no-first-run', '--disable-gpu', '--disable-quic', ...WEBRTC_LOOPBACK_ARGS],
  });
  const { page } = await newPhone(phoneBrowser, new URL(rig.pageUrl).origin);
  return { rig, extension, panel, phoneBrowser, phone: page, sandbox };
}

export async function tearDown(setup: Setup | undefined): Promise<void> {
  if (!setup) return;
  await setup.phoneBrowser.close().catch(() => {});
  await setup.extension.close().catch(() => {});
  await setup.rig.down();
  setup.sandbox.cleanup();
}

/** Pairs as a person does; returns the time from opening the QR URL to the thread list shown. */
export async function pair(setup: Setup): Promise<number> {
  const url = await showAndScanQr(setup.panel);
  setup.offerUrl = url;
  await waitForLinkOnline(setup.extension, 30_000);
  const started = Date.now();
  await setup.phone.goto(url);
  // Two attempts' worth (15 s each): a pairing that needs more has a fault the tests should show.
  await waitForPhoneOpen(setup.phone, 30_000).catch(async (error: unknown) => {
    const why = await setup.phone.evaluate(() => [
      window.tandemPhone?.link.phase.kind,
      window.tandemPhone?.link.lastProblem,
    ]);
    console.log(
      `[reach rig] phone did not open: ${JSON.stringify(why)}; TURN log tail:\n${setup.rig.turnLog.slice(-15).join('\n')}`,
    );
    throw error;
  });
  await setup.phone.getByTestId('new-thread').first().waitFor({ timeout: 10_000 });
  const elapsed = Date.now() - started;
  await closeSettings(setup.panel);
  return elapsed;
}

/**
 * What `npm start` and `npm test` need on a fresh Debian machine with only Node and npm:
 * the npm dependencies, and the browsers from Debian's packages (installed with apt-get
 * when running as root; otherwise a clear message says what to install).
 * Only Node built-ins: this runs before the dependencies exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

export function step(label, command, args) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`✖ ${label} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

/** The Node the tools ask for (package.json `engines`): say so early rather than fail obscurely later. */
const NODE_FLOOR = [22, 12];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < NODE_FLOOR[0] || (major === NODE_FLOOR[0] && minor < NODE_FLOOR[1])) {
  console.warn(
    `Node.js ${process.versions.node} is older than ${NODE_FLOOR.join('.')}, which wxt, vite and puppeteer-core ask for; install Node 22 (NodeSource or nvm) if anything fails.`,
  );
}

export function ensureDependencies() {
  if (!existsSync(join(root, 'node_modules', '.bin', 'wxt'))) step('Installing npm dependencies', 'npm', ['install']);
}

const BROWSERS = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  'firefox-esr': process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
};

/** Makes sure the named Debian browser packages are there. */
export function ensureBrowsers(packages) {
  const missing = packages.filter((name) => !existsSync(BROWSERS[name]));
  if (missing.length === 0) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    step(`Installing ${missing.join(', ')}`, 'bash', [
      '-c',
      `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`,
    ]);
    return;
  }
  console.error(
    `Missing: ${missing.map((name) => BROWSERS[name]).join(', ')}. Install them (Debian: sudo apt-get install -y ${missing.join(' ')}) or set CHROMIUM_PATH / FIREFOX_PATH.`,
  );
  process.exit(1);
}

/** The [reach] network-namespace rig's tools (tests/rig/): root only; the rig's tests skip without them. */
// python3 runs the rig's packet capture and hostile relay; procps brings sysctl (slim Debian images lack both);
// libnss3-tools brings certutil, which makes the test browsers trust the rig's HTTPS test CA.
const RIG_TOOLS = {
  coturn: '/usr/bin/turnserver',
  nftables: '/usr/sbin/nft',
  iproute2: '/usr/sbin/ip',
  python3: '/usr/bin/python3',
  procps: '/usr/sbin/sysctl',
  'libnss3-tools': '/usr/bin/certutil',
};

export function ensureRigTools() {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  const missing = Object.entries(RIG_TOOLS)
    .filter(([, path]) => !existsSync(path))
    .map(([name]) => name);
  if (missing.length === 0) return;
  step(`Installing ${missing.join(', ')} (network rig)`, 'bash', [
    '-c',
    `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`,
  ]);
}

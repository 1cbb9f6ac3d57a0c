/**
 * The [reach] rig from a test: sets up the namespaces (netns-rig.sh), starts coturn and the
 * internet's services inside them, and writes Chromium launchers that run inside "home" (the
 * computer) and "mobile" (the phone). Everything is removed by `down()`, also after a failure.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CERTUTIL, makeTestCa, type TestCa } from './test-ca';

const RIG = resolve(import.meta.dirname, 'netns-rig.sh');
const SERVICES = resolve(import.meta.dirname, 'internet-services.ts');
const CAPTURE = resolve(import.meta.dirname, 'capture.py');
const HOSTILE_TURN = resolve(import.meta.dirname, 'hostile-turn.py');
/** The hostile relay (hostile-turn.py) in front of coturn: same credentials, its own address. */
export const HOSTILE_TURN_URL = 'turn:198.19.0.2:3478?transport=udp';
export const TURN_SECRET = 'rig-turn-rest-secret';
export const STUN_URL = 'stun:198.19.0.1:3478';
export const TURN_URL = 'turn:198.19.0.1:3478?transport=udp';

/** Why the rig cannot run here, or undefined when it can. */
export function rigUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces); CI runs it as root';
  for (const tool of ['/usr/bin/turnserver', '/usr/sbin/nft', '/usr/sbin/ip', CERTUTIL])
    if (!existsSync(tool)) return `needs ${tool} (apt-get install coturn nftables iproute2 libnss3-tools)`;
  return undefined;
}

export type NatMode = 'eim' | 'symmetric';

export interface Rig {
  id: string;
  /** Over TLS (wss), like the page: certificates from `ca`. */
  signaling: { host: string; port: number; path: string; secure: true };
  /** The HTTPS phone-page host. */
  pageUrl: string;
  /** The run's test CA, which the test browsers must trust (test-ca.ts trustCaInHome). */
  ca: TestCa;
  /** Chromium launchers inside the home and mobile namespaces. */
  homeChromium: string;
  mobileChromium: string;
  /** The phone changes networks: new address behind another NAT. */
  movePhone(): void;
  /** Lines coturn logged (allocations show relayed traffic). */
  turnLog: string[];
  /** Every frame seen in the internet namespace (the TURN server's side), as one buffer. */
  capture(): Buffer;
  /** What the hostile relay did so far (started only for `hostile: true`). */
  hostileCounts(): Promise<{ relayed: number; replayed: number; injected: number }>;
  down(): Promise<void>;
}

function run(...args: string[]): string {
  return execFileSync(RIG, args, { encoding: 'utf8' });
}

export async function startRig(
  mode: NatMode,
  dir: string,
  phoneDist: string,
  options: { hostile?: boolean } = {},
): Promise<Rig> {
  const id = `${process.pid % 100_000}${mode === 'eim' ? 'e' : 's'}`;
  run('down', id);
  run('up', id, mode);
  const children: ChildProcess[] = [];
  let removed = false;
  const removeSync = () => {
    if (removed) return;
    removed = true;
    for (const child of children) child.kill('SIGTERM');
    run('down', id);
  };
  // A test run that is killed or times out in a hook must not leave namespaces behind.
  process.once('exit', removeSync);
  const down = async () => {
    removeSync();
    process.off('exit', removeSync);
  };
  try {
    const ca = makeTestCa(join(dir, 'ca'), '198.19.0.1');
    const turnLog: string[] = [];
    const turn = spawn(
      'ip',
      [
        ...['netns', 'exec', `rig${id}-inet`, '/usr/bin/turnserver', '-n'],
        // 198.19.0.2 stays free for the hostile relay (case 5).
        ...['--listening-ip=198.19.0.1', '--relay-ip=198.19.0.1'],
        ...['--listening-port=3478', '--min-port=49152', '--max-port=49999'],
        ...['--use-auth-secret', `--static-auth-secret=${TURN_SECRET}`, '--realm=rig.test'],
        ...['--no-tls', '--no-dtls', '--no-cli', '--fingerprint', '--log-file=stdout', '--simple-log'],
        // The rig's peers sit in the benchmarking range, which coturn would otherwise refuse to relay to.
        '--allowed-peer-ip=198.18.0.0-198.19.255.255',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(turn);
    createInterface({ input: turn.stdout }).on('line', (line) => turnLog.push(line));
    const services = spawn(
      'ip',
      [
        'netns',
        'exec',
        `rig${id}-inet`,
        process.execPath,
        '--import',
        'tsx',
        SERVICES,
        phoneDist,
        ca.certPath,
        ca.keyPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(services);
    const ready = await new Promise<{ signaling: Rig['signaling']; pageUrl: string }>((done, fail) => {
      const timer = setTimeout(() => fail(new Error('The rig services did not start.')), 30_000);
      createInterface({ input: services.stdout }).once('line', (line) => {
        clearTimeout(timer);
        done(JSON.parse(line));
      });
    });
    const capturePath = join(dir, 'internet.capture');
    const sniffer = spawn('ip', ['netns', 'exec', `rig${id}-inet`, 'python3', CAPTURE, capturePath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(sniffer);
    await new Promise<void>((done) => createInterface({ input: sniffer.stdout }).once('line', () => done()));
    let hostileCounts: Rig['hostileCounts'] = async () => ({ relayed: 0, replayed: 0, injected: 0 });
    if (options.hostile) {
      // coturn gives up 198.19.0.2:3478 to the hostile relay, which forwards to 198.19.0.1.
      const hostile = spawn('ip', ['netns', 'exec', `rig${id}-inet`, 'python3', HOSTILE_TURN], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(hostile);
      const lines = createInterface({ input: hostile.stdout });
      await new Promise<void>((done) => lines.once('line', () => done()));
      hostileCounts = () =>
        new Promise((done) => {
          lines.once('line', (line) => done(JSON.parse(line)));
          hostile.kill('SIGUSR1');
        });
    }
    const launcher = (ns: string) => {
      const path = join(dir, `chromium-${ns}.sh`);
      writeFileSync(path, `#!/bin/sh\nexec ip netns exec rig${id}-${ns} /usr/bin/chromium "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    };
    return {
      id,
      ...ready,
      ca,
      homeChromium: launcher('home'),
      mobileChromium: launcher('mob'),
      movePhone: () => void run('move', id),
      turnLog,
      hostileCounts: () => hostileCounts(),
      capture: () => (existsSync(capturePath) ? readFileSync(capturePath) : Buffer.alloc(0)),
      down,
    };
  } catch (error) {
    await down();
    throw error;
  }
}

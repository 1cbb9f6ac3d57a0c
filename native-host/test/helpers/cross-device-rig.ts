/**
 * The attacker's layout from issue 8: allowed folders on one file system (a
 * tmpfs this rig mounts and unmounts) and the host's trash on another (the
 * disk), plus flipper processes that swap entries between a real file or
 * folder and a symlink to outside while the host works.
 *
 * As root the rig mounts its own tmpfs and runs the host as `nobody`, so file
 * permissions bite as they do for a real user (root ignores a 0555 folder).
 * Without root (or the right to mount) it falls back to /dev/shm when that is
 * another file system, and otherwise tells the caller why it cannot run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const NOBODY = { uid: 65534, gid: 65534 };

export interface CrossDeviceRig {
  /** On the disk: the host's home (and so its trash), and a second allowed folder. */
  disk: string;
  /** On the tmpfs: the allowed folders under attack and the outside world next to them. */
  tmpfs: string;
  /** Who the host should run as (null: as the test runner). */
  user: { uid: number; gid: number } | null;
  /** Gives `p` (recursively) to the host's user. */
  own(p: string): void;
  cleanup(): void;
}

function deviceOf(p: string): number {
  return fs.statSync(p).dev;
}

/** The rig, or the reason it cannot be built here. */
export function crossDeviceRig(): CrossDeviceRig | string {
  const disk = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-xdev-disk-')));
  const isRoot = process.getuid?.() === 0;
  let tmpfs = '';
  let unmount = false;
  const shmUsable = fs.existsSync('/dev/shm') && deviceOf('/dev/shm') !== deviceOf(disk);
  let mountError = 'not root';
  if (isRoot) {
    tmpfs = path.join(disk, 'mnt');
    fs.mkdirSync(tmpfs);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m,mode=0755', 'tandem-xdev', tmpfs], { stdio: 'pipe' });
      unmount = true;
    } catch (error) {
      // A container without CAP_SYS_ADMIN: fall back to /dev/shm below.
      mountError = `cannot mount a tmpfs (${(error as Error).message.split('\n')[0]})`;
    }
  }
  if (!unmount) {
    if (!shmUsable) {
      fs.rmSync(disk, { recursive: true, force: true });
      return `${mountError}, and /dev/shm is not another file system`;
    }
    tmpfs = fs.realpathSync(fs.mkdtempSync('/dev/shm/tandem-xdev-'));
    fs.chmodSync(tmpfs, 0o755);
  }
  const user = isRoot ? NOBODY : null;
  // The host (as nobody) must reach its bundle and home below the scratch folder.
  fs.chmodSync(disk, 0o755);
  const own = (p: string) => {
    if (!user) return;
    execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, p]);
  };
  return {
    disk,
    tmpfs,
    user,
    own,
    cleanup() {
      if (unmount) execFileSync('umount', ['-l', tmpfs], { stdio: 'pipe' });
      else fs.rmSync(tmpfs, { recursive: true, force: true });
      fs.rmSync(disk, { recursive: true, force: true });
    },
  };
}

export type FlipMode =
  /** A real file or folder at `entry` is renamed aside and replaced by a symlink to `target`, then put back. */
  | 'swap'
  /** Where nothing is, a symlink to `target` appears and goes away again. */
  | 'appear';

export interface FlipSpec {
  mode: FlipMode;
  entry: string;
  target: string;
}

export interface Flipper {
  /** Stops the flipper and puts every swapped entry back. */
  stop(): Promise<void>;
}

const FLIPPER = `
const fs = require('fs');
const specs = JSON.parse(process.argv[1]);
const holdMs = Number(process.argv[2]) / 1000;
const pause = new Int32Array(new SharedArrayBuffer(4));
const hold = () => { if (holdMs > 0) Atomics.wait(pause, 0, 0, holdMs); };
const isLink = (p) => { try { return fs.lstatSync(p).isSymbolicLink(); } catch { return false; } };
// A fresh name every time, and never a rename over something that exists: the attacker must not
// destroy inside files by itself (a plain rename onto an old '.flip-real' left by a disturbed cycle
// would), or a loss it caused would be blamed on the host.
let flips = 0;
const asides = new Map();
const exists = (p) => { try { fs.lstatSync(p); return true; } catch { return false; } };
let stopping = false;
process.on('SIGTERM', () => { stopping = true; });
function flipOut() {
  for (const s of specs) {
    if (s.mode === 'swap' && !asides.has(s.entry)) {
      const aside = s.entry + '.flip-real-' + ++flips;
      try { fs.renameSync(s.entry, aside); asides.set(s.entry, aside); } catch {}
    }
    try { fs.symlinkSync(s.target, s.entry); } catch {}
  }
}
function flipBack() {
  for (const s of specs) {
    if (isLink(s.entry)) { try { fs.unlinkSync(s.entry); } catch {} }
    const aside = asides.get(s.entry);
    if (aside === undefined) continue;
    // Something real is at the entry again (the host restored or wrote it): keep both, drop the aside.
    if (!exists(s.entry)) { try { fs.renameSync(aside, s.entry); } catch {} }
    asides.delete(s.entry);
  }
}
function loop() {
  const until = Date.now() + 20;
  while (Date.now() < until) { flipOut(); hold(); flipBack(); hold(); }
  if (stopping) { flipBack(); process.exit(0); }
  setImmediate(loop);
}
loop();
`;

/** A separate process flipping `specs`, holding each state for `holdUs` microseconds (0: as fast as it can). */
export function startFlipper(specs: readonly FlipSpec[], holdUs: number, user: CrossDeviceRig['user']): Flipper {
  const child = spawn(process.execPath, ['-e', FLIPPER, JSON.stringify(specs), String(holdUs)], {
    stdio: 'ignore',
    ...(user ?? {}),
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Everything under `dir`, symlinks not followed: type, content hash, link target, mode. */
export function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) out.set(p, `link:${fs.readlinkSync(p)}`);
    else if (st.isDirectory()) {
      out.set(p, `dir:${st.mode & 0o7777}`);
      for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    } else out.set(p, `file:${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}:${st.mode & 0o7777}`);
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** The contents of every regular file under `dir` (symlinks not followed). */
export function fileContents(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    } else if (st.isFile()) out.push(fs.readFileSync(p, 'utf8'));
  };
  walk(dir);
  return out;
}

/**
 * Issue 8's layout, as an attacker would set it up: the allowed folder on a
 * tmpfs, the host's trash (and a second allowed folder) on the disk, so move,
 * trash and restore cross file systems, while separate processes flip entries
 * between real files or folders and symlinks to outside. Each flipper runs
 * twice: as fast as it can, and holding each state for hundreds of µs (wide
 * enough to land inside a copy). Success: nothing outside is read, written,
 * deleted or named, and no inside file is lost, even when an operation fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeHostResponse } from '../../shared/protocol/native-host';
import {
  type CrossDeviceRig,
  crossDeviceRig,
  fileContents,
  snapshotTree,
  startFlipper,
} from './helpers/cross-device-rig';
import { buildHost, HostProcess, removeScratch } from './helpers/host-process';

const SECRET = `SECRET-${Math.random().toString(36).slice(2)}`;
const built = crossDeviceRig();
const rig: CrossDeviceRig | null = typeof built === 'string' ? null : built;
if (typeof built === 'string') console.warn(`cross-device tests skipped: ${built}`);

let host: HostProcess;
let home: string;
let onTmpfs: string;
let onDisk: string;
let outside: string;
const answers: NativeHostResponse[] = [];

async function call(...args: Parameters<HostProcess['call']>): Promise<NativeHostResponse> {
  const answer = await host.call(...args);
  answers.push(answer);
  return answer;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

const trashDir = () => path.join(home, 'trash');

/** Inside content that must survive every round, somewhere: in an allowed folder or in the trash. */
function markersLost(markers: readonly string[]): string[] {
  const everywhere = new Set([...fileContents(onTmpfs), ...fileContents(onDisk), ...fileContents(trashDir())]);
  return markers.filter((m) => !everywhere.has(m));
}

function secretsInside(): string[] {
  return [onTmpfs, onDisk, trashDir()].flatMap((dir) =>
    fileContents(dir)
      .filter((c) => c.includes(SECRET))
      .map((c) => `${dir}: ${c.slice(0, 60)}`),
  );
}

beforeAll(async () => {
  if (!rig) return;
  const bundle = path.join(rig.disk, 'tandem-host.mjs');
  fs.copyFileSync(buildHost(), bundle);
  fs.chmodSync(bundle, 0o755);
  home = path.join(rig.disk, 'home');
  onDisk = path.join(rig.disk, 'allowed-disk');
  onTmpfs = path.join(rig.tmpfs, 'allowed');
  outside = path.join(rig.tmpfs, 'outside');
  for (const dir of [home, onDisk, onTmpfs]) fs.mkdirSync(dir, { recursive: true });
  const secrets: Record<string, string> = { 'secret.txt': `${SECRET} file\n` };
  for (let i = 0; i < 30; i++) secrets[`dir/s-${i}.txt`] = `${SECRET} ${i}\n`;
  writeTree(outside, secrets);
  rig.own(rig.disk);
  rig.own(rig.tmpfs);
  host = new HostProcess(bundle, home, rig.user ? { user: rig.user } : {});
  await host.ok('roots.add', { path: onTmpfs, mode: 'read-write', name: 'tmp' });
  await host.ok('roots.add', { path: onDisk, mode: 'read-write', name: 'disk' });
  expect(fs.statSync(onTmpfs).dev).not.toBe(fs.statSync(home).dev);
});

afterAll(async () => {
  if (!rig) return;
  await host.close();
  removeScratch();
  rig.cleanup();
});

function resetVictim(): string[] {
  const victim = path.join(onTmpfs, 'victim');
  fs.rmSync(victim, { recursive: true, force: true });
  fs.rmSync(path.join(onDisk, 'victim'), { recursive: true, force: true });
  const files: Record<string, string> = { fflip: 'INSIDE fflip' };
  for (let i = 0; i < 10; i++) files[`keep-${i}.txt`] = `INSIDE keep ${i}`;
  for (let i = 0; i < 5; i++) files[`dflip/inner-${i}.txt`] = `INSIDE inner ${i}`;
  writeTree(victim, files);
  rig?.own(victim);
  return Object.values(files);
}

async function raceRound(): Promise<void> {
  const atDisk = path.join(onDisk, 'victim');
  const lexists = (p: string) => fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;
  if (lexists(atDisk) && !fs.lstatSync(atDisk).isSymbolicLink()) {
    await call('move', { from: 'disk/victim', to: 'tmp/victim' });
  }
  for (const target of ['tmp/victim', 'tmp/victim/fflip', 'tmp/victim/dflip']) {
    const trashed = await call('trash', { paths: [target] });
    if (trashed.ok) {
      for (const entry of (trashed.result as { entries: { id: string }[] }).entries) {
        await call('trash.restore', { entryId: entry.id });
      }
    }
  }
  const moved = await call('move', { from: 'tmp/victim', to: 'disk/victim' });
  if (moved.ok) await call('move', { from: 'disk/victim', to: 'tmp/victim' });
  await call('read_file', { path: 'tmp/victim/fflip' });
  await call('list_dir', { path: 'tmp/victim/dflip' });
  await call('stat', { path: 'tmp/victim/dflip' });
  await call('search', { path: 'tmp/victim', contentQuery: 'SECRET', includeHidden: true });
  await call('make_dir', { path: 'tmp/victim/dflip/made', recursive: true });
  // Overwrites keep the old content in the trash, across file systems too: the markers must survive them.
  await call('write_file', { path: 'tmp/victim/fflip', content: 'rewritten', overwrite: true });
  await call('edit_file', { path: 'tmp/victim/dflip/inner-0.txt', oldText: 'INSIDE', newText: 'edited' });
}

describe.skipIf(!rig)('move, trash and restore across file systems under a flipper', () => {
  for (const holdUs of [0, 300]) {
    // The 300 µs flipper once lost an inside file about 1 run in 8: an overwrite looked at the entry
    // while it was a symlink, the file came back, and the rename replaced it unkept (overwrite-race.test.ts
    // pins that interleaving down deterministically).
    it(`reach nothing outside and lose nothing inside (flipper holding ${holdUs} µs)`, async () => {
      const markers = resetVictim();
      const outsideBefore = snapshotTree(outside);
      answers.length = 0;
      const flipper = startFlipper(
        [
          { mode: 'swap', entry: path.join(onTmpfs, 'victim', 'dflip'), target: path.join(outside, 'dir') },
          { mode: 'swap', entry: path.join(onTmpfs, 'victim', 'fflip'), target: path.join(outside, 'secret.txt') },
          { mode: 'appear', entry: path.join(onTmpfs, 'victim'), target: path.join(outside, 'dir') },
        ],
        holdUs,
        rig?.user ?? null,
      );
      try {
        for (let round = 0; round < 25; round++) await raceRound();
      } finally {
        await flipper.stop();
      }
      expect(snapshotTree(outside)).toEqual(outsideBefore);
      expect(answers.filter((a) => JSON.stringify(a).includes(SECRET))).toEqual([]);
      expect(answers.filter((a) => JSON.stringify(a).includes(outside))).toEqual([]);
      expect(secretsInside()).toEqual([]);
      expect(markersLost(markers)).toEqual([]);
      // The rounds really ran: some operations went through, and the flipper made others refuse.
      expect(answers.filter((a) => a.ok).length).toBeGreaterThan(8);
      expect(answers.filter((a) => !a.ok && a.error.code === 'not_allowed').length).toBeGreaterThan(0);
    });
  }
});

describe.skipIf(!rig)('a cross-device trash that cannot finish', () => {
  it('keeps a folder with a read-only subfolder whole, and leaves no partial copy in the trash', async () => {
    const tree = path.join(onTmpfs, 'ro-tree');
    const files = {
      'a.txt': 'A',
      'b.txt': 'B',
      'c.txt': 'C',
      'locked/d.txt': 'D',
      'locked/e.txt': 'E',
      'locked/f.txt': 'F',
    };
    writeTree(tree, files);
    rig?.own(tree);
    fs.chmodSync(path.join(tree, 'locked'), 0o555);
    const before = snapshotTree(tree);
    const trashBefore = fs.readdirSync(trashDir()).sort();
    try {
      const answer = await call('trash', { paths: ['tmp/ro-tree'] });
      const result = answer.ok ? (answer.result as { entries: unknown[]; failed: unknown[] }) : null;
      expect(result?.entries ?? []).toEqual([]);
      expect(snapshotTree(tree)).toEqual(before);
      expect(fs.readdirSync(trashDir()).sort()).toEqual(trashBefore);
      const moved = await call('move', { from: 'tmp/ro-tree', to: 'disk/ro-tree' });
      expect(moved.ok).toBe(false);
      expect(snapshotTree(tree)).toEqual(before);
      expect(fs.existsSync(path.join(onDisk, 'ro-tree'))).toBe(false);
    } finally {
      fs.chmodSync(path.join(tree, 'locked'), 0o755);
    }
  });
});

describe.skipIf(!rig)('a read-only folder inside a read-write one', () => {
  it('cannot be carried away by moving or trashing its read-write parent', async () => {
    const ro = path.join(onTmpfs, 'nest', 'ro');
    writeTree(ro, { 'kept.txt': 'read-only content' });
    rig?.own(path.join(onTmpfs, 'nest'));
    await host.ok('roots.add', { path: ro, mode: 'read', name: 'ro' });
    try {
      for (const answer of [
        await call('move', { from: 'tmp/nest', to: 'tmp/nest-moved' }),
        await call('move', { from: 'tmp/nest', to: 'disk/nest-moved' }),
        await call('trash', { paths: ['tmp/nest'] }),
      ]) {
        expect(answer.ok ? 'ok' : answer.error.code).toBe('not_allowed');
      }
      expect(await host.fails('write_file', { path: 'ro/kept.txt', content: 'PWNED', overwrite: true })).toBe(
        'read_only',
      );
      expect(fs.readFileSync(path.join(ro, 'kept.txt'), 'utf8')).toBe('read-only content');
    } finally {
      await host.ok('roots.remove', { name: 'ro' });
    }
  });
});

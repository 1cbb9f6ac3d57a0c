/**
 * An overwrite decides what to keep, then replaces: the two steps are not one
 * system call, so another process can change the entry in between. Each case
 * below makes exactly that change at exactly that point (the host's own look
 * at the entry, `lstatChild`, is where the swap is injected) and checks that
 * the content that was there before the write is still somewhere: at its name
 * or in the trash. This was the 1-in-8 loss of the cross-device soak (issue 8):
 * the flipper had the file renamed aside and a symlink in its place when the
 * host looked, put the file back, and the rename then replaced it unkept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../src/confine';
import { commitTempFile, createTempFile } from '../src/fs/atomic-write';
import { VerifiedDir } from '../src/fs/verified-dir';
import { keepPreviousIn } from '../src/ops/move';
import { PendingTemps } from '../src/pending-temps';
import { TrashStore } from '../src/trash-store';
import { fileContents } from './helpers/cross-device-rig';
import { removeScratch, tempDir } from './helpers/host-process';

const ORIGINAL = 'the only copy of the original';

let scratch: string;
let folder: string;
let outside: string;
let trash: TrashStore;
let pending: PendingTemps;
let policy: AccessPolicy;

/** The allowed folder on another file system than the trash, when this machine has one (a copy, not a link, keeps). */
const otherDevice =
  fs.existsSync('/dev/shm') && fs.statSync('/dev/shm').dev !== fs.statSync(tempDir('device-probe')).dev;
const layouts = otherDevice
  ? (['same file system', 'trash on another file system'] as const)
  : (['same file system'] as const);

function setUp(layout: (typeof layouts)[number]): void {
  scratch = fs.realpathSync(tempDir('overwrite-race'));
  const base = layout === 'same file system' ? scratch : fs.realpathSync(fs.mkdtempSync('/dev/shm/tandem-ow-'));
  if (base !== scratch) shmDirs.push(base);
  folder = path.join(base, 'allowed');
  outside = path.join(base, 'outside');
  fs.mkdirSync(folder);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'OUTSIDE');
  fs.writeFileSync(path.join(folder, 'target.txt'), ORIGINAL);
  const home = path.join(scratch, 'home');
  pending = new PendingTemps(path.join(home, 'pending'), path.join(home, 'trash'));
  trash = new TrashStore(path.join(home, 'trash'), pending);
  policy = { roots: [{ name: 'a', path: folder, mode: 'read-write' }], denied: [home] };
}

const shmDirs: string[] = [];

afterAll(() => {
  removeScratch();
  for (const dir of shmDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A verified folder whose next look at `name` runs `swap` right after it (as a racing process would). */
async function folderSwappingAfterLook(name: string, swap: () => void): Promise<VerifiedDir> {
  const dir = await VerifiedDir.open(policy, folder, 'write');
  const look = dir.lstatChild.bind(dir);
  let swapped = false;
  dir.lstatChild = async (child: string) => {
    try {
      return await look(child);
    } finally {
      if (child === name && !swapped) {
        swapped = true;
        swap();
      }
    }
  };
  return dir;
}

async function overwrite(dir: VerifiedDir): Promise<{ ok: boolean; error?: string }> {
  const temp = await createTempFile(dir, null, pending);
  await temp.file.writeFile('new content');
  try {
    await commitTempFile(dir, temp, 'target.txt', true, 'a/target.txt', keepPreviousIn(trash));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    await dir.close();
  }
}

function originalSurvives(): boolean {
  return [...fileContents(folder), ...fileContents(path.join(scratch, 'home', 'trash'))].includes(ORIGINAL);
}

describe.each(layouts)('an overwrite racing a process that swaps the file (%s)', (layout) => {
  beforeEach(() => setUp(layout));

  it('the file is a symlink when the host looks and back when it replaces', async () => {
    const target = path.join(folder, 'target.txt');
    const aside = path.join(folder, 'aside');
    fs.renameSync(target, aside);
    fs.symlinkSync(path.join(outside, 'secret.txt'), target);
    const dir = await folderSwappingAfterLook('target.txt', () => {
      fs.unlinkSync(target);
      fs.renameSync(aside, target);
    });
    await overwrite(dir);
    expect(originalSurvives()).toBe(true);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE');
  });

  it('the file is away when the host looks and back when it replaces', async () => {
    const target = path.join(folder, 'target.txt');
    const aside = path.join(folder, 'aside');
    fs.renameSync(target, aside);
    let swaps = 0;
    const dir = await folderSwappingAfterLook('target.txt', () => {
      fs.renameSync(aside, target);
      swaps++;
    });
    await overwrite(dir);
    expect(swaps).toBe(1);
    expect(originalSurvives()).toBe(true);
  });

  it('the file turns into a symlink after the host looked', async () => {
    const target = path.join(folder, 'target.txt');
    const aside = path.join(folder, 'aside');
    const dir = await folderSwappingAfterLook('target.txt', () => {
      fs.renameSync(target, aside);
      fs.symlinkSync(path.join(outside, 'secret.txt'), target);
    });
    const answer = await overwrite(dir);
    expect(originalSurvives()).toBe(true);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE');
    // What the host kept is the file, never the link (or the outside content through it).
    expect(fileContents(path.join(scratch, 'home', 'trash'))).not.toContain('OUTSIDE');
    expect(answer.error ?? '').not.toContain(outside);
  });

  it('without a race, the overwrite still replaces and keeps the previous content', async () => {
    const dir = await VerifiedDir.open(policy, folder, 'write');
    expect(await overwrite(dir)).toEqual({ ok: true });
    expect(fs.readFileSync(path.join(folder, 'target.txt'), 'utf8')).toBe('new content');
    expect(fileContents(path.join(scratch, 'home', 'trash'))).toContain(ORIGINAL);
  });
});

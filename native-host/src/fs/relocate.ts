/**
 * Moving an entry between two pinned folders without ever replacing what is at
 * the destination: files and symlinks by hard link + unlink (EEXIST is atomic),
 * folders by creating the empty destination first (EEXIST is atomic) and
 * renaming onto it, which POSIX allows only while it is still empty.
 *
 * Across file systems the move is all-or-nothing from the user's side: the
 * entry is copied by descriptor (tree-copy.ts) under a hidden staging name,
 * fully, then put in place, and only then is the source removed. Any failure
 * before that removes the partial copy and leaves the source as it was.
 */
import fs from 'node:fs/promises';
import { errnoCode, HostError } from '../errors';
import type { PendingTemps } from '../pending-temps';
import { placeFileNoReplace } from './atomic-write';
import {
  type Checkpoint,
  copyEntry,
  removeCopied,
  removeOwnTreeQuietly,
  requireRemovable,
  stagingName,
} from './tree-copy';
import type { PinnedDir } from './verified-dir';

/** The copy is complete at the destination, but part of the source changed and stayed: nothing is lost, both are kept. */
export class PartialMoveError extends HostError {
  constructor(subject: string) {
    super(
      'io',
      `${subject} was copied, but part of the original changed during the move and was left in place; both are kept`,
    );
    this.name = 'PartialMoveError';
  }
}

export interface MoveOptions {
  /** Lets a long copy give way, or stop it (cancelled, out of time). */
  checkpoint?: Checkpoint;
  /** Notes the staging copy, so a host killed mid-copy leaves nothing behind. */
  pending?: PendingTemps;
}

export interface MoveNames {
  /** How errors name the source (its entries are named below it). */
  from: string;
  /** How errors name the destination. */
  to: string;
}

async function placeDirNoReplace(dir: PinnedDir, name: string, finalName: string, subject: string): Promise<void> {
  try {
    await fs.mkdir(dir.child(finalName));
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') throw new HostError('exists', `${subject} already exists`);
    throw error;
  }
  try {
    await fs.rename(dir.child(name), dir.child(finalName));
  } catch (error) {
    await fs.rmdir(dir.child(finalName)).catch(() => undefined);
    if (errnoCode(error) === 'ENOTEMPTY' || errnoCode(error) === 'EEXIST' || errnoCode(error) === 'ENOTDIR') {
      throw new HostError('exists', `${subject} already exists`);
    }
    throw error;
  }
}

async function moveAcrossDevices(
  src: PinnedDir,
  srcName: string,
  dst: PinnedDir,
  dstName: string,
  names: MoveNames,
  options: MoveOptions,
): Promise<void> {
  // The entry itself is removed from `src` at the end: that folder must allow it.
  await requireRemovable(src, `the folder holding ${names.from}`);
  const staging = stagingName();
  const release = options.pending ? await options.pending.note(dst, staging) : async () => undefined;
  let copied: Awaited<ReturnType<typeof copyEntry>>;
  try {
    copied = await copyEntry(src, srcName, dst, staging, names.from, options.checkpoint);
    if (copied.kind === 'dir') await placeDirNoReplace(dst, staging, dstName, names.to);
    else await placeFileNoReplace(dst.child(staging), dst.child(dstName), names.to);
  } catch (error) {
    await removeOwnTreeQuietly(dst, staging);
    await release().catch(() => undefined);
    throw error;
  }
  await release().catch(() => undefined);
  await dst.syncQuietly();
  if (!(await removeCopied(src, copied))) throw new PartialMoveError(names.from);
  await src.syncQuietly();
}

/** Moves `src/srcName` to `dst/dstName`, which must not exist. */
export async function moveEntryNoReplace(
  src: PinnedDir,
  srcName: string,
  dst: PinnedDir,
  dstName: string,
  names: MoveNames,
  options: MoveOptions = {},
): Promise<void> {
  const isDir = (await src.lstatChild(srcName)).isDirectory();
  try {
    if (!isDir) {
      await placeFileNoReplace(src.child(srcName), dst.child(dstName), names.to);
      return;
    }
    await placeDirNoReplaceAcross(src, srcName, dst, dstName, names.to);
  } catch (error) {
    if (errnoCode(error) !== 'EXDEV') throw error;
    await moveAcrossDevices(src, srcName, dst, dstName, names, options);
  }
}

/** The same-device folder move: an empty placeholder claims the name, then rename replaces it. */
async function placeDirNoReplaceAcross(
  src: PinnedDir,
  srcName: string,
  dst: PinnedDir,
  dstName: string,
  subject: string,
): Promise<void> {
  try {
    await fs.mkdir(dst.child(dstName));
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') throw new HostError('exists', `${subject} already exists`);
    throw error;
  }
  try {
    await fs.rename(src.child(srcName), dst.child(dstName));
  } catch (error) {
    await fs.rmdir(dst.child(dstName)).catch(() => undefined);
    throw error;
  }
}

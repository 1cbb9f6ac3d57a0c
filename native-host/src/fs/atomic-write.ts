/**
 * Atomic file replacement: write a temp file in the target's own folder, fsync
 * it, then rename (replace) or hard-link (never replace) it into place and fsync
 * the folder. A reader sees the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import type { TrashEntry } from '../../../shared/protocol/native-host';
import { errnoCode, HostError, toHostError } from '../errors';
import type { PendingTemps, Release } from '../pending-temps';
import type { PinnedDir, VerifiedDir } from './verified-dir';

const { O_WRONLY, O_CREAT, O_EXCL } = constants;

export interface TempFile {
  name: string;
  file: FileHandle;
  /** Drops the note that lets a later host sweep this file. */
  release: Release;
}

/** Keeps what `overwrite` is about to replace (in the trash); null when there is nothing to keep. */
export type KeepPrevious = (dir: VerifiedDir, name: string) => Promise<TrashEntry | null>;

/**
 * Temp names start with "." so listings treat them as hidden. Each is noted
 * with the host's pending temps first, so a host killed mid-write leaves
 * nothing a later start does not remove.
 */
export async function createTempFile(dir: VerifiedDir, mode: number | null, pending: PendingTemps): Promise<TempFile> {
  const name = `.tandem-${randomBytes(8).toString('hex')}.partial`;
  const release = await pending.note(dir, name);
  let file: FileHandle;
  try {
    file = await dir.openFile(name, O_WRONLY | O_CREAT | O_EXCL, 0o666);
  } catch (error) {
    await release();
    throw error;
  }
  if (mode !== null) await file.chmod(mode).catch(() => undefined);
  return { name, file, release };
}

export async function discardTempFile(dir: PinnedDir, temp: TempFile): Promise<void> {
  await temp.file.close().catch(() => undefined);
  await fs.unlink(dir.child(temp.name)).catch(() => undefined);
  await temp.release().catch(() => undefined);
}

/**
 * Puts `src` at `dst` only if nothing is there. A hard link fails atomically
 * with EEXIST; file systems without hard links fall back to check-then-rename.
 */
export async function placeFileNoReplace(src: string, dst: string, subject: string): Promise<void> {
  try {
    await fs.link(src, dst);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') throw new HostError('exists', `${subject} already exists`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK' && code !== 'ENOSYS') {
      throw error;
    }
    const taken = await fs.lstat(dst).then(
      () => true,
      () => false,
    );
    if (taken) throw new HostError('exists', `${subject} already exists`);
    await fs.rename(src, dst);
    return;
  }
  await fs.unlink(src);
}

/**
 * Flushes and closes the temp file, then moves it into place. With `overwrite`,
 * the file it replaces is first kept in the trash (`keepPrevious`), so no write
 * loses what was there. On failure the temp file is removed and nothing changes.
 */
export async function commitTempFile(
  dir: VerifiedDir,
  temp: TempFile,
  finalName: string,
  overwrite: boolean,
  subject: string,
  keepPrevious: KeepPrevious,
): Promise<TrashEntry | null> {
  let kept: TrashEntry | null = null;
  try {
    await temp.file.sync();
    await temp.file.close();
    if (overwrite) {
      const existing = await dir.lstatChild(finalName).catch(() => null);
      if (existing?.isDirectory()) throw new HostError('wrong_type', `${subject} is a folder`);
      if (existing?.isFile()) kept = await keepPrevious(dir, finalName);
      await fs.rename(dir.child(temp.name), dir.child(finalName));
    } else {
      await placeFileNoReplace(dir.child(temp.name), dir.child(finalName), subject);
    }
  } catch (error) {
    await discardTempFile(dir, temp);
    throw toHostError(error, subject);
  }
  await temp.release().catch(() => undefined);
  await dir.syncQuietly();
  return kept;
}

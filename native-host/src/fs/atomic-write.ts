/**
 * Atomic file replacement: write a temp file in the target's own folder, fsync
 * it, then rename (replace) or hard-link (never replace) it into place and fsync
 * the folder. A reader sees the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import type { TrashEntry } from '../../../shared/protocol/native-host';
import { errnoCode, HostError, toHostError } from '../errors';
import type { PendingTemps, Release } from '../pending-temps';
import type { Identity } from './identity';
import type { PinnedDir, VerifiedDir } from './verified-dir';

const { O_WRONLY, O_CREAT, O_EXCL } = constants;

export interface TempFile {
  name: string;
  file: FileHandle;
  /** Drops the note that lets a later host sweep this file. */
  release: Release;
}

/** Keeps what `overwrite` is about to replace (in the trash), which must still be `expected`. */
export type KeepPrevious = (dir: VerifiedDir, name: string, expected: Identity) => Promise<TrashEntry>;

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

function changedWhileWriting(subject: string): HostError {
  return new HostError(
    'not_allowed',
    `${subject} changed while Tandem was writing it (was it replaced by a symlink?); nothing was written`,
  );
}

/**
 * Flushes and closes the temp file, then moves it into place. With `overwrite`,
 * the file it replaces is first kept in the trash (`keepPrevious`), so no write
 * loses what was there. On failure the temp file is removed and nothing changes.
 *
 * Looking at the entry and replacing it are two calls, and another process may
 * change the entry between them. So a replace happens only over the very file
 * that was kept: an entry that was not a regular file when looked at (a symlink
 * swapped in, nothing at all) is never replaced, since a file put back there
 * meanwhile would go unkept. Where nothing was, the new file is placed without
 * replacing (EEXIST is atomic). What can still happen between the keep and the
 * rename is that the kept file moves away or comes back: it is kept either way.
 */
async function lookAt(dir: VerifiedDir, name: string): Promise<Stats | null> {
  try {
    return await dir.lstatChild(name);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

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
    const existing = overwrite ? await lookAt(dir, finalName) : null;
    if (existing?.isDirectory()) throw new HostError('wrong_type', `${subject} is a folder`);
    if (existing && !existing.isFile()) throw changedWhileWriting(subject);
    if (existing) {
      kept = await keepPrevious(dir, finalName, existing);
      await fs.rename(dir.child(temp.name), dir.child(finalName));
    } else if (overwrite) {
      await placeFileNoReplace(dir.child(temp.name), dir.child(finalName), subject).catch((error: unknown) => {
        throw error instanceof HostError && error.code === 'exists' ? changedWhileWriting(subject) : error;
      });
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

/**
 * Copying and removing whole trees by descriptor, for moves that cross file
 * systems (where `rename` says EXDEV). Every entry is opened with O_NOFOLLOW
 * under a folder that was already pinned and verified, one plain name at a time,
 * and each opened folder is verified again (`PinnedDir.openChildDir`). So an
 * entry flipped to a symlink mid-copy makes the copy fail; it is never followed.
 *
 * Recursive `fs.cp` / `fs.rm` by path did follow such swaps: they read, copied
 * and deleted outside the allowed folders (issue 8).
 *
 * The copy records what it copied (device and inode of each entry), and the
 * removal afterwards removes only those entries, still the same inodes. An
 * entry replaced or added while the move ran is left in place, never deleted
 * without a copy.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import { errnoCode, HostError, toHostError } from '../errors';
import type { PinnedDir } from './verified-dir';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NONBLOCK, W_OK, X_OK } = constants;
const COPY_BUFFER_BYTES = 1024 * 1024;

export interface CopiedEntry {
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  dev: number;
  ino: number;
  children: CopiedEntry[];
}

/** Lets a long copy give way to other requests, and stop when cancelled or out of time. */
export type Checkpoint = () => Promise<void>;

const noCheckpoint: Checkpoint = async () => undefined;

/** Hidden names for copies being built; the same pattern as temp files, so the start-up sweep knows them. */
export function stagingName(): string {
  return `.tandem-${randomBytes(8).toString('hex')}.partial`;
}

function changed(subject: string): HostError {
  return new HostError(
    'not_allowed',
    `${subject} changed while Tandem was copying it (was it replaced by a symlink?); nothing was moved`,
  );
}

/**
 * A folder Tandem could copy but not empty afterwards: moving it would leave
 * two halves. Checked before anything is copied, so nothing is removed.
 */
export async function requireRemovable(dir: PinnedDir, what: string): Promise<void> {
  try {
    await fs.access(dir.self() || '/', W_OK | X_OK);
  } catch (error) {
    if (errnoCode(error) === 'EACCES' || errnoCode(error) === 'EPERM' || errnoCode(error) === 'EROFS') {
      throw new HostError(
        'io',
        `${what} is a read-only folder, so Tandem could not remove what it copied from it; nothing was moved`,
      );
    }
    throw error;
  }
}

async function copyFile(
  src: PinnedDir,
  name: string,
  dst: PinnedDir,
  dstName: string,
  expected: { dev: number; ino: number },
  subject: string,
  buffer: Buffer,
  checkpoint: Checkpoint,
): Promise<void> {
  const input = await src.openFile(name, O_RDONLY | O_NONBLOCK);
  try {
    const before = await input.stat();
    if (!before.isFile() || before.dev !== expected.dev || before.ino !== expected.ino) throw changed(subject);
    const output = await dst.openFile(dstName, O_WRONLY | O_CREAT | O_EXCL, 0o600);
    try {
      let copied = 0;
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, buffer.length, copied);
        if (bytesRead === 0) break;
        let written = 0;
        while (written < bytesRead) {
          written += (await output.write(buffer, written, bytesRead - written, copied + written)).bytesWritten;
        }
        copied += bytesRead;
        await checkpoint();
      }
      const after = await input.stat();
      if (copied !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        throw new HostError('io', `${subject} changed while Tandem was copying it; nothing was moved`);
      }
      await output.chmod(before.mode & 0o7777);
      await output.utimes(before.atime, before.mtime);
      // On disk before the original goes: a crash after the removal must not lose it.
      await output.sync();
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

async function copyInto(
  src: PinnedDir,
  name: string,
  dst: PinnedDir,
  dstName: string,
  subject: string,
  buffer: Buffer,
  checkpoint: Checkpoint,
): Promise<CopiedEntry> {
  await checkpoint();
  const st = await src.lstatChild(name);
  const base = { name, dev: st.dev, ino: st.ino, children: [] as CopiedEntry[] };
  if (st.isSymbolicLink()) {
    // A link is copied as a link: its target is text, never followed.
    const target = await fs.readlink(src.child(name)).catch((error: unknown) => {
      throw errnoCode(error) === 'EINVAL' ? changed(subject) : error;
    });
    await fs.symlink(target, dst.child(dstName));
    const again = await src.lstatChild(name);
    if (!again.isSymbolicLink() || again.ino !== st.ino) throw changed(subject);
    return { ...base, kind: 'symlink' };
  }
  if (st.isFile()) {
    await copyFile(src, name, dst, dstName, st, subject, buffer, checkpoint);
    return { ...base, kind: 'file' };
  }
  if (!st.isDirectory()) {
    throw new HostError(
      'wrong_type',
      `${subject} is a special file (device, FIFO or socket) that cannot be copied to another file system; nothing was moved`,
    );
  }
  const from = await src.openChildDir(name).catch((error: unknown) => {
    throw errnoCode(error) === 'ELOOP' || errnoCode(error) === 'ENOTDIR' ? changed(subject) : error;
  });
  try {
    const opened = await from.handle.stat();
    if (opened.dev !== st.dev || opened.ino !== st.ino) throw changed(subject);
    await requireRemovable(from, subject);
    // Owner-only while it fills; the source's mode is applied once it is complete.
    await fs.mkdir(dst.child(dstName), 0o700);
    const to = await dst.openChildDir(dstName);
    try {
      for (const child of await fs.readdir(from.self())) {
        base.children.push(await copyInto(from, child, to, child, `${subject}/${child}`, buffer, checkpoint));
      }
      await to.handle.utimes(opened.atime, opened.mtime);
      await to.handle.chmod(opened.mode & 0o7777);
      await to.syncQuietly();
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  return { ...base, kind: 'dir' };
}

/** Copies `src/name` (file, symlink or whole folder) to `dst/dstName`, which must not exist. */
export async function copyEntry(
  src: PinnedDir,
  name: string,
  dst: PinnedDir,
  dstName: string,
  subject: string,
  checkpoint: Checkpoint = noCheckpoint,
): Promise<CopiedEntry> {
  return copyInto(src, name, dst, dstName, subject, Buffer.allocUnsafe(COPY_BUFFER_BYTES), checkpoint);
}

/**
 * Removes what `copied` recorded, entry by entry, each only if it is still the
 * same inode. True when everything is gone; false when something was replaced
 * or added meanwhile (it stays, and so does its folder).
 */
export async function removeCopied(parent: PinnedDir, copied: CopiedEntry): Promise<boolean> {
  let st: Awaited<ReturnType<PinnedDir['lstatChild']>>;
  try {
    st = await parent.lstatChild(copied.name);
  } catch (error) {
    return errnoCode(error) === 'ENOENT';
  }
  if (st.dev !== copied.dev || st.ino !== copied.ino) return false;
  if (copied.kind !== 'dir') {
    // unlink never follows: if the name was just swapped for a symlink, only the link goes.
    return fs.unlink(parent.child(copied.name)).then(
      () => true,
      () => false,
    );
  }
  let dir: PinnedDir;
  try {
    dir = await parent.openChildDir(copied.name);
  } catch {
    return false;
  }
  try {
    const opened = await dir.handle.stat();
    if (opened.dev !== copied.dev || opened.ino !== copied.ino) return false;
    let all = true;
    for (const child of copied.children) all = (await removeCopied(dir, child)) && all;
    if (!all) return false;
  } finally {
    await dir.close();
  }
  return fs.rmdir(parent.child(copied.name)).then(
    () => true,
    () => false,
  );
}

/**
 * Removes a tree that is Tandem's own (a partial copy, a trash entry) by
 * descriptor, making its folders writable first: a copied read-only folder
 * must not make its own copy undeletable.
 */
export async function removeOwnTree(parent: PinnedDir, name: string): Promise<void> {
  let st: Awaited<ReturnType<PinnedDir['lstatChild']>>;
  try {
    st = await parent.lstatChild(name);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  if (!st.isDirectory()) {
    await fs.unlink(parent.child(name));
    return;
  }
  const dir = await parent.openChildDir(name);
  try {
    await dir.handle.chmod(0o700).catch(() => undefined);
    for (const child of await fs.readdir(dir.self())) await removeOwnTree(dir, child);
  } finally {
    await dir.close();
  }
  await fs.rmdir(parent.child(name));
}

/** Best effort, for rollbacks: the original error is what the user needs to see. */
export async function removeOwnTreeQuietly(parent: PinnedDir, name: string): Promise<void> {
  await removeOwnTree(parent, name).catch((error: unknown) =>
    console.error('tandem-host: could not remove a partial copy', toHostError(error).message),
  );
}

/**
 * Moving an entry without ever replacing what is at the destination: files and
 * symlinks by hard link + unlink (EEXIST is atomic), folders by creating the
 * empty destination first (EEXIST is atomic) and renaming onto it, which POSIX
 * allows only while it is still empty. Across file systems the entry is copied
 * (symlinks as symlinks) and the source removed.
 */
import fs from 'node:fs/promises';
import { errnoCode, HostError } from '../errors';
import { placeFileNoReplace } from './atomic-write';

async function copyThenRemove(src: string, dst: string): Promise<void> {
  await fs.cp(src, dst, {
    recursive: true,
    verbatimSymlinks: true,
    errorOnExist: true,
    force: false,
    preserveTimestamps: true,
  });
  await fs.rm(src, { recursive: true });
}

export async function moveNoReplace(src: string, dst: string, isDir: boolean, subject: string): Promise<void> {
  if (!isDir) {
    try {
      await placeFileNoReplace(src, dst, subject);
    } catch (error) {
      if (errnoCode(error) !== 'EXDEV') throw error;
      await copyThenRemove(src, dst);
    }
    return;
  }
  try {
    await fs.mkdir(dst);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') throw new HostError('exists', `${subject} already exists`);
    throw error;
  }
  try {
    await fs.rename(src, dst);
  } catch (error) {
    await fs.rmdir(dst).catch(() => undefined);
    if (errnoCode(error) !== 'EXDEV') throw error;
    await copyThenRemove(src, dst);
  }
}

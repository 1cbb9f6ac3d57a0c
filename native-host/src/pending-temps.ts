/**
 * Temp files (`.tandem-*.partial`) and staging copies the host creates inside
 * allowed folders, noted in its own data folder while they exist. A host that
 * is killed cannot clean up; the next one to start removes what a dead host
 * left (`sweep`). Records of a live host (another browser's) are left alone.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type AccessPolicy, isInside } from './confine';
import { errnoCode } from './errors';
import { removeOwnTree } from './fs/tree-copy';
import { PinnedDir, VerifiedDir } from './fs/verified-dir';

/** The only names a sweep may remove: the host's own temp pattern. */
export const TEMP_NAME = /^\.tandem-[0-9a-f]{16}\.partial$/;

const PendingRecord = z.object({ pid: z.number().int(), dir: z.string(), name: z.string() });
type PendingRecord = z.infer<typeof PendingRecord>;

/** Forgets the record once the temp file was committed or removed. */
export type Release = () => Promise<void>;

function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; not ours to judge dead.
    return errnoCode(error) === 'EPERM';
  }
}

export class PendingTemps {
  constructor(
    readonly dir: string,
    /** The host's trash: staging copies there are swept with the entry they were building. */
    private readonly trashDir: string,
  ) {}

  /** Notes `name` in `folder` before it is created. */
  async note(folder: PinnedDir, name: string): Promise<Release> {
    const record: PendingRecord = { pid: process.pid, dir: folder.realPath, name };
    const file = path.join(this.dir, `${process.pid}-${randomBytes(6).toString('hex')}.json`);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.writeFile(file, JSON.stringify(record), { mode: 0o600 });
    return () => fs.rm(file, { force: true });
  }

  /** Removes what dead hosts left. Returns how many temp entries were removed. */
  async sweep(policy: AccessPolicy): Promise<number> {
    let files: string[];
    try {
      files = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    const trashReal = await fs.realpath(this.trashDir).catch(() => this.trashDir);
    for (const file of files) {
      const full = path.join(this.dir, file);
      const parsed = PendingRecord.safeParse(
        await fs
          .readFile(full, 'utf8')
          .then((t) => JSON.parse(t) as unknown)
          .catch(() => null),
      );
      if (!parsed.success) {
        await fs.rm(full, { force: true });
        continue;
      }
      const record = parsed.data;
      if (record.pid === process.pid || isAlive(record.pid)) continue;
      if (TEMP_NAME.test(record.name)) {
        const inTrash = isInside(trashReal, record.dir);
        // Allowed folders through a verified handle, like any write: one no longer allowed is left alone.
        const folder = await (inTrash
          ? PinnedDir.openOwn(record.dir)
          : VerifiedDir.open(policy, record.dir, 'write')
        ).catch(() => null);
        if (folder) {
          try {
            await removeOwnTree(folder, record.name);
            removed++;
          } catch (error) {
            console.error('tandem-host: could not sweep a temp file', errnoCode(error));
          } finally {
            await folder.close();
          }
        }
        // A trash entry whose move never finished holds only its record: the source was never removed.
        if (inTrash && !(await exists(path.join(record.dir, 'item')))) {
          await fs.rm(record.dir, { recursive: true, force: true });
        }
      }
      await fs.rm(full, { force: true });
    }
    return removed;
  }
}

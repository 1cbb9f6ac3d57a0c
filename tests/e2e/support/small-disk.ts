/**
 * A small disk for storage-failure tests: a tmpfs (root only) mounted where the profile keeps its
 * IndexedDB, and a ballast file that fills it to the last byte and is removed to give space back.
 * The filesystem is real, so Chromium sees the ENOSPC a full disk gives, nothing simulated.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Writes ballast until the disk is full; returns the bytes written. */
  fill(): number;
  /**
   * Keeps the disk full: whatever the browser frees (a checkpoint truncating a write-ahead log when
   * it reopens the database) is taken again at once, as by another program filling the disk.
   */
  holdFull(): void;
  /** Removes the ballast: space is back. */
  recover(): void;
  unmount(): void;
}

export function canMountTmpfs(): boolean {
  return process.getuid?.() === 0;
}

export function mountSmallDisk(dir: string, sizeBytes: number): SmallDisk {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
  const ballast = join(dir, 'ballast.bin');
  let holder: ReturnType<typeof setInterval> | undefined;
  const disk: SmallDisk = {
    dir,
    holdFull() {
      disk.fill();
      holder ??= setInterval(() => disk.fill(), 5);
    },
    fill() {
      const fd = openSync(ballast, 'a');
      const chunk = Buffer.alloc(64 * 1024, 0xab);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
      // The last few bytes too (a partial chunk would still fit).
      try {
        for (;;) written += writeSync(fd, Buffer.alloc(512, 0xab));
      } catch {
        // full
      }
      closeSync(fd);
      return written;
    },
    recover() {
      clearInterval(holder);
      holder = undefined;
      rmSync(ballast, { force: true });
    },
    unmount() {
      disk.recover();
      try {
        execFileSync('umount', ['-l', dir]);
      } catch {
        // already gone
      }
    },
  };
  return disk;
}

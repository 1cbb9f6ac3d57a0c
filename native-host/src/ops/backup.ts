/**
 * `backup.save`, `backup.list`, `backup.load`: the extension's automatic backup, kept in the host's
 * own data folder (`<data>/backups`). Chromium has been seen deleting an extension's whole IndexedDB
 * after a failed write on a full disk; a copy here, outside the browser profile, survives that.
 *
 * Only the extension's own code sends these (never a model tool, see EXTENSION_ONLY_OPS), and they
 * never take a path: the folder is fixed, names are the host's own (`backup-<ms>.json`), and the
 * data folder stays unreachable from every file op (policy.ts guards it whole).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  HOST_BACKUPS_KEPT,
  type HostBackup,
  type NativeHostRequestOf,
  type NativeHostResultOf,
  TRANSFER_CHUNK_BYTES,
} from '../../../shared/protocol/native-host';
import type { HostContext } from '../context';
import { errnoCode, HostError, toHostError } from '../errors';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY } = constants;
const NAME = /^backup-(\d{13,16})\.json$/;
const TEMP = /^\.backup-[0-9a-f]{16}\.partial$/;
/** A temp file older than this is a killed host's leftover (a live save takes seconds at most). */
const STALE_TEMP_MS = 10 * 60 * 1000;

/** The backup folder, created owner-only on first use; a symlink in its place is refused. */
async function backupFolder(ctx: HostContext): Promise<string> {
  const folder = ctx.dirs.backupDir;
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const stat = await fs.lstat(folder);
  if (!stat.isDirectory()) throw new HostError('io', 'the backup folder is not a folder');
  return folder;
}

async function listBackups(folder: string): Promise<HostBackup[]> {
  const names = await fs.readdir(folder).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return [] as string[];
    throw error;
  });
  const backups: HostBackup[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const stat = await fs.lstat(path.join(folder, name)).catch(() => null);
    if (!stat?.isFile()) continue;
    backups.push({ name, savedAt: Number(match[1]), size: stat.size });
  }
  return backups.sort((a, b) => b.savedAt - a.savedAt);
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, O_RDONLY).catch(() => null);
  await handle?.sync().catch(() => undefined);
  await handle?.close().catch(() => undefined);
}

/** Leftovers of a host killed mid-save; fresh ones may be another browser's host saving right now. */
async function sweepStaleTemps(folder: string, now: number): Promise<void> {
  for (const name of await fs.readdir(folder)) {
    if (!TEMP.test(name)) continue;
    const stat = await fs.lstat(path.join(folder, name)).catch(() => null);
    if (stat && now - stat.mtimeMs > STALE_TEMP_MS) await fs.unlink(path.join(folder, name)).catch(() => undefined);
  }
}

export async function backupSave(
  request: NativeHostRequestOf<'backup.save'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'backup.save'>> {
  try {
    const folder = await backupFolder(ctx);
    await sweepStaleTemps(folder, Date.now());
    const bytes = Buffer.from(request.content, 'utf8');
    // Temp + fsync + rename into a name nothing has: a reader (or a restore after a crash) sees a
    // whole backup or none. The newest complete one is never removed before the new one is in place.
    const temp = path.join(folder, `.backup-${randomBytes(8).toString('hex')}.partial`);
    const file = await fs.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    let placed: HostBackup;
    try {
      await file.writeFile(bytes);
      await file.sync();
      await file.close();
      placed = await placeUnderFreshName(folder, temp, bytes.length);
    } catch (error) {
      await file.close().catch(() => undefined);
      await fs.unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncFolder(folder);
    for (const old of (await listBackups(folder)).slice(HOST_BACKUPS_KEPT)) {
      await fs.unlink(path.join(folder, old.name)).catch(() => undefined);
    }
    return { backup: placed, folder };
  } catch (error) {
    throw toHostError(error, 'the backup');
  }
}

/** Names are save times; two saves in one millisecond (two browsers) take the next free one. */
async function placeUnderFreshName(folder: string, temp: string, size: number): Promise<HostBackup> {
  let savedAt = Date.now();
  const newest = (await listBackups(folder))[0];
  if (newest && newest.savedAt >= savedAt) savedAt = newest.savedAt + 1;
  for (;;) {
    const name = `backup-${savedAt}.json`;
    try {
      // A hard link never replaces what is there (EEXIST), unlike rename.
      await fs.link(temp, path.join(folder, name));
      await fs.unlink(temp);
      return { name, savedAt, size };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
      savedAt++;
    }
  }
}

export async function backupList(
  _request: NativeHostRequestOf<'backup.list'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'backup.list'>> {
  const folder = ctx.dirs.backupDir;
  try {
    return { backups: await listBackups(folder), folder };
  } catch (error) {
    throw toHostError(error, 'the backup folder');
  }
}

export async function backupLoad(
  request: NativeHostRequestOf<'backup.load'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'backup.load'>> {
  const file = await fs
    .open(path.join(ctx.dirs.backupDir, request.name), O_RDONLY | O_NOFOLLOW)
    .catch((error: unknown) => {
      throw toHostError(error, request.name);
    });
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new HostError('wrong_type', `${request.name} is not a file`);
    const start = Math.min(request.offset, stat.size);
    const length = Math.min(TRANSFER_CHUNK_BYTES, stat.size - start);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await file.read(buffer, read, length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const end = start + read;
    return {
      name: request.name,
      size: stat.size,
      range: { start, end },
      eof: end >= stat.size,
      content: buffer.subarray(0, read).toString('base64'),
    };
  } catch (error) {
    throw toHostError(error, request.name);
  } finally {
    await file.close().catch(() => undefined);
  }
}

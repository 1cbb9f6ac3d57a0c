/** `list_dir` and `stat`: read-only looks at folders and entries. */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  type DirEntry,
  MAX_HOST_MESSAGE_BYTES,
  type NativeHostRequestOf,
  type NativeHostResultOf,
} from '../../../shared/protocol/native-host';
import { decideAccess, isInside } from '../confine';
import { type HostContext, policyOf } from '../context';
import { errnoCode, HostError, toHostError } from '../errors';
import { entryTypeOf } from '../fs/entry-type';
import { resolveExisting } from '../fs/resolve';
import { withVerifiedDir } from '../fs/verified-dir';

/** A page stops early rather than produce an answer near the 1 MiB cap (names can be long and escape badly). */
const PAGE_BUDGET_BYTES = MAX_HOST_MESSAGE_BYTES / 2;
const LSTAT_BATCH = 64;

function encodeCursor(lastName: string): string {
  return `n:${Buffer.from(lastName, 'utf8').toString('base64url')}`;
}

function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  if (!cursor.startsWith('n:')) throw new HostError('bad_request', 'this cursor did not come from list_dir');
  return Buffer.from(cursor.slice(2), 'base64url').toString('utf8');
}

export async function listDir(
  request: NativeHostRequestOf<'list_dir'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'list_dir'>> {
  const policy = await policyOf(ctx);
  const target = await resolveExisting(policy, request.path, 'read');
  const after = decodeCursor(request.cursor);
  return withVerifiedDir(policy, target.realPath, 'read', async (dir) => {
    let names: string[];
    try {
      names = await fs.readdir(dir.self() || '/');
    } catch (error) {
      throw toHostError(error, target.display);
    }
    // Code-unit order: stable, and lets the cursor be "the last name seen".
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let index = after === null ? 0 : names.findIndex((n) => n > after);
    if (index === -1) index = names.length;
    const entries: DirEntry[] = [];
    let bytes = 0;
    let lastName: string | null = null;
    outer: while (index < names.length && entries.length < request.limit) {
      const batch = names.slice(index, index + Math.min(LSTAT_BATCH, request.limit - entries.length));
      const stats = await Promise.all(batch.map((name) => dir.lstatChild(name).catch(() => null)));
      for (let i = 0; i < batch.length; i++) {
        const name = batch[i] as string;
        const st = stats[i];
        index++;
        lastName = name;
        if (!st) continue; // removed while listing
        const entry: DirEntry = {
          name,
          type: entryTypeOf(st),
          size: st.size,
          mtimeMs: Math.floor(st.mtimeMs),
          hidden: name.startsWith('.'),
        };
        bytes += Buffer.byteLength(JSON.stringify(entry)) + 1;
        entries.push(entry);
        if (bytes > PAGE_BUDGET_BYTES) break outer;
      }
    }
    const more = index < names.length;
    return {
      path: target.realPath,
      entries,
      nextCursor: more && lastName !== null ? encodeCursor(lastName) : null,
    };
  });
}

export async function stat(
  request: NativeHostRequestOf<'stat'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'stat'>> {
  const policy = await policyOf(ctx);
  const target = await resolveExisting(policy, request.path, 'read');
  const hint = await fs.lstat(target.realPath).catch((error: unknown) => {
    throw toHostError(error, target.display);
  });
  const isRoot = policy.roots.some((r) => r.path === target.realPath);
  const stats =
    hint.isDirectory() || isRoot
      ? await withVerifiedDir(policy, target.realPath, 'read', (dir) => dir.handle.stat())
      : await withVerifiedDir(policy, path.posix.dirname(target.realPath), 'read', async (dir) => {
          try {
            return await dir.lstatChild(path.posix.basename(target.realPath));
          } catch (error) {
            if (errnoCode(error) === 'ENOENT') throw new HostError('not_found', `${target.display} does not exist`);
            throw toHostError(error, target.display);
          }
        });
  if (stats.isSymbolicLink()) {
    throw new HostError('not_allowed', `${target.display} changed into a symlink while Tandem looked at it`);
  }
  const denied = policy.denied.some((d) => isInside(d, target.realPath));
  return {
    path: target.realPath,
    name: path.posix.basename(target.realPath),
    type: entryTypeOf(stats),
    size: stats.size,
    mtimeMs: Math.floor(stats.mtimeMs),
    ctimeMs: Math.floor(stats.ctimeMs),
    permissions: stats.mode & 0o7777,
    root: target.root.name,
    writable: !denied && decideAccess(policy, target.realPath, 'write').ok,
  };
}

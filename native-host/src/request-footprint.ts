/**
 * What one request may touch, for path-scoped ordering (path-order.ts): its
 * paths as the ops will see them. Each requested path contributes its lexical
 * absolute form, every symlink its lookup passes through and where the lookup
 * ends (the real path, or the real folder reached plus the missing rest). An
 * earlier change can alter what a lookup finds only by changing one of those
 * entries or a folder above them, so "no overlap" means "not affected".
 *
 * This decides only when a request runs, never whether it may: every op still
 * confines its paths itself. Nothing here throws or answers; a path the host
 * would refuse outright contributes nothing (its op touches no file).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { NativeHostRequest } from '../../shared/protocol/native-host';
import { type AccessPolicy, normalizeAbsolute, toAbsolute } from './confine';
import { type HostContext, policyOf } from './context';
import type { Footprint, Scheduled } from './path-order';

/** Linux gives up after 40 symlinks in one lookup (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/** Ops that only look. Everything else (and anything new) is treated as a change. */
const READ_ONLY_OPS: ReadonlySet<NativeHostRequest['op']> = new Set([
  'hello',
  'roots.list',
  'list_dir',
  'stat',
  'read_file',
  'search',
  'trash.list',
  'backup.list',
  'backup.load',
]);

/** Changes that never place a symlink anywhere (see `Scheduled.redirects`). */
const NON_REDIRECTING_OPS: ReadonlySet<NativeHostRequest['op']> = new Set([
  'write_file',
  'write.begin',
  'write.chunk',
  'write.commit',
  'write.abort',
  'edit_file',
  'make_dir',
  'trash',
  'backup.save',
]);

/**
 * Reads that end soon (one page, one chunk). While no change runs, they start
 * without looking up their paths (a lookup per 512 KiB chunk costs pipelined
 * reads ~15%): they count as touching everything, so a change that arrives
 * meanwhile waits the moment they take. A search always looks its path up.
 */
const QUICK_READ_OPS: ReadonlySet<NativeHostRequest['op']> = new Set(['roots.list', 'list_dir', 'stat', 'read_file']);

/** How a quick read is scheduled while no change runs (see QUICK_READ_OPS). */
export function unscopedQuickRead(op: NativeHostRequest['op']): Scheduled | null {
  return QUICK_READ_OPS.has(op) ? { changes: false, redirects: false, footprint: { kind: 'everything' } } : null;
}

export function isReadOnlyOp(op: NativeHostRequest['op']): boolean {
  return READ_ONLY_OPS.has(op);
}

function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/** The paths a lookup of `absolute` passes through (see the note above); best effort, never throws. */
export async function lookupPaths(absolute: string): Promise<string[]> {
  const seen = [absolute];
  const queue = components(absolute);
  let resolved = '/';
  let links = 0;
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (name === '..') {
      resolved = path.posix.dirname(resolved);
      continue;
    }
    const candidate = resolved === '/' ? `/${name}` : `${resolved}/${name}`;
    const stats = await fs.lstat(candidate).catch(() => null);
    if (!stats) {
      // Missing (or unreadable): the op stops here too, or creates what is below.
      seen.push(normalizeAbsolute(path.posix.join(candidate, ...queue)));
      return seen;
    }
    if (!stats.isSymbolicLink()) {
      resolved = candidate;
      continue;
    }
    seen.push(candidate);
    const target = await fs.readlink(candidate).catch(() => null);
    if (target === null || target.includes('\0') || ++links > MAX_SYMLINKS) return seen;
    if (target.startsWith('/')) resolved = '/';
    queue.unshift(...components(target));
  }
  seen.push(resolved);
  return seen;
}

async function pathsOf(policy: AccessPolicy, requested: readonly string[]): Promise<string[]> {
  const all: string[] = [];
  for (const one of requested) {
    const absolute = toAbsolute(policy, one);
    if (absolute.ok) all.push(...(await lookupPaths(absolute.value)));
  }
  return all;
}

async function transferPaths(ctx: HostContext, transferId: string): Promise<string[]> {
  try {
    return [ctx.transfers.getWrite(transferId).realPath];
  } catch {
    return []; // no such transfer: the op answers not_found or cancelled without touching a file
  }
}

async function footprintOf(request: NativeHostRequest, ctx: HostContext): Promise<Footprint> {
  const paths = async (requested: readonly string[]) => pathsOf(await policyOf(ctx), requested);
  switch (request.op) {
    case 'roots.list':
      return { kind: 'paths', paths: [], trash: 'none' };
    case 'trash.list':
      return { kind: 'paths', paths: [], trash: 'read' };
    case 'list_dir':
    case 'stat':
    case 'read_file':
    case 'search':
    case 'make_dir':
      return { kind: 'paths', paths: await paths([request.path]), trash: 'none' };
    case 'write_file':
    case 'write.begin':
    case 'edit_file':
      return { kind: 'paths', paths: await paths([request.path]), trash: 'add' };
    case 'write.chunk':
    case 'write.abort':
      return { kind: 'paths', paths: await transferPaths(ctx, request.transferId), trash: 'none' };
    case 'write.commit':
      return { kind: 'paths', paths: await transferPaths(ctx, request.transferId), trash: 'add' };
    case 'move':
      return { kind: 'paths', paths: await paths([request.from, request.to]), trash: 'add' };
    case 'trash':
      return { kind: 'paths', paths: await paths(request.paths), trash: 'add' };
    case 'backup.save':
    case 'backup.list':
    case 'backup.load':
      // Only the host's own backup folder, which no file op can reach: ordered among themselves, never
      // behind (or ahead of) the agent's file work.
      return { kind: 'paths', paths: [ctx.dirs.backupDir], trash: 'none' };
    default:
      // roots.add/remove/update change what every path means; trash.restore and
      // trash.purge name trash entries, not paths; an op added later is safe here.
      return { kind: 'everything' };
  }
}

/** The request as the scheduler sees it. A footprint that cannot be worked out makes the request run alone. */
export async function scheduleOf(request: NativeHostRequest, ctx: HostContext): Promise<Scheduled> {
  const changes = !isReadOnlyOp(request.op);
  const redirects = changes && !NON_REDIRECTING_OPS.has(request.op);
  try {
    return { changes, redirects, footprint: await footprintOf(request, ctx) };
  } catch {
    return { changes, redirects: changes, footprint: { kind: 'everything' } };
  }
}

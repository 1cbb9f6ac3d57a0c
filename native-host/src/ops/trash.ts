/** `trash`, `trash.list`, `trash.restore`, `trash.purge`. */
import path from 'node:path';
import {
  MAX_HOST_MESSAGE_BYTES,
  type NativeHostRequestOf,
  type NativeHostResultOf,
  type TrashEntry,
} from '../../../shared/protocol/native-host';
import { type HostContext, policyOf } from '../context';
import { HostError, toHostError } from '../errors';
import { moveEntryNoReplace } from '../fs/relocate';
import { resolveEntry } from '../fs/resolve';
import { VerifiedDir, withVerifiedDir } from '../fs/verified-dir';
import { makeDirs, trashExisting } from './move';

const PAGE_BUDGET_BYTES = MAX_HOST_MESSAGE_BYTES / 2;
/** Room for a trash answer's lists, well under the 1 MiB cap (the envelope and counts need little). */
const ANSWER_BUDGET_BYTES = MAX_HOST_MESSAGE_BYTES - 64 * 1024;

export async function trash(
  request: NativeHostRequestOf<'trash'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'trash'>> {
  const op = ctx.transfers.startCancellable(request.transferId, 'trash');
  try {
    const policy = await policyOf(ctx);
    // Every path is checked before anything moves: one refused path refuses the whole request.
    const targets = [];
    for (const requested of request.paths) targets.push(await resolveEntry(policy, requested, { mustExist: true }));
    const entries: TrashEntry[] = [];
    const failed: NativeHostResultOf<'trash'>['failed'] = [];
    for (const target of targets) {
      try {
        // Cancelled: the rest stays where it is; an entry being copied is rolled back whole.
        await op.checkpoint();
        const entry = await withVerifiedDir(policy, target.parentReal, 'write', async (dir) => {
          const moved = await ctx.trash.put(
            {
              dir,
              name: target.name,
              originalPath: target.entryReal,
              rootName: target.root.name,
              display: target.display,
            },
            op.checkpoint,
          );
          await dir.syncQuietly();
          return moved;
        });
        entries.push(entry);
      } catch (error) {
        failed.push({ path: target.entryReal, error: toHostError(error, target.display).toWire() });
      }
    }
    return fitAnswer(entries, failed);
  } finally {
    op.done();
  }
}

/**
 * The work is done by now: an answer that would pass the 1 MiB frame limit
 * (thousands of long paths) keeps what fits and counts the rest, rather than
 * becoming `too_large` after everything was moved. `trash.list` has them all.
 */
function fitAnswer(entries: TrashEntry[], failed: NativeHostResultOf<'trash'>['failed']): NativeHostResultOf<'trash'> {
  let budget = ANSWER_BUDGET_BYTES;
  const keep = <T>(items: readonly T[]): T[] => {
    const out: T[] = [];
    for (const item of items) {
      const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (bytes > budget) break;
      budget -= bytes;
      out.push(item);
    }
    return out;
  };
  // Failures first: they are what the user must act on.
  const shownFailed = keep(failed);
  const shownEntries = keep(entries);
  return {
    entries: shownEntries,
    failed: shownFailed,
    ...(shownEntries.length < entries.length ? { omittedEntries: entries.length - shownEntries.length } : {}),
    ...(shownFailed.length < failed.length ? { omittedFailures: failed.length - shownFailed.length } : {}),
  };
}

export async function trashList(
  request: NativeHostRequestOf<'trash.list'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'trash.list'>> {
  const all = await ctx.trash.list();
  let start = 0;
  if (request.cursor !== undefined) {
    if (!/^\d{1,9}$/.test(request.cursor))
      throw new HostError('bad_request', 'this cursor did not come from trash.list');
    start = Number(request.cursor);
  }
  const entries: TrashEntry[] = [];
  let bytes = 0;
  let index = start;
  while (index < all.length && entries.length < request.limit && bytes < PAGE_BUDGET_BYTES) {
    const entry = all[index] as TrashEntry;
    bytes += Buffer.byteLength(JSON.stringify(entry)) + 1;
    entries.push(entry);
    index++;
  }
  return { entries, nextCursor: index < all.length ? String(index) : null, totalEntries: all.length };
}

export async function trashRestore(
  request: NativeHostRequestOf<'trash.restore'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'trash.restore'>> {
  const entry = await ctx.trash.read(request.entryId);
  const policy = await policyOf(ctx);
  // The original place must still be inside a writable allowed folder: restoring is a write.
  await makeDirs(policy, path.posix.dirname(entry.originalPath), true);
  const target = await resolveEntry(policy, entry.originalPath, { mustExist: false });
  if (target.exists && !request.overwrite) {
    throw new HostError('exists', `${target.display} exists again (set overwrite to replace it; it goes to the trash)`);
  }
  const dir = await VerifiedDir.open(policy, target.parentReal, 'write');
  try {
    const replaced = request.overwrite ? await trashExisting(ctx.trash, dir, target.name, target.entryReal) : null;
    const item = await ctx.trash.openItem(entry.id);
    try {
      await moveEntryNoReplace(
        item.dir,
        item.name,
        dir,
        target.name,
        { from: target.display, to: target.display },
        { pending: ctx.pending },
      );
    } catch (error) {
      throw toHostError(error, target.display);
    } finally {
      await item.dir.close();
    }
    await dir.syncQuietly();
    await ctx.trash.remove(entry.id);
    return { path: target.entryReal, replaced };
  } finally {
    await dir.close();
  }
}

export async function trashPurge(
  request: NativeHostRequestOf<'trash.purge'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'trash.purge'>> {
  const purged: string[] = [];
  const notFound: string[] = [];
  for (const id of request.entryIds) {
    if (await ctx.trash.remove(id)) purged.push(id);
    else notFound.push(id);
  }
  return { purged, notFound };
}

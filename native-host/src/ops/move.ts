/** `move` and `make_dir`. Neither ever destroys anything: a replaced destination goes to the trash. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { NativeHostRequestOf, NativeHostResultOf, TrashEntry } from '../../../shared/protocol/native-host';
import { type AccessPolicy, displayPath, isInside, toAbsolute } from '../confine';
import { type HostContext, policyOf } from '../context';
import { errnoCode, HostError, toHostError } from '../errors';
import type { KeepPrevious } from '../fs/atomic-write';
import { moveEntryNoReplace } from '../fs/relocate';
import { resolveEntry, resolveForWrite, unwrap } from '../fs/resolve';
import { VerifiedDir } from '../fs/verified-dir';
import type { TrashStore } from '../trash-store';

/** Moves what sits at `name` in `dir` to the trash, for `overwrite`. */
export async function trashExisting(
  trash: TrashStore,
  dir: VerifiedDir,
  name: string,
  realPath: string,
): Promise<TrashEntry | null> {
  const exists = await dir.lstatChild(name).then(
    () => true,
    () => false,
  );
  if (!exists) return null;
  return trash.put({
    dir,
    name,
    originalPath: realPath,
    rootName: dir.root.name,
    display: displayPath(dir.root, realPath),
  });
}

/** For overwrites: keeps the file about to be replaced in the trash, restorable. */
export function keepPreviousIn(trash: TrashStore): KeepPrevious {
  return (dir, name, expected) => {
    const realPath = dir.childRealPath(name);
    return trash.keepCopy(
      {
        dir,
        name,
        originalPath: realPath,
        rootName: dir.root.name,
        display: displayPath(dir.root, realPath),
      },
      expected,
    );
  };
}

export async function move(
  request: NativeHostRequestOf<'move'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'move'>> {
  const op = ctx.transfers.startCancellable(request.transferId, 'move');
  try {
    return await moveChecked(request, ctx, op.checkpoint);
  } finally {
    op.done();
  }
}

async function moveChecked(
  request: NativeHostRequestOf<'move'>,
  ctx: HostContext,
  checkpoint: () => Promise<void>,
): Promise<NativeHostResultOf<'move'>> {
  const policy = await policyOf(ctx);
  const from = await resolveEntry(policy, request.from, { mustExist: true });
  const to = await resolveEntry(policy, request.to, { mustExist: false });
  if (from.entryReal === to.entryReal) throw new HostError('bad_request', 'source and destination are the same');
  if (isInside(from.entryReal, to.entryReal)) {
    throw new HostError('bad_request', `cannot move ${from.display} into itself`);
  }
  if (to.exists && !request.overwrite) {
    throw new HostError(
      'exists',
      `${to.display} already exists (set overwrite to replace it; the old one goes to the trash)`,
    );
  }
  const fromDir = await VerifiedDir.open(policy, from.parentReal, 'write');
  try {
    const toDir = await VerifiedDir.open(policy, to.parentReal, 'write');
    try {
      await fromDir.lstatChild(from.name).catch((error: unknown) => {
        throw toHostError(error, from.display);
      });
      let replaced: TrashEntry | null = null;
      if (request.overwrite) replaced = await trashExisting(ctx.trash, toDir, to.name, to.entryReal);
      try {
        await moveEntryNoReplace(
          fromDir,
          from.name,
          toDir,
          to.name,
          { from: from.display, to: to.display },
          { pending: ctx.pending, checkpoint },
        );
      } catch (error) {
        throw toHostError(error, to.display);
      }
      await Promise.all([fromDir.syncQuietly(), toDir.syncQuietly()]);
      return { from: from.entryReal, to: to.entryReal, replaced };
    } finally {
      await toDir.close();
    }
  } finally {
    await fromDir.close();
  }
}

/** Creates `path` (and, if `recursive`, missing parents), each step through a verified handle. */
export async function makeDirs(
  policy: AccessPolicy,
  requested: string,
  recursive: boolean,
): Promise<{ path: string; created: string[] }> {
  const absolute = unwrap(toAbsolute(policy, requested));
  const root = policy.roots.find((r) => r.path === absolute);
  if (root) {
    if (recursive) return { path: root.path, created: [] };
    throw new HostError('exists', `${requested} is an allowed folder and exists`);
  }
  const target = await resolveForWrite(policy, requested, { createParents: recursive });
  if (target.existing !== null) {
    if (target.existing === 'dir' && recursive) {
      return { path: path.posix.join(target.dirReal, target.name), created: [] };
    }
    throw new HostError('exists', `${target.display} already exists`);
  }
  let dir = await VerifiedDir.open(policy, target.dirReal, 'write');
  const created: string[] = [];
  try {
    for (const name of [...target.missingDirs, target.name]) {
      try {
        await fs.mkdir(dir.child(name));
        created.push(dir.childRealPath(name));
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST' || !recursive) throw toHostError(error, target.display);
      }
      const next = await dir.openSubdir(policy, name, 'write');
      await dir.close();
      dir = next;
    }
    await dir.syncQuietly();
    return { path: dir.realPath, created };
  } finally {
    await dir.close();
  }
}

export async function makeDir(
  request: NativeHostRequestOf<'make_dir'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'make_dir'>> {
  return makeDirs(await policyOf(ctx), request.path, request.recursive);
}

/**
 * From a requested path to a checked real location. Three shapes, one per kind
 * of operation:
 * - `resolveExisting`: the thing itself, symlinks followed (read, list, stat, edit).
 * - `resolveForWrite`: a file that may not exist yet; its resolved parent must be
 *   inside a writable folder; a dangling symlink is followed to where it points
 *   and judged there (write, make_dir).
 * - `resolveEntry`: the directory entry itself, its last part NOT followed
 *   (move, trash: moving a symlink moves the link, never its target).
 * Every result is re-checked when the folder is opened (verified-dir.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  type AccessIntent,
  type AccessPolicy,
  type Confined,
  containsDenied,
  decideAccess,
  displayPath,
  isDeniedPath,
  isInside,
  isPlainName,
  type PolicyRoot,
  toAbsolute,
} from '../confine';
import { errnoCode, HostError, toHostError } from '../errors';
import { type RealPathWalk, WalkFailure, walkRealPath } from './real-path';

export interface ResolvedTarget {
  realPath: string;
  root: PolicyRoot;
  /** `<root name>/<relative>`: how messages name it. */
  display: string;
}

export function unwrap<T>(result: Confined<T>): T {
  if (!result.ok) throw new HostError(result.code, result.message);
  return result.value;
}

/** Resolves, saying only `not_allowed` for anything that went wrong beyond the allowed folders. */
async function walk(policy: AccessPolicy, absolute: string, requested: string) {
  try {
    return await walkRealPath(absolute);
  } catch (error) {
    if (error instanceof WalkFailure) {
      unwrap(decideAccess(policy, error.parentReal, 'read'));
      const cause = toHostError(error.failure);
      throw new HostError(cause.code, `${requested}: ${cause.message}`);
    }
    throw toHostError(error, requested);
  }
}

/**
 * For a path that does not exist: say "not allowed" when the lookup had already
 * left the allowed folders, or when the path would lie in a guarded place (a
 * manifest folder not created yet), so neither can be probed for existence.
 */
function refuseMissingBeyond(policy: AccessPolicy, walked: Extract<RealPathWalk, { kind: 'missing' }>): void {
  unwrap(decideAccess(policy, walked.parentReal, 'read'));
  unwrap(decideAccess(policy, path.posix.join(walked.parentReal, walked.missing, ...walked.rest), 'read'));
}

export async function resolveExisting(
  policy: AccessPolicy,
  requested: string,
  intent: AccessIntent,
): Promise<ResolvedTarget> {
  const absolute = unwrap(toAbsolute(policy, requested));
  const result = await walk(policy, absolute, requested);
  if (result.kind === 'missing') {
    refuseMissingBeyond(policy, result);
    throw new HostError('not_found', `${requested} does not exist`);
  }
  const root = unwrap(decideAccess(policy, result.real, intent));
  return { realPath: result.real, root, display: displayPath(root, result.real) };
}

export interface WriteTarget {
  /** Real folder that exists now. */
  dirReal: string;
  /** Folders to create inside `dirReal`, in order, before the file (createParents). */
  missingDirs: string[];
  name: string;
  root: PolicyRoot;
  display: string;
  /** What exists at the target now. */
  existing: 'file' | 'dir' | 'other' | null;
}

export async function resolveForWrite(
  policy: AccessPolicy,
  requested: string,
  options: { createParents: boolean },
): Promise<WriteTarget> {
  const absolute = unwrap(toAbsolute(policy, requested));
  const result = await walk(policy, absolute, requested);
  if (result.kind === 'found') {
    const root = unwrap(decideAccess(policy, result.real, 'write'));
    if (result.real === root.path) throw new HostError('wrong_type', `${requested} is an allowed folder itself`);
    const stats = await fs.lstat(result.real).catch((error: unknown) => {
      throw toHostError(error, requested);
    });
    return {
      dirReal: path.posix.dirname(result.real),
      missingDirs: [],
      name: path.posix.basename(result.real),
      root,
      display: displayPath(root, result.real),
      existing: stats.isFile() ? 'file' : stats.isDirectory() ? 'dir' : 'other',
    };
  }
  const names = [result.missing, ...result.rest];
  if (!names.every(isPlainName)) {
    throw new HostError('not_allowed', `${requested} goes through a symlink whose target climbs with ".."`);
  }
  const finalReal = path.posix.join(result.parentReal, ...names);
  unwrap(decideAccess(policy, result.parentReal, 'write'));
  const root = unwrap(decideAccess(policy, finalReal, 'write'));
  if (names.length > 1 && !options.createParents) {
    throw new HostError(
      'not_found',
      `the folder ${displayPath(root, path.posix.join(result.parentReal, result.missing))} does not exist`,
    );
  }
  return {
    dirReal: result.parentReal,
    missingDirs: names.slice(0, -1),
    name: names[names.length - 1] as string,
    root,
    display: displayPath(root, finalReal),
    existing: null,
  };
}

export interface EntryTarget {
  parentReal: string;
  name: string;
  /** Real path of the entry (its last part not followed). */
  entryReal: string;
  root: PolicyRoot;
  display: string;
}

/** The entry itself, for move/trash. `mustExist: false` is for a move destination. */
export async function resolveEntry(
  policy: AccessPolicy,
  requested: string,
  options: { mustExist: boolean },
): Promise<EntryTarget & { exists: boolean }> {
  const absolute = unwrap(toAbsolute(policy, requested));
  if (policy.roots.some((r) => r.path === absolute)) {
    throw new HostError('bad_request', `${requested} is an allowed folder itself; it cannot be moved or trashed`);
  }
  const name = path.posix.basename(absolute);
  if (!isPlainName(name)) throw new HostError('bad_request', `${requested} does not name an entry`);
  // A guarded place (a manifest folder) is refused by name even where it does not exist yet.
  if (isDeniedPath(policy, absolute)) throw new HostError('not_allowed', `${requested} is out of Tandem's reach`);
  const parent = await walk(policy, path.posix.dirname(absolute), requested);
  if (parent.kind === 'missing') {
    refuseMissingBeyond(policy, parent);
    throw new HostError('not_found', `the folder containing ${requested} does not exist`);
  }
  const entryReal = path.posix.join(parent.real, name);
  const root = unwrap(decideAccess(policy, entryReal, 'write'));
  unwrap(decideAccess(policy, parent.real, 'write'));
  if (policy.roots.some((r) => r.path === entryReal)) {
    throw new HostError('bad_request', `${requested} is an allowed folder itself; it cannot be moved or trashed`);
  }
  if (containsDenied(policy, entryReal)) {
    throw new HostError('not_allowed', `${requested} contains Tandem's own files`);
  }
  // Carrying an allowed folder along would move it out from under its own rules:
  // a read-only folder moved below a read-write one becomes writable (issue 8).
  const nested = policy.roots.find((r) => r.path !== entryReal && isInside(entryReal, r.path));
  if (nested) {
    throw new HostError(
      'not_allowed',
      `${requested} contains the allowed folder ${nested.name}; it cannot be moved or trashed with it`,
    );
  }
  let exists = true;
  try {
    await fs.lstat(entryReal);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw toHostError(error, requested);
    exists = false;
  }
  if (options.mustExist && !exists) throw new HostError('not_found', `${requested} does not exist`);
  return { parentReal: parent.real, name, entryReal, root, display: displayPath(root, entryReal), exists };
}

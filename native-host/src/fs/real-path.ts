/**
 * Resolves an absolute path one component at a time, following symlinks the way
 * the kernel does, and reports where resolution stopped. Unlike `realpath(3)` it
 * also answers for paths that do not exist yet: the real folder reached and the
 * first missing name. That is what confinement needs for new files ("check the
 * resolved parent") and for errors that reveal nothing about outside paths.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, HostError } from '../errors';

/** Linux gives up after 40 symlinks in one lookup (MAXSYMLINKS); so do we. */
const MAX_SYMLINKS = 40;

export type RealPathWalk =
  | { kind: 'found'; real: string }
  /** `parentReal` exists and is a real folder; `missing` is not in it; `rest` came after it. */
  | { kind: 'missing'; parentReal: string; missing: string; rest: string[] };

/**
 * Where a walk failed: the real folder it had reached. The caller decides from
 * it whether it may say anything: a failure beyond the allowed folders must
 * look the same whatever is there, or a symlink would let anyone probe outside.
 */
export class WalkFailure extends Error {
  constructor(
    readonly failure: unknown,
    readonly parentReal: string,
  ) {
    super('the path could not be resolved');
    this.name = 'WalkFailure';
  }
}

export interface WalkFs {
  lstat(p: string): Promise<{ isSymbolicLink(): boolean; isDirectory(): boolean }>;
  readlink(p: string): Promise<string>;
}

const nodeFs: WalkFs = { lstat: (p) => fs.lstat(p), readlink: (p) => fs.readlink(p) };

function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

export async function walkRealPath(absolute: string, io: WalkFs = nodeFs): Promise<RealPathWalk> {
  if (!absolute.startsWith('/')) throw new HostError('bad_request', 'expected an absolute path');
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
    let stats: Awaited<ReturnType<WalkFs['lstat']>>;
    try {
      stats = await io.lstat(candidate);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { kind: 'missing', parentReal: resolved, missing: name, rest: queue };
      throw new WalkFailure(error, resolved);
    }
    if (stats.isSymbolicLink()) {
      links += 1;
      if (links > MAX_SYMLINKS) throw new HostError('not_allowed', 'too many symlinks (a symlink loop?)');
      const target = await io.readlink(candidate).catch((error: unknown) => {
        // EINVAL: it stopped being a symlink between lstat and readlink (swapped under us).
        if (errnoCode(error) === 'EINVAL')
          throw new HostError('not_allowed', 'an entry changed while Tandem looked it up');
        throw error;
      });
      if (target.includes('\0')) throw new HostError('not_allowed', 'a symlink target contains a NUL byte');
      if (target.startsWith('/')) resolved = '/';
      queue.unshift(...components(target));
      continue;
    }
    if (queue.length > 0 && !stats.isDirectory()) {
      throw new WalkFailure(new HostError('wrong_type', 'a part of the path is not a folder'), resolved);
    }
    resolved = candidate;
  }
  return { kind: 'found', real: resolved };
}

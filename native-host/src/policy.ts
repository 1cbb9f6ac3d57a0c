/**
 * Builds the access policy for one request from the stored config: each allowed
 * folder is used only if its stored path is still its real path. If someone
 * replaced an allowed folder (or a folder above it) with a symlink, following
 * it would move the whole allowed area elsewhere, so that folder is disabled
 * until the user adds it again.
 */
import fs from 'node:fs/promises';
import type { AllowedRoot } from '../../shared/protocol/native-host';
import { type AccessPolicy, normalizeAbsolute } from './confine';
import type { HostDirs } from './host-dirs';

export interface PolicyReport {
  policy: AccessPolicy;
  /** Allowed folders that cannot be used right now, and why. */
  unavailable: { name: string; path: string; reason: string }[];
}

async function realOrNull(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch {
    return null;
  }
}

/** The host's own folders, by lexical and by real path (both are refused). */
export async function deniedPaths(dirs: HostDirs): Promise<string[]> {
  const out = new Set<string>();
  for (const dir of [dirs.configDir, dirs.dataDir]) {
    out.add(normalizeAbsolute(dir));
    const real = await realOrNull(dir);
    if (real) out.add(real);
  }
  return [...out];
}

export async function buildPolicy(roots: readonly AllowedRoot[], dirs: HostDirs): Promise<PolicyReport> {
  const unavailable: PolicyReport['unavailable'] = [];
  const usable: AccessPolicy['roots'][number][] = [];
  for (const root of roots) {
    const real = await realOrNull(root.path);
    if (real === null) {
      unavailable.push({ name: root.name, path: root.path, reason: 'the folder does not exist (any more)' });
    } else if (real !== root.path) {
      unavailable.push({
        name: root.name,
        path: root.path,
        // Not where it points now: that place is not allowed, so the agent is not told about it.
        reason: 'the folder (or one above it) was replaced by a symlink; allow it again to use it',
      });
    } else {
      usable.push({ name: root.name, path: root.path, mode: root.mode });
    }
  }
  return { policy: { roots: usable, denied: await deniedPaths(dirs) }, unavailable };
}

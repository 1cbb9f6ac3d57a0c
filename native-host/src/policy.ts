/**
 * Builds the access policy for one request from the stored config: each allowed
 * folder is used only if its stored path is still its real path. If someone
 * replaced an allowed folder (or a folder above it) with a symlink, following
 * it would move the whole allowed area elsewhere, so that folder is disabled
 * until the user adds it again.
 */
import fs from 'node:fs/promises';
import { z } from 'zod';
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

const InstallRecord = z.object({ manifestDirs: z.array(z.string()) });

/** Manifest folders `install` wrote besides the browsers' own (`--profile-dir`). */
export async function recordedManifestDirs(dirs: HostDirs): Promise<string[]> {
  try {
    const parsed = InstallRecord.safeParse(JSON.parse(await fs.readFile(dirs.installRecord, 'utf8')));
    return parsed.success ? parsed.data.manifestDirs.filter((d) => d.startsWith('/')) : [];
  } catch {
    return [];
  }
}

/**
 * What no request may touch, by lexical and by real path (both are refused):
 * the host's own folders (settings, trash, installed host and launcher), every
 * manifest folder the installer knows, and the programs the browser runs.
 */
export async function deniedPaths(dirs: HostDirs): Promise<string[]> {
  const out = new Set<string>();
  const guarded = [
    dirs.configDir,
    dirs.dataDir,
    ...dirs.manifestDirs,
    ...(await recordedManifestDirs(dirs)),
    ...dirs.programs,
  ];
  const reals = await Promise.all(guarded.map(realOrNull));
  guarded.forEach((dir, i) => {
    out.add(normalizeAbsolute(dir));
    const real = reals[i];
    if (real) out.add(real);
  });
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

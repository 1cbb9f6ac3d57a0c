/**
 * Path confinement, the pure half: what a requested path means and whether a
 * real (symlink-free) path may be touched. No file system access here; the
 * resolving and open-time re-checks live in `fs/resolve.ts` and `fs/verified-dir.ts`.
 *
 * Lessons taken from the MCP filesystem server's CVEs:
 * - CVE-2025-53110: a string-prefix test let `/allowed_evil` pass for `/allowed`.
 *   Containment here is always compared on a separator boundary (`isInside`).
 * - CVE-2025-53109: a symlink inside an allowed folder led outside. Decisions are
 *   made on real paths only (`decideAccess`), and the edge re-checks what it opened.
 * No Unicode normalisation is applied: Linux names are bytes, so NFC `café` and
 * NFD `café` are different folders and must compare different.
 */
import path from 'node:path';
import { MAX_PATH_BYTES, type RootMode } from '../../shared/protocol/native-host';

/** An allowed folder whose `path` is its real path (checked when the policy is built). */
export interface PolicyRoot {
  name: string;
  path: string;
  mode: RootMode;
}

export interface AccessPolicy {
  roots: readonly PolicyRoot[];
  /** The host's own files (config, trash, installed host), manifest folders and programs: never reachable. */
  denied: readonly string[];
}

export type AccessIntent = 'read' | 'write';

export type Confined<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'bad_request' | 'not_allowed' | 'read_only'; message: string };

const MAX_NAME_BYTES = 255;
const encoder = new TextEncoder();

function refuse(code: 'bad_request' | 'not_allowed' | 'read_only', message: string): Confined<never> {
  return { ok: false, code, message };
}

/** `child` is `parent` or below it. Compared on a separator boundary, never as a bare prefix. */
export function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  const withSep = parent.endsWith('/') ? parent : `${parent}/`;
  return child.startsWith(withSep);
}

/** Normalises an absolute POSIX path: resolves `.`/`..` lexically, collapses `//`, drops trailing `/`. */
export function normalizeAbsolute(p: string): string {
  const normalized = path.posix.normalize(p);
  if (normalized.length > 1 && normalized.endsWith('/')) return normalized.replace(/\/+$/, '') || '/';
  return normalized;
}

/** Rejects what no file system call should ever see: NUL bytes, over-long paths or names. */
export function checkPathSyntax(requested: string): string | null {
  if (requested.length === 0) return 'the path is empty';
  if (requested.includes('\0')) return 'the path contains a NUL byte';
  if (encoder.encode(requested).length > MAX_PATH_BYTES) return `the path is longer than ${MAX_PATH_BYTES} bytes`;
  for (const part of requested.split('/')) {
    if (encoder.encode(part).length > MAX_NAME_BYTES)
      return `a name in the path is longer than ${MAX_NAME_BYTES} bytes`;
  }
  return null;
}

/** The deepest root that contains `p` (nested roots: the inner one decides the mode). */
export function containingRoot<R extends PolicyRoot>(roots: readonly R[], p: string): R | null {
  let best: R | null = null;
  for (const root of roots) {
    if (isInside(root.path, p) && (best === null || root.path.length > best.path.length)) best = root;
  }
  return best;
}

/**
 * Turns a requested path (absolute, or `<root name>/<relative>`) into a normalised
 * absolute path that lies lexically inside an allowed folder. Symlinks are not
 * looked at yet: this only stops `..` escapes and outside paths before any
 * file system call, so probing outside paths reveals nothing (not even existence).
 */
export function toAbsolute(policy: AccessPolicy, requested: string): Confined<string> {
  const syntaxError = checkPathSyntax(requested);
  if (syntaxError) return refuse('bad_request', syntaxError);

  let absolute: string;
  if (requested.startsWith('/')) {
    absolute = normalizeAbsolute(requested);
  } else {
    const slash = requested.indexOf('/');
    const rootName = slash === -1 ? requested : requested.slice(0, slash);
    const rest = slash === -1 ? '' : requested.slice(slash + 1);
    const root = policy.roots.find((r) => r.name === rootName);
    if (!root) {
      return refuse(
        'not_allowed',
        `"${rootName}" is not the name of an allowed folder (use an absolute path or "<folder name>/<path>")`,
      );
    }
    absolute = normalizeAbsolute(path.posix.join(root.path, rest));
    if (!isInside(root.path, absolute))
      return refuse('not_allowed', `${requested} leads outside the folder ${root.name}`);
  }
  if (!containingRoot(policy.roots, absolute))
    return refuse('not_allowed', `${requested} is outside the allowed folders`);
  return { ok: true, value: absolute };
}

/**
 * The decision on a real path: inside an allowed folder, not in the host's own
 * files, and writable if a write is intended.
 */
export function decideAccess(policy: AccessPolicy, realPath: string, intent: AccessIntent): Confined<PolicyRoot> {
  if (!realPath.startsWith('/') || realPath.includes('\0') || normalizeAbsolute(realPath) !== realPath) {
    return refuse('not_allowed', 'the resolved path is not a clean absolute path');
  }
  if (isDeniedPath(policy, realPath)) {
    return refuse(
      'not_allowed',
      "that is inside Tandem's own files (its settings and trash) or what the browser runs (native messaging manifests, the host), which stay out of reach",
    );
  }
  const root = containingRoot(policy.roots, realPath);
  if (!root)
    return refuse('not_allowed', 'the real location (after following symlinks) is outside the allowed folders');
  if (intent === 'write' && root.mode !== 'read-write') {
    return refuse('read_only', `the folder ${root.name} is allowed for reading only`);
  }
  return { ok: true, value: root };
}

/** Inside one of the places no request may touch (the host's own files, manifests, programs). */
export function isDeniedPath(policy: AccessPolicy, p: string): boolean {
  return policy.denied.some((d) => isInside(d, p));
}

/** True when moving or trashing `entry` would carry the host's own files with it. */
export function containsDenied(policy: AccessPolicy, entry: string): boolean {
  return policy.denied.some((d) => isInside(entry, d));
}

/** How the extension sees a real path: `<root name>/<relative>`, or the root name alone. */
export function displayPath(root: PolicyRoot, realPath: string): string {
  if (realPath === root.path) return root.name;
  return `${root.name}/${realPath.slice(root.path.length + (root.path.endsWith('/') ? 0 : 1))}`;
}

/** A single name (no separators, not `.`/`..`) safe to join onto a verified folder. */
export function isPlainName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

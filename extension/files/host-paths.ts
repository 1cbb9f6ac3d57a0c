/**
 * Paths as the extension shows and reasons about them. The host is the authority
 * on where a path really leads (it resolves symlinks and refuses anything
 * outside the allowed folders); these pure helpers only name things for people
 * and find the folder a path lexically belongs to, comparing on a separator
 * boundary so `/notes` never claims `/notes-old/x`.
 */
import type { AllowedRoot } from '../../shared/protocol/native-host';

/** Collapses `.`, `..` and repeated separators of a POSIX path; never climbs above `/`. */
export function normalizePosix(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!absolute) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

/** True when `path` is `root` or inside it (on a separator boundary). Both absolute and normalised. */
export function isInsideFolder(root: string, path: string): boolean {
  if (root === '/') return path.startsWith('/');
  return path === root || path.startsWith(`${root}/`);
}

export interface FolderMatch {
  root: AllowedRoot;
  /** Path inside the folder, '' for the folder itself. */
  relative: string;
}

/**
 * The lexical absolute form of a requested path, as the host forms it
 * (native-host/src/confine.ts): absolute paths normalised; `<folder name>/<rest>`
 * joined onto that folder's path and kept inside it. Null when it names no folder
 * or climbs out of the one it names.
 */
export function absoluteOf(roots: readonly AllowedRoot[], path: string): string | null {
  if (path.length === 0 || path.includes('\0')) return null;
  if (path.startsWith('/')) return normalizePosix(path);
  const slash = path.indexOf('/');
  const name = slash === -1 ? path : path.slice(0, slash);
  const root = roots.find((r) => r.name === name);
  if (!root) return null;
  const absolute = normalizePosix(`${root.path}/${slash === -1 ? '' : path.slice(slash + 1)}`);
  return isInsideFolder(root.path, absolute) ? absolute : null;
}

/**
 * The allowed folder a path names before symlinks are resolved: the deepest
 * folder containing its lexical absolute form (folders may nest, and the inner
 * one decides). Null when it names none.
 */
export function folderOfPath(roots: readonly AllowedRoot[], path: string): FolderMatch | null {
  const absolute = absoluteOf(roots, path);
  if (absolute === null) return null;
  let best: AllowedRoot | null = null;
  for (const root of roots) {
    if (isInsideFolder(root.path, absolute) && (!best || root.path.length > best.path.length)) best = root;
  }
  if (!best) return null;
  return { root: best, relative: absolute === best.path ? '' : absolute.slice(best.path.length + 1) };
}

/** `notes/todo.md` for a path inside an allowed folder, else the path as given. */
export function displayPath(roots: readonly AllowedRoot[], path: string): string {
  const match = folderOfPath(roots, path);
  if (!match) return path;
  return match.relative ? `${match.root.name}/${match.relative}` : `${match.root.name}/`;
}

/** Ancestors of a path from the nearest to the folder (or `/`), the path itself first. */
export function selfAndAncestors(path: string): string[] {
  const normal = normalizePosix(path);
  const out = [normal];
  let current = normal;
  for (;;) {
    const cut = current.lastIndexOf('/');
    if (cut < 0) break;
    const parent = cut === 0 ? (current === '/' ? null : '/') : current.slice(0, cut);
    if (parent === null) break;
    out.push(parent);
    current = parent;
    if (parent === '/') break;
  }
  return out;
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

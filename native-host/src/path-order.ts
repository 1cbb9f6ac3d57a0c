/**
 * Path-scoped ordering, the pure half: which requests must not run at the same
 * time. A request's footprint is every absolute path it may look at or change
 * (computed in request-footprint.ts); two requests conflict when at least one
 * changes something and their footprints overlap: the same path, or one inside
 * the other (compared on a separator boundary, like confinement). Tandem's
 * trash store is a place of its own: adding to it (trash, overwrite) conflicts
 * with listing it, not with another addition (each entry gets its own folder).
 */
import { isInside } from './confine';

export type Footprint =
  /** Changes the allowed folders or anything else not tied to paths (and every op we do not know): runs alone. */
  { kind: 'everything' } | { kind: 'paths'; paths: readonly string[]; trash: 'none' | 'read' | 'add' };

export interface Scheduled {
  footprint: Footprint;
  changes: boolean;
  /**
   * May put a symlink (or a folder holding some) somewhere new (move, restore,
   * anything unknown), so a later lookup through its paths can lead anywhere.
   * A change that only removes entries or writes files and folders keeps every
   * lookup through its paths inside its own footprint.
   */
  redirects: boolean;
}

export function pathsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.some((p) => b.some((q) => isInside(p, q) || isInside(q, p)));
}

export function conflicts(a: Scheduled, b: Scheduled): boolean {
  if (!a.changes && !b.changes) return false;
  if (a.footprint.kind === 'everything' || b.footprint.kind === 'everything') return true;
  const trashA = a.footprint.trash;
  const trashB = b.footprint.trash;
  if ((trashA === 'add' && trashB === 'read') || (trashA === 'read' && trashB === 'add')) return true;
  return pathsOverlap(a.footprint.paths, b.footprint.paths);
}

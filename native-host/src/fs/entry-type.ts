/** The protocol's four entry types, from lstat (symlinks are reported, never followed). */
import type { EntryType } from '../../../shared/protocol/native-host';

export function entryTypeOf(stats: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  return 'other';
}

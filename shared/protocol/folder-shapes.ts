/**
 * The shapes the native host's protocol (native-host.ts) shares with what clients are told about
 * the file bridge (files.ts): an allowed folder and a trash entry. They sit apart so that a client
 * of files.ts (the phone page, through the runtime's messages) does not carry the whole host
 * protocol; native-host.ts re-exports them, so it stays the one definition the host speaks.
 */
import { z } from 'zod/mini';

/** Name of an allowed folder: the first segment of a root-relative path. */
export const RootName = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine((name) => !name.includes('/') && !name.includes('\0') && name !== '.' && name !== '..', {
    message: 'a folder name cannot contain "/" or NUL, or be "." or ".."',
  }),
);

export const RootMode = z.enum(['read', 'read-write']);
export type RootMode = z.infer<typeof RootMode>;

/** A folder the user allowed. The host stores these itself; the extension cannot widen them silently. */
export const AllowedRoot = z.object({
  name: RootName,
  /** Absolute real path (symlinks resolved when the folder was added). */
  path: z.string().check(z.minLength(1)),
  mode: RootMode,
  /** The extension may skip asking before writes here. The host only stores it. */
  autoApproveWrites: z.boolean(),
  addedAt: z.string(),
});
export type AllowedRoot = z.infer<typeof AllowedRoot>;

export const TrashEntryId = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9-]+$/));

export const EntryType = z.enum(['file', 'dir', 'symlink', 'other']);
export type EntryType = z.infer<typeof EntryType>;

export const TrashEntry = z.object({
  id: TrashEntryId,
  originalPath: z.string(),
  /** Allowed folder it came from (at the time). */
  rootName: z.string(),
  name: z.string(),
  type: EntryType,
  /** Bytes, summed over a folder's contents. */
  size: z.number(),
  deletedAt: z.string(),
});
export type TrashEntry = z.infer<typeof TrashEntry>;

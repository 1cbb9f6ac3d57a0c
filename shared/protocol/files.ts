/**
 * What clients see of the local file bridge: its state, the allowed folders and
 * Tandem's trash. The shapes of folders and trash entries are the native host's
 * own (folder-shapes.ts, which native-host.ts re-exports), not a second definition;
 * this file only adds what the runtime says about the bridge itself. All of it is trusted-only: a paired phone
 * can neither read nor change which folders the agent may touch.
 */
import { z } from 'zod/mini';
import { AllowedRoot, RootMode, RootName, TrashEntry, TrashEntryId } from './folder-shapes';

/**
 * - `unknown`: not tried yet since the runtime started;
 * - `not_installed`: the browser found no host manifest (show `installCommand`);
 * - `connected`: the host answered (the port may since have been closed while idle);
 * - `error`: the host is installed but failed (crashed, refused us, answered garbage).
 */
export const BridgeState = z.enum(['unknown', 'not_installed', 'connected', 'error']);
export type BridgeState = z.infer<typeof BridgeState>;

export const BridgeStatus = z.object({
  state: BridgeState,
  /** For `error` (and `not_installed`): what the browser or the host said. */
  message: z.optional(z.string()),
  /** The one command that installs the host for this browser (shown with a copy button). */
  installCommand: z.string(),
  hostVersion: z.optional(z.string()),
  /** Epoch ms of the last state change. */
  at: z.number(),
});
export type BridgeStatus = z.infer<typeof BridgeStatus>;

/** An allowed folder that exists in the host's list but cannot be used now, and why. */
export const UnavailableFolder = z.object({ name: z.string(), path: z.string(), reason: z.string() });

export const FolderList = z.object({
  folders: z.array(AllowedRoot),
  unavailable: z.array(UnavailableFolder),
});
export type FolderList = z.infer<typeof FolderList>;

export const TrashPage = z.object({
  entries: z.array(TrashEntry),
  nextCursor: z.nullable(z.string()),
  totalEntries: z.number(),
});
export type TrashPage = z.infer<typeof TrashPage>;

/** Command fields, reused by `commands.ts` so the host's limits apply before anything is sent. */
export const FolderAddFields = {
  /** Absolute path of the folder to allow. */
  path: z.string().check(z.minLength(1), z.maxLength(4096)),
  mode: RootMode,
  autoApproveWrites: z._default(z.boolean(), false),
  name: z.optional(RootName),
};
export const FolderUpdateFields = {
  name: RootName,
  mode: z.optional(RootMode),
  autoApproveWrites: z.optional(z.boolean()),
};
export const TrashEntryIds = z.array(TrashEntryId).check(z.minLength(1), z.maxLength(1000));
export { RootName as FolderName, TrashEntryId };

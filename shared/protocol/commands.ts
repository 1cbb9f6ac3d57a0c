/**
 * Client → runtime commands. The side panel (over an extension port) and the
 * phone (over the WebRTC link) send exactly these; there is no second API.
 *
 * Every command carries a client-generated `id`. The runtime remembers ids it has
 * applied, so a command re-sent after a dropped link is applied once and answered
 * again with the same outcome.
 */
import { z } from 'zod/mini';
import { Attachments } from './attachments';
import { ConnectorCommands } from './connectors';
import { Id } from './events';
import { FolderAddFields, FolderName, FolderUpdateFields, TrashEntryId, TrashEntryIds } from './files';
import { LinkSettingsPatch } from './link';
import { PushSettingsPatch, PushSubscriptionInput } from './push';
import { ScheduleFields, ScheduleFieldsPatch, Shortcut, ShortcutName } from './schedules';
import { SearchCommands } from './search';

/** Commands larger than this are refused before parsing: a message box is not a file upload. */
export const MAX_COMMAND_BYTES = 256 * 1024;
export const MAX_MESSAGE_CHARS = 100_000;
/** A backup travels over the panel's extension port only (trusted), which carries far more than a phone frame. */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;

const CommandId = z.string().check(z.minLength(1), z.maxLength(128));
const cmd = { id: CommandId };
const thread = { ...cmd, threadId: Id };
const Title = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const SitePatternText = z.string().check(z.trim(), z.minLength(1), z.maxLength(300));

export const SettingsPatch = z.strictObject(
  z.partial(
    z.object({
      apiKey: z.string().check(z.maxLength(512)),
      model: z.string().check(z.minLength(1), z.maxLength(128)),
      baseUrl: z.url().check(z.maxLength(2048)),
      maxTokens: z.int().check(z.gte(1), z.lte(128_000)),
      spendingCapEnabled: z.boolean(),
      spendingCapUsd: z.number().check(z.positive(), z.lte(10_000)),
      notifyOnFinish: z.boolean(),
      contextBudgetShare: z.number().check(z.gte(0.05), z.lte(0.8)),
      maxRecentImages: z.int().check(z.gte(0), z.lte(20)),
      streamIdleTimeoutMs: z.int().check(z.gte(100), z.lte(600_000)),
      unreachableGiveUpMs: z.int().check(z.gte(0), z.lte(86_400_000)),
    }),
  ).shape,
);
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const ClientCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('threads.list'), ...cmd, includeArchived: z._default(z.boolean(), false) }),
  z.object({ type: z.literal('thread.create'), ...cmd, title: z.optional(Title) }),
  z.object({ type: z.literal('thread.rename'), ...thread, title: Title }),
  z.object({ type: z.literal('thread.archive'), ...thread, archived: z.boolean() }),
  z.object({ type: z.literal('thread.delete'), ...thread }),
  /**
   * Subscribe to a thread. With `afterSeq` the runtime sends exactly the events after it
   * (catch-up after a drop), then live ones. Without it, the newest `tail` events, then live ones.
   */
  z.object({
    type: z.literal('thread.subscribe'),
    ...thread,
    afterSeq: z.optional(z.int().check(z.nonnegative())),
    tail: z._default(z.int().check(z.gte(1), z.lte(5_000)), 400),
  }),
  z.object({ type: z.literal('thread.unsubscribe'), ...thread }),
  /** Older events for scrolling back; answered with one `thread.page`. */
  z.object({
    type: z.literal('thread.history'),
    ...thread,
    beforeSeq: z.int().check(z.positive()),
    limit: z._default(z.int().check(z.gte(1), z.lte(2_000)), 500),
  }),
  /** Text, attachments (protocol/attachments.ts) or both; the runtime checks them against the model too. */
  z
    .object({
      type: z.literal('message.send'),
      ...thread,
      text: z.string().check(z.trim(), z.maxLength(MAX_MESSAGE_CHARS)),
      attachments: z.optional(Attachments),
    })
    .check(
      z.refine((c) => c.text.length > 0 || (c.attachments?.length ?? 0) > 0, {
        message: 'a message needs text or an attachment',
        path: ['text'],
      }),
    ),
  /**
   * Edits a sent message (or regenerates its answer, with the same text) as a new branch: the
   * message at seq `replaces` and what followed stay in the log; the model continues from before it.
   * Refused with `busy` while a task runs.
   */
  z.object({
    type: z.literal('message.edit'),
    ...thread,
    replaces: z.int().check(z.positive()),
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_MESSAGE_CHARS)),
    attachments: z.optional(Attachments),
  }),
  z.object({ type: z.literal('task.stop'), ...thread }),
  /** Brings the agent tab the thread's task acts in to the front (its window focused): "Show tab". */
  z.object({ type: z.literal('tab.show'), ...thread }),
  /** Ends a retry wait now: the "Retry now" on a "Can't reach …" card. */
  z.object({ type: z.literal('task.retryNow'), ...thread }),
  /** Carries on a task that paused because a write failed (storage full); harmless when nothing is paused. */
  z.object({ type: z.literal('task.resume'), ...thread }),
  /** Threads deleted from a phone (the computer's trash); answered with `threads.trashed`. */
  z.object({ type: z.literal('threads.trash'), ...cmd }),
  /** Brings a thread back from the trash. */
  z.object({ type: z.literal('thread.restore'), ...thread }),
  /** A restorable backup of threads, settings (the key only if asked), grants and devices; answered with `backup`. */
  z.object({ type: z.literal('backup.export'), ...cmd, includeApiKey: z._default(z.boolean(), false) }),
  /** Restores a backup made by `backup.export`: threads not present are added, settings and grants replaced. */
  z.object({
    type: z.literal('backup.import'),
    ...cmd,
    json: z.string().check(z.minLength(2), z.maxLength(MAX_BACKUP_BYTES)),
  }),
  /** Restores the automatic backup kept outside IndexedDB (after the browser lost the database). */
  z.object({ type: z.literal('backup.restoreAuto'), ...cmd }),
  /** Restores the newest automatic backup in the file host's own folder on the computer (the bridge installed). */
  z.object({ type: z.literal('backup.restoreFromHost'), ...cmd }),
  z.object({
    type: z.literal('decision.answer'),
    ...thread,
    decisionId: Id,
    optionId: z.string().check(z.minLength(1), z.maxLength(64)),
    /** What the user typed into the prompt (a password), for a decision that asks for it; never stored. */
    secret: z.optional(z.string().check(z.minLength(1), z.maxLength(1_000))),
  }),
  z.object({ type: z.literal('settings.get'), ...cmd }),
  z.object({ type: z.literal('settings.update'), ...cmd, patch: SettingsPatch }),
  z.object({ type: z.literal('settings.checkKey'), ...cmd }),
  /** Site rules (the Sites view): answered with a `sites` message. */
  z.object({ type: z.literal('sites.list'), ...cmd }),
  /** Adds or replaces a rule that lasts until removed; `pattern` is validated by the runtime (see origin-pattern.ts). */
  z.object({ type: z.literal('sites.set'), ...cmd, pattern: SitePatternText, effect: z.enum(['allow', 'deny']) }),
  /** Removes every rule and grant for exactly this pattern. */
  z.object({ type: z.literal('sites.remove'), ...cmd, pattern: SitePatternText }),
  /** Phone link (trusted only): show a pairing QR code; answered with `pairing.offer`. */
  z.object({ type: z.literal('pairing.start'), ...cmd }),
  /** Forgets a QR code that is no longer shown, so it cannot be used any more. */
  z.object({ type: z.literal('pairing.cancel'), ...cmd, secretId: z.string().check(z.minLength(1), z.maxLength(64)) }),
  /** Paired phones; answered with `devices`. */
  z.object({ type: z.literal('devices.list'), ...cmd }),
  /** Revokes a phone: its sessions are dropped at once and it is refused from then on. */
  z.object({ type: z.literal('devices.revoke'), ...cmd, deviceId: z.string().check(z.minLength(1), z.maxLength(128)) }),
  /** Phone link settings and state; answered with `link.settings` and `link.status`. */
  z.object({ type: z.literal('link.settings.get'), ...cmd }),
  z.object({ type: z.literal('link.settings.update'), ...cmd, patch: LinkSettingsPatch }),
  /** File bridge (Folders view, trusted only): answered with `bridge`; `retry` reconnects to the host first. */
  z.object({ type: z.literal('bridge.status'), ...cmd, retry: z._default(z.boolean(), false) }),
  /** Allowed folders (the host's own list); answered with `folders`, and every panel gets `folders` after a change. */
  z.object({ type: z.literal('folders.list'), ...cmd }),
  z.object({ type: z.literal('folders.add'), ...cmd, ...FolderAddFields }),
  z.object({ type: z.literal('folders.remove'), ...cmd, name: FolderName }),
  z.object({ type: z.literal('folders.update'), ...cmd, ...FolderUpdateFields }),
  /** Tandem's trash (Trash view); answered with `trash`. */
  z.object({ type: z.literal('trash.list'), ...cmd, cursor: z.optional(z.string().check(z.maxLength(256))) }),
  z.object({
    type: z.literal('trash.restore'),
    ...cmd,
    entryId: TrashEntryId,
    overwrite: z._default(z.boolean(), false),
  }),
  /** Permanent deletion: sent only by the Trash view after the user confirmed; never a model tool. */
  z.object({ type: z.literal('trash.purge'), ...cmd, entryIds: TrashEntryIds }),
  /** Web Push (phones only): answered with `push.status` (the key to subscribe with). */
  z.object({ type: z.literal('push.status'), ...cmd }),
  /** Stores this phone's Push API subscription with its device; replaces an earlier one. */
  z.object({ type: z.literal('push.subscribe'), ...cmd, subscription: PushSubscriptionInput }),
  /** The phone turned notifications off: its subscription is deleted. */
  z.object({ type: z.literal('push.unsubscribe'), ...cmd }),
  /** Push privacy (the computer only): answered with `push.settings`. */
  z.object({ type: z.literal('push.settings.get'), ...cmd }),
  z.object({ type: z.literal('push.settings.update'), ...cmd, patch: PushSettingsPatch }),
  /**
   * Schedules (extension/schedule/): the user's own actions, so a phone may send them too. The
   * model's `schedule_task` tool is another path and always asks first. Answered by `schedules`.
   */
  z.object({ type: z.literal('schedule.create'), ...thread, schedule: ScheduleFields }),
  z.object({ type: z.literal('schedule.update'), ...cmd, scheduleId: Id, patch: ScheduleFieldsPatch }),
  z.object({ type: z.literal('schedule.pause'), ...cmd, scheduleId: Id }),
  z.object({ type: z.literal('schedule.resume'), ...cmd, scheduleId: Id }),
  z.object({ type: z.literal('schedule.runNow'), ...cmd, scheduleId: Id }),
  z.object({ type: z.literal('schedule.delete'), ...cmd, scheduleId: Id }),
  z.object({ type: z.literal('schedule.list'), ...cmd }),
  /** Saved prompts, invoked as `/name` in the composer; answered by `shortcuts`. */
  z.object({ type: z.literal('shortcuts.list'), ...cmd }),
  z.object({ type: z.literal('shortcut.save'), ...cmd, shortcut: Shortcut }),
  z.object({ type: z.literal('shortcut.delete'), ...cmd, name: ShortcutName }),
  z.object({
    type: z.literal('audit.list'),
    ...cmd,
    threadId: z.optional(Id),
    limit: z._default(z.int().check(z.gte(1), z.lte(1_000)), 200),
  }),
  /** The whole audit log as hash-chained JSON Lines (shared/audit/); answered by `audit.export`. */
  z.object({ type: z.literal('audit.export'), ...cmd }),
  /** The audit chain's row count and head, for the user to note; answered by `audit.head`. */
  z.object({ type: z.literal('audit.head'), ...cmd }),
  /** Connectors (Settings → Connectors, trusted only): see protocol/connectors.ts. */
  ...ConnectorCommands,
  /** Search inside messages and the model catalogue: see protocol/search.ts. */
  ...SearchCommands,
]);
export type ClientCommand = z.infer<typeof ClientCommand>;
export type CommandType = ClientCommand['type'];
export type CommandOf<T extends CommandType> = ClientCommand & { type: T };

/** The file bridge's management commands (folders, trash, bridge state), handled by extension/files/file-commands.ts. */
export const FILE_COMMAND_TYPES = [
  'bridge.status',
  'folders.list',
  'folders.add',
  'folders.remove',
  'folders.update',
  'trash.list',
  'trash.restore',
  'trash.purge',
] as const satisfies readonly CommandType[];

/**
 * What the runtime must know about each command, side by side (a missing command is a type error):
 * - `mutating`: applied once per command id; the id is recorded with the outcome (scoped by client).
 * - `trustedOnly`: a paired phone may not send it. The API key and spending settings stay on the
 *   computer, and so do the site allowlist, the folders (a stolen phone must not widen them), pairing,
 *   devices, link settings, the threads' trash and backups.
 */
export interface CommandRule {
  mutating: boolean;
  trustedOnly: boolean;
}
const read = { mutating: false, trustedOnly: false };
const write = { mutating: true, trustedOnly: false };
const trustedRead = { mutating: false, trustedOnly: true };
const trustedWrite = { mutating: true, trustedOnly: true };

export const COMMAND_RULES: { readonly [T in CommandType]: CommandRule } = {
  'threads.list': read,
  'thread.create': write,
  'thread.rename': write,
  'thread.archive': write,
  'thread.delete': write,
  'thread.subscribe': read,
  'thread.unsubscribe': read,
  'thread.history': read,
  'message.send': write,
  'message.edit': write,
  'task.stop': write,
  'task.resume': read,
  'task.retryNow': read,
  // Harmless from a phone too: it only brings a window forward on the computer, nothing crosses the link.
  'tab.show': read,
  'decision.answer': write,
  'threads.trash': trustedRead,
  'thread.restore': trustedWrite,
  'backup.export': trustedRead,
  'backup.import': trustedWrite,
  'backup.restoreAuto': trustedWrite,
  'backup.restoreFromHost': trustedWrite,
  'settings.get': trustedRead,
  'settings.update': trustedWrite,
  'settings.checkKey': trustedRead,
  'sites.list': trustedRead,
  'sites.set': trustedWrite,
  'sites.remove': trustedWrite,
  'pairing.start': trustedRead,
  'pairing.cancel': trustedWrite,
  'devices.list': trustedRead,
  'devices.revoke': trustedWrite,
  'link.settings.get': trustedRead,
  'link.settings.update': trustedWrite,
  'bridge.status': trustedRead,
  'folders.list': trustedRead,
  'folders.add': trustedWrite,
  'folders.remove': trustedWrite,
  'folders.update': trustedWrite,
  'trash.list': trustedRead,
  'trash.restore': trustedWrite,
  'trash.purge': trustedWrite,
  'audit.list': read,
  // The export and its head stay on the computer, like backups.
  'audit.export': trustedRead,
  'audit.head': trustedRead,
  'push.status': read,
  'push.subscribe': write,
  'push.unsubscribe': write,
  'push.settings.get': trustedRead,
  'push.settings.update': trustedWrite,
  'schedule.create': write,
  'schedule.update': write,
  'schedule.pause': write,
  'schedule.resume': write,
  'schedule.runNow': write,
  'schedule.delete': write,
  'schedule.list': read,
  'shortcuts.list': read,
  'shortcut.save': write,
  'shortcut.delete': write,
  // A phone may answer a connector's permission prompt, never add, change or remove a connector.
  'connectors.list': trustedRead,
  'connectors.add': trustedWrite,
  'connectors.remove': trustedWrite,
  'connectors.test': trustedWrite,
  'connectors.setTool': trustedWrite,
  'connectors.setEnabled': trustedWrite,
  'connectors.signIn': trustedWrite,
  'connectors.signOut': trustedWrite,
  'connectors.log': trustedRead,
  'threads.search': read,
  'models.list': read,
  'thread.setModel': write,
};

/** Commands a paired phone may not send (derived from COMMAND_RULES). */
export const TRUSTED_ONLY_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>(
  (Object.keys(COMMAND_RULES) as CommandType[]).filter((type) => COMMAND_RULES[type].trustedOnly),
);

/** A command before a client gives it an id (distributes over the union, unlike a plain Omit). */
export type CommandInput =
  z.input<typeof ClientCommand> extends infer C ? (C extends unknown ? Omit<C, 'id'> : never) : never;

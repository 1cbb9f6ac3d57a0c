/**
 * Runtime → client messages. Every command gets exactly one `ack` or one `error`
 * carrying its id; data flows in the typed messages below (pushed to every
 * interested client, so two clients stay in step without polling).
 */
import { z } from 'zod/mini';
import { ConnectorMessages } from './connectors';
import { ClientKind, DeviceIdentity, Id, ThreadEvent, Usage } from './events';
import { BridgeStatus, FolderList, TrashPage } from './files';
import { DeviceSummary, LinkSettings, LinkStatus } from './link';
import { PushSettings, PushStatus } from './push';
import { ScheduleView, Shortcut } from './schedules';
import { SearchMessages } from './search';

export const PROTOCOL_VERSION = 1;

/** `paused`: a write failed (storage full or broken); the task waits for a retry, nothing is lost. */
export const ThreadStatus = z.enum(['idle', 'running', 'waiting', 'retrying', 'failed', 'paused']);
export type ThreadStatus = z.infer<typeof ThreadStatus>;

export const ThreadSummary = z.object({
  id: Id,
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  archived: z.boolean(),
  lastSeq: z.int().check(z.nonnegative()),
  status: ThreadStatus,
  pendingDecisions: z.int().check(z.nonnegative()),
  usage: Usage,
  costUsd: z.number().check(z.nonnegative()),
  /** Set when the thread was deleted from a phone: it sits in the trash, restorable from the computer. */
  trashedAt: z.optional(z.number()),
  /** The model this thread's turns use (thread.setModel); absent, the default from Settings. */
  model: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

/** Settings as a client may see them: the API key itself never leaves the runtime. */
export const PublicSettings = z.object({
  apiKeySet: z.boolean(),
  apiKeyHint: z.string(),
  model: z.string(),
  baseUrl: z.string(),
  maxTokens: z.int(),
  spendingCapEnabled: z.boolean(),
  spendingCapUsd: z.number(),
  notifyOnFinish: z.boolean(),
  /** Share of the model's context window a request may fill before old outputs are elided or compacted. */
  contextBudgetShare: z.number(),
  /** Images kept in a request; older ones become text stubs. */
  maxRecentImages: z.int(),
  /** A stream silent this long (pings included) is cut and retried. */
  streamIdleTimeoutMs: z.int(),
  /** After this long without reaching the API, a task pauses and asks (retry / stop). */
  unreachableGiveUpMs: z.int(),
});
export type PublicSettings = z.infer<typeof PublicSettings>;

export const AuditEntry = z.object({
  id: z.optional(z.int()),
  threadId: Id,
  taskId: Id,
  toolUseId: Id,
  at: z.number(),
  tool: z.string(),
  /** The MCP connector the tool belongs to, for connector tools. */
  connector: z.optional(z.string()),
  input: z.unknown(),
  decision: z.enum(['auto', 'allowed', 'denied']),
  decidedBy: z.optional(ClientKind),
  /** The phone that answered, when a phone did. */
  decidedByDevice: z.optional(DeviceIdentity),
  outcome: z.enum(['ok', 'error', 'denied', 'interrupted']),
  detail: z.optional(z.string()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A site rule or remembered site answer, as the Sites view lists it. */
export const SiteEntry = z.object({
  /** `https://docs.example.com` or `https://*.example.com` (normalised). */
  pattern: z.string(),
  effect: z.enum(['allow', 'deny']),
  /** always: until removed; timed: until `expiresAt`; task: only for the task that was running when answered. */
  duration: z.enum(['always', 'timed', 'task']),
  expiresAt: z.optional(z.number()),
  grantedAt: z.number(),
  lastUsedAt: z.optional(z.number()),
});
export type SiteEntry = z.infer<typeof SiteEntry>;

export const StorageStatus = z.object({
  /** ok; low: space is running out; failing: writes fail now; lost: the database was found empty where data existed. */
  state: z.enum(['ok', 'low', 'failing', 'lost']),
  usageBytes: z.optional(z.number().check(z.nonnegative())),
  quotaBytes: z.optional(z.number().check(z.nonnegative())),
  /** Whether the browser granted persistent storage (it then never evicts Tandem's data on its own). */
  persisted: z.optional(z.boolean()),
  /** When the automatic backup outside IndexedDB was taken (restorable with `backup.restoreAuto`). */
  autoBackupAt: z.optional(z.number()),
  /** When the newest automatic backup in the file host's folder was saved (restorable with `backup.restoreFromHost`). */
  diskBackupAt: z.optional(z.number()),
  /** Where those backups are on the computer. */
  diskBackupFolder: z.optional(z.string()),
  message: z.optional(z.string()),
});
export type StorageStatus = z.infer<typeof StorageStatus>;

export const ErrorCode = z.enum([
  'invalid_command',
  'too_large',
  'unknown_thread',
  'unknown_decision',
  'not_allowed',
  'busy',
  /** A local service the command needs (the file host) is not installed or not reachable. */
  'unavailable',
  /** The browser's storage refused the write (full disk, broken database); nothing was applied. */
  'storage',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const RuntimeMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    protocolVersion: z.literal(PROTOCOL_VERSION),
    clientId: z.string(),
    clientKind: ClientKind,
  }),
  z.object({ type: z.literal('ack'), commandId: z.string(), threadId: z.optional(Id) }),
  z.object({ type: z.literal('error'), commandId: z.nullable(z.string()), code: ErrorCode, message: z.string() }),
  z.object({ type: z.literal('threads'), threads: z.array(ThreadSummary) }),
  z.object({ type: z.literal('thread.deleted'), threadId: Id }),
  /**
   * A contiguous run of a thread's events. `reason` says why it was sent:
   * the initial page of a subscription, a catch-up after a gap, or scroll-back history.
   */
  z.object({
    type: z.literal('thread.page'),
    threadId: Id,
    reason: z.enum(['subscribe', 'catchup', 'history']),
    events: z.array(ThreadEvent),
    /** True when events older than the first one in this page exist. */
    hasOlder: z.boolean(),
  }),
  z.object({ type: z.literal('thread.event'), threadId: Id, event: ThreadEvent }),
  /** Transient state that is not worth a log entry: "retrying in N s" counts down from this. */
  z.object({
    type: z.literal('thread.activity'),
    threadId: Id,
    status: ThreadStatus,
    retryAt: z.optional(z.number()),
    /** Why (for `paused`: the storage failure, in words a person can act on). */
    message: z.optional(z.string()),
  }),
  /** The browser storage's health; sent to panels at attach and whenever it changes. */
  z.object({ type: z.literal('storage.status'), status: StorageStatus }),
  /** Threads deleted from a phone, restorable (panels only); sent on `threads.trash`. */
  z.object({ type: z.literal('threads.trashed'), threads: z.array(ThreadSummary) }),
  /** A restorable backup (panels only), sent on `backup.export`. */
  z.object({ type: z.literal('backup'), fileName: z.string(), json: z.string() }),
  z.object({ type: z.literal('settings'), settings: PublicSettings }),
  z.object({ type: z.literal('key.checked'), ok: z.boolean(), message: z.string() }),
  z.object({ type: z.literal('audit'), entries: z.array(AuditEntry) }),
  /** The audit log as a file (panels only), sent on `audit.export`; `head` is its last row's hash. */
  z.object({
    type: z.literal('audit.export'),
    fileName: z.string(),
    jsonl: z.string(),
    rows: z.int(),
    head: z.string(),
  }),
  /** The audit chain's current head (panels only), sent on `audit.head` and after each export. */
  z.object({ type: z.literal('audit.head'), rows: z.int(), head: z.string() }),
  /** File bridge state (panels only); sent on `bridge.status` and to every panel when it changes. */
  z.object({ type: z.literal('bridge'), status: BridgeStatus }),
  /** The allowed folders; sent on `folders.list` and to every panel after a change. */
  z.object({ type: z.literal('folders'), ...FolderList.shape }),
  /** A page of Tandem's trash, newest first; sent on `trash.list` and to every panel after a change. */
  z.object({ type: z.literal('trash'), ...TrashPage.shape }),
  /** Every site rule and live grant; sent on `sites.list` and to every panel after a change. */
  z.object({ type: z.literal('sites'), sites: z.array(SiteEntry) }),
  /** Phone link (panels only): the QR code to show, as the phone page URL with the offer in its fragment. */
  z.object({ type: z.literal('pairing.offer'), url: z.string(), expiresAt: z.number(), secretId: z.string() }),
  /** A phone paired with the QR code `secretId`. */
  z.object({
    type: z.literal('pairing.completed'),
    secretId: z.string(),
    deviceId: z.string(),
    deviceName: z.string(),
  }),
  z.object({ type: z.literal('devices'), devices: z.array(DeviceSummary) }),
  z.object({ type: z.literal('link.settings'), settings: LinkSettings }),
  z.object({ type: z.literal('link.status'), status: LinkStatus }),
  /** Web Push: sent to a phone on `push.status` and after it subscribed or unsubscribed. */
  z.object({ type: z.literal('push.status'), status: PushStatus }),
  z.object({ type: z.literal('push.settings'), settings: PushSettings }),
  /** Every schedule across threads (clients filter per thread), sent on request and after each change. */
  z.object({ type: z.literal('schedules'), schedules: z.array(ScheduleView) }),
  z.object({ type: z.literal('shortcuts'), shortcuts: z.array(Shortcut) }),
  ...ConnectorMessages,
  ...SearchMessages,
]);
export type RuntimeMessage = z.infer<typeof RuntimeMessage>;
export type RuntimeMessageOf<T extends RuntimeMessage['type']> = RuntimeMessage & { type: T };

/** Name of the extension port a side-panel client opens to the runtime. */
export const CLIENT_PORT_NAME = 'tandem-client';

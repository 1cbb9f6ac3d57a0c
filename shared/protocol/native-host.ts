/**
 * Extension ↔ native host protocol: the one definition of every message the
 * extension sends to the local file host and every answer it gets back.
 *
 * Framing (both directions): a 4-byte little-endian length, then that many bytes
 * of UTF-8 JSON. Every request carries a caller-chosen `id`; every answer carries
 * the same `id` and is either `{ id, ok: true, result }` or
 * `{ id, ok: false, error: { code, message } }`. A frame the host cannot read at
 * all (bad length, not JSON, no usable id) is answered with `id: null`.
 *
 * Requests are strict: an unknown field is refused rather than ignored, so a
 * newer extension never believes an older host honoured a flag it did not know.
 * Answers are not strict, so a newer host may add fields.
 */
import { z } from 'zod/mini';
import { AllowedRoot, EntryType, RootMode, RootName, TrashEntry, TrashEntryId } from './folder-shapes';

export { AllowedRoot, EntryType, RootMode, RootName, TrashEntry, TrashEntryId };

export const NATIVE_HOST_PROTOCOL_VERSION = 1;

/**
 * Chrome and Firefox drop the port and deliver nothing when one host → browser
 * message is 1 MiB or more ("Error when communicating with the native messaging
 * host"). The host replaces any answer that would reach this with `too_large`.
 */
export const MAX_HOST_MESSAGE_BYTES = 1024 * 1024;

/**
 * Largest frame the host accepts from the browser. Browsers allow up to 4 GB in
 * this direction; the host refuses anything above this so a bad length prefix
 * cannot make it buffer gigabytes. The bytes of a refused frame are skipped.
 */
export const MAX_INCOMING_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Raw bytes per `read_file` chunk (and the recommended `write.chunk` size).
 * 512 KiB of raw bytes is 699,052 base64 characters: with the JSON envelope that
 * stays ~340 KiB under the 1 MiB cap above, and it is the largest power of two
 * that does (768 KiB would base64 to exactly 1 MiB). Text chunks can escape to
 * more than their byte size in JSON, so the host shortens a text chunk whose
 * answer would not fit, and says so through `range.end`.
 */
export const TRANSFER_CHUNK_BYTES = 512 * 1024;

/**
 * Largest decoded payload of one `write.chunk` or `write_file`. The browser →
 * host direction has no 1 MiB cap; 8 MiB (~11 MB of base64) keeps the host's
 * memory per request small while letting big uploads use few round trips.
 */
export const MAX_WRITE_CHUNK_BYTES = 8 * 1024 * 1024;

/** `edit_file` reads the whole file into memory and answers with a diff: keep it for text-sized files. */
export const MAX_EDIT_FILE_BYTES = 10 * 1024 * 1024;

/** PATH_MAX on Linux; longer paths are refused before touching the file system. */
export const MAX_PATH_BYTES = 4096;

/** Write transfers one host process keeps open at once (each holds a temp file and a folder handle). */
export const MAX_OPEN_TRANSFERS = 8;

export const LIST_DIR_MAX_LIMIT = 1000;
export const SEARCH_MAX_RESULTS = 1000;
export const SEARCH_MAX_BYTES_SCANNED = 1024 * 1024 * 1024;
export const TRASH_LIST_MAX_LIMIT = 500;

/**
 * The extension's automatic backup kept by the host in its own data folder (`backups/`), where a
 * browser that deletes its IndexedDB cannot take it. Only the newest few are kept.
 */
export const HOST_BACKUPS_KEPT = 5;
/**
 * Largest backup the host takes, in UTF-16 characters. The request is one frame and the host reads
 * at most 64 MiB per frame; JSON text is at most 3 bytes per character once escaped again in the
 * frame (a quote becomes `\"`, a CJK character 3 UTF-8 bytes), so 20 Mi characters always fit.
 * Larger histories keep only the browser's own copy and the manual export.
 */
export const MAX_HOST_BACKUP_CHARS = 20 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Building blocks

export const NativeHostRequestId = z.string().check(z.minLength(1), z.maxLength(128));

/**
 * A path as the extension names it. Two forms:
 * - absolute: `/home/me/notes/todo.md`;
 * - relative to an allowed folder, led by the folder's name: `notes/todo.md`
 *   names `todo.md` inside the allowed folder called `notes`.
 * The host normalises `.`/`..`, resolves symlinks and refuses anything whose real
 * location is outside the allowed folders (`not_allowed`), whatever the form.
 */
export const HostPath = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(4 * MAX_PATH_BYTES),
    z.describe(
      'Absolute path ("/home/me/notes/todo.md") or "<allowed folder name>/<relative path>" ("notes/todo.md"). ' +
        'Resolved by the host; anything whose real location is outside the allowed folders is refused.',
    ),
  );

/** Host-assigned id of a write transfer, or a client-chosen id for a cancellable search. */
export const TransferId = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;
/** Standard base64 with padding, as `btoa` writes it. */
export const Base64Data = z.string().check(
  z.maxLength(Math.ceil(MAX_WRITE_CHUNK_BYTES / 3) * 4),
  z.refine((data) => data.length % 4 === 0 && base64Pattern.test(data), { message: 'not valid base64' }),
);

/** A backup's file name as the host makes it: its save time in ms since the epoch. */
export const HostBackupName = z
  .string()
  .check(
    z.maxLength(64),
    z.regex(/^backup-\d{13,16}\.json$/, { message: "not the name of one of the host's backups" }),
  );

// ---------------------------------------------------------------------------
// Requests

const req = { id: NativeHostRequestId };

export const HelloRequest = z.strictObject({
  op: z.literal('hello'),
  ...req,
  clientVersion: z.optional(z.string().check(z.maxLength(64))),
});
export const RootsListRequest = z.strictObject({ op: z.literal('roots.list'), ...req });
export const RootsAddRequest = z.strictObject({
  op: z.literal('roots.add'),
  ...req,
  /** Must be absolute; stored as its real path. */
  path: HostPath,
  mode: RootMode,
  autoApproveWrites: z._default(z.boolean(), false),
  /** Defaults to the folder's base name, made unique with a `-2`, `-3`… suffix. */
  name: z.optional(RootName),
});
export const RootsRemoveRequest = z.strictObject({ op: z.literal('roots.remove'), ...req, name: RootName });
export const RootsUpdateRequest = z.strictObject({
  op: z.literal('roots.update'),
  ...req,
  name: RootName,
  mode: z.optional(RootMode),
  autoApproveWrites: z.optional(z.boolean()),
});

export const ListDirRequest = z.strictObject({
  op: z.literal('list_dir'),
  ...req,
  path: HostPath,
  /** Opaque; from the previous page's `nextCursor`. Entries come sorted by name. */
  cursor: z.optional(z.string().check(z.maxLength(2048))),
  limit: z._default(z.int().check(z.gte(1), z.lte(LIST_DIR_MAX_LIMIT)), 200),
});
export const StatRequest = z.strictObject({ op: z.literal('stat'), ...req, path: HostPath });

export const ReadEncoding = z.enum(['auto', 'utf8', 'base64']);
export const ReadFileRequest = z.strictObject({
  op: z.literal('read_file'),
  ...req,
  path: HostPath,
  /** Byte offset to start at. Cannot be combined with `startLine`. */
  offset: z.optional(z.int().check(z.nonnegative())),
  /** Bytes to read; at most one chunk. Text answers may come back shorter (see TRANSFER_CHUNK_BYTES). */
  length: z.optional(z.int().check(z.gte(1), z.lte(TRANSFER_CHUNK_BYTES))),
  /** `auto`: detect UTF-8 / UTF-16 (BOM) / latin1, and send binary files as base64. */
  encoding: z._default(ReadEncoding, 'auto'),
  /** 1-based first line (text files only). Whole lines are returned, up to one chunk. */
  startLine: z.optional(z.int().check(z.gte(1))),
  /** 1-based last line, inclusive. */
  endLine: z.optional(z.int().check(z.gte(1))),
});

export const WriteEncoding = z.enum(['utf8', 'base64']);
/** One-shot write of up to MAX_WRITE_CHUNK_BYTES. Atomic: temp file in the same folder, fsync, rename. */
export const WriteFileRequest = z.strictObject({
  op: z.literal('write_file'),
  ...req,
  path: HostPath,
  content: z.string().check(z.maxLength(Math.ceil(MAX_WRITE_CHUNK_BYTES / 3) * 4)),
  encoding: z._default(WriteEncoding, 'utf8'),
  /** Without it, an existing file is never replaced (`exists`). */
  overwrite: z._default(z.boolean(), false),
  /** Create missing parent folders (inside the same allowed folder). */
  createParents: z._default(z.boolean(), false),
});
/** Start a chunked write: chunks go to a temp file beside the target until `write.commit`. */
export const WriteBeginRequest = z.strictObject({
  op: z.literal('write.begin'),
  ...req,
  path: HostPath,
  overwrite: z._default(z.boolean(), false),
  createParents: z._default(z.boolean(), false),
  /** Expected total size; commit fails with `bad_request` if the chunks add up to something else. */
  size: z.optional(z.int().check(z.nonnegative())),
});
/** Chunks must arrive in order: `offset` is the number of bytes received so far. */
export const WriteChunkRequest = z.strictObject({
  op: z.literal('write.chunk'),
  ...req,
  transferId: TransferId,
  offset: z.int().check(z.nonnegative()),
  data: Base64Data,
});
export const WriteCommitRequest = z.strictObject({
  op: z.literal('write.commit'),
  ...req,
  transferId: TransferId,
  /** Optional end-to-end check: hex sha256 of the whole content. */
  sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
});
export const WriteAbortRequest = z.strictObject({ op: z.literal('write.abort'), ...req, transferId: TransferId });

/** Exact text replacement (no whitespace or line-ending normalisation). */
export const EditFileRequest = z.strictObject({
  op: z.literal('edit_file'),
  ...req,
  path: HostPath,
  oldText: z.string().check(z.minLength(1)),
  newText: z.string(),
  /** The edit is refused (`edit_mismatch`) unless `oldText` occurs exactly this many times. */
  expectedOccurrences: z._default(z.int().check(z.gte(1)), 1),
});

export const SearchRequest = z.strictObject({
  op: z.literal('search'),
  ...req,
  /** Folder to search in (recursively; symlinks are not followed). */
  path: HostPath,
  /** Glob on the entry name (`*.ts`), or on the path relative to `path` when it contains `/` (`src/**\/*.ts`). */
  nameGlob: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  /** Plain text looked for line by line in text files. */
  contentQuery: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  caseSensitive: z._default(z.boolean(), false),
  /** Hidden entries (name starting with ".") are skipped unless this is set. */
  includeHidden: z._default(z.boolean(), false),
  maxResults: z._default(z.int().check(z.gte(1), z.lte(SEARCH_MAX_RESULTS)), 100),
  maxBytesScanned: z._default(z.number().check(z.int(), z.gte(1), z.lte(SEARCH_MAX_BYTES_SCANNED)), 64 * 1024 * 1024),
  /** Client-chosen id so `cancel` can stop this search. */
  transferId: z.optional(TransferId),
});

/** Never replaces anything unless `overwrite`; a replaced destination goes to Tandem's trash first. */
export const MoveRequest = z.strictObject({
  op: z.literal('move'),
  ...req,
  from: HostPath,
  to: HostPath,
  overwrite: z._default(z.boolean(), false),
  /** Client-chosen id so `cancel` can stop a long copy across file systems; the source then stays whole. */
  transferId: z.optional(TransferId),
});
export const MakeDirRequest = z.strictObject({
  op: z.literal('make_dir'),
  ...req,
  path: HostPath,
  recursive: z._default(z.boolean(), false),
});
/** Moves entries into Tandem's trash (restorable). Symlinks are trashed themselves, never their targets. */
export const TrashRequest = z.strictObject({
  op: z.literal('trash'),
  ...req,
  paths: z.array(HostPath).check(z.minLength(1), z.maxLength(1000)),
  /** Client-chosen id so `cancel` can stop it: what was not trashed yet stays, each entry whole. */
  transferId: z.optional(TransferId),
});
export const TrashListRequest = z.strictObject({
  op: z.literal('trash.list'),
  ...req,
  cursor: z.optional(z.string().check(z.maxLength(256))),
  limit: z._default(z.int().check(z.gte(1), z.lte(TRASH_LIST_MAX_LIMIT)), 100),
});
export const TrashRestoreRequest = z.strictObject({
  op: z.literal('trash.restore'),
  ...req,
  entryId: TrashEntryId,
  /** Replace what now sits at the original path; the replaced entry goes to the trash itself. */
  overwrite: z._default(z.boolean(), false),
});
/** Permanent deletion. The extension sends it only after the user explicitly approved it. */
export const TrashPurgeRequest = z.strictObject({
  op: z.literal('trash.purge'),
  ...req,
  entryIds: z.array(TrashEntryId).check(z.minLength(1), z.maxLength(1000)),
});
/*
 * Backups (extension only: no model tool sends these, and the folder they live in is the host's
 * own, unreachable from every file op above).
 */
/** Saves one backup (atomically: temp file, fsync, rename) and drops all but the newest HOST_BACKUPS_KEPT. */
export const BackupSaveRequest = z.strictObject({
  op: z.literal('backup.save'),
  ...req,
  content: z.string().check(z.minLength(2), z.maxLength(MAX_HOST_BACKUP_CHARS)),
});
export const BackupListRequest = z.strictObject({ op: z.literal('backup.list'), ...req });
/** One chunk of a backup's bytes (base64, at most TRANSFER_CHUNK_BYTES): answers stay under 1 MiB. */
export const BackupLoadRequest = z.strictObject({
  op: z.literal('backup.load'),
  ...req,
  name: HostBackupName,
  offset: z._default(z.int().check(z.nonnegative()), 0),
});
/** Stop a write transfer (its temp file is removed) or a running search. */
export const CancelRequest = z.strictObject({ op: z.literal('cancel'), ...req, transferId: TransferId });

/**
 * Local MCP servers ([connect]): the host spawns the configured program as the user and relays its
 * newline-delimited JSON-RPC. The host is request/answer only, so the server's own messages
 * (answers, notifications, requests) are fetched with `mcp.recv`, a long poll answered as soon as
 * anything arrives. These ops skip the file queue (they touch no allowed folder).
 */
export const McpConnectorId = z.string().check(z.minLength(1), z.maxLength(40), z.regex(/^[a-z0-9][a-z0-9-]*$/));
/** Longest `mcp.recv` wait: below the extension's per-request timeout. */
export const MCP_RECV_MAX_WAIT_MS = 25_000;
export const McpStartRequest = z.strictObject({
  op: z.literal('mcp.start'),
  ...req,
  connectorId: McpConnectorId,
  command: z.string().check(z.minLength(1), z.maxLength(4096)),
  args: z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(256)),
  env: z.record(z.string().check(z.maxLength(256)), z.string().check(z.maxLength(32_768))),
  cwd: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});
export const McpSendRequest = z.strictObject({
  op: z.literal('mcp.send'),
  ...req,
  connectorId: McpConnectorId,
  /** One JSON-RPC message; the host writes it as one line. */
  message: z.record(z.string(), z.unknown()),
});
export const McpRecvRequest = z.strictObject({
  op: z.literal('mcp.recv'),
  ...req,
  connectorId: McpConnectorId,
  waitMs: z.int().check(z.gte(0), z.lte(MCP_RECV_MAX_WAIT_MS)),
});
export const McpStopRequest = z.strictObject({ op: z.literal('mcp.stop'), ...req, connectorId: McpConnectorId });
export const McpLogRequest = z.strictObject({ op: z.literal('mcp.log'), ...req, connectorId: McpConnectorId });

export const NativeHostRequest = z.discriminatedUnion('op', [
  HelloRequest,
  RootsListRequest,
  RootsAddRequest,
  RootsRemoveRequest,
  RootsUpdateRequest,
  ListDirRequest,
  StatRequest,
  ReadFileRequest,
  WriteFileRequest,
  WriteBeginRequest,
  WriteChunkRequest,
  WriteCommitRequest,
  WriteAbortRequest,
  EditFileRequest,
  SearchRequest,
  MoveRequest,
  MakeDirRequest,
  TrashRequest,
  TrashListRequest,
  TrashRestoreRequest,
  TrashPurgeRequest,
  BackupSaveRequest,
  BackupListRequest,
  BackupLoadRequest,
  CancelRequest,
  McpStartRequest,
  McpSendRequest,
  McpRecvRequest,
  McpStopRequest,
  McpLogRequest,
]);

/**
 * Ops only the extension's own code sends (Settings, the automatic backup), never a model tool:
 * widening the allowed folders, deleting for good, and the backups of the extension's data.
 */
export const EXTENSION_ONLY_OPS = [
  'roots.add',
  'roots.remove',
  'roots.update',
  'trash.purge',
  'backup.save',
  'backup.list',
  'backup.load',
  'mcp.start',
  'mcp.send',
  'mcp.recv',
  'mcp.stop',
  'mcp.log',
] as const satisfies readonly NativeHostRequest['op'][];
/** A request after parsing (defaults filled in): what the host works with. */
export type NativeHostRequest = z.infer<typeof NativeHostRequest>;
/** A request as the extension writes it (defaulted fields optional). */
export type NativeHostRequestInput = z.input<typeof NativeHostRequest>;
export type NativeHostOp = NativeHostRequest['op'];
export type NativeHostRequestOf<Op extends NativeHostOp> = Extract<NativeHostRequest, { op: Op }>;
export type NativeHostRequestInputOf<Op extends NativeHostOp> = Extract<NativeHostRequestInput, { op: Op }>;

// ---------------------------------------------------------------------------
// Results

export const HostLimits = z.object({
  maxMessageBytes: z.number(),
  transferChunkBytes: z.number(),
  maxWriteChunkBytes: z.number(),
  maxEditFileBytes: z.number(),
  maxOpenTransfers: z.number(),
});

export const HelloResult = z.object({
  protocolVersion: z.number(),
  hostVersion: z.string(),
  platform: z.string(),
  caller: z.object({ browser: z.enum(['chromium', 'firefox']), extensionId: z.string() }),
  roots: z.array(AllowedRoot),
  limits: HostLimits,
  /** Allowed folders that cannot be used now (deleted, or replaced by a symlink), and why. */
  unavailableRoots: z.array(z.object({ name: z.string(), path: z.string(), reason: z.string() })),
  /** Set when the host's config file could not be read; the host then allows no folder. */
  configError: z.nullable(z.string()),
});
export const RootsResult = z.object({ roots: z.array(AllowedRoot) });
export const RootResult = z.object({ root: AllowedRoot });

export const DirEntry = z.object({
  name: z.string(),
  type: EntryType,
  size: z.number(),
  mtimeMs: z.number(),
  /** Name starts with "." */
  hidden: z.boolean(),
});
export type DirEntry = z.infer<typeof DirEntry>;
export const ListDirResult = z.object({
  /** Real absolute path of the folder listed. */
  path: z.string(),
  entries: z.array(DirEntry),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.nullable(z.string()),
});

export const StatResult = z.object({
  /** Real absolute path. */
  path: z.string(),
  name: z.string(),
  type: EntryType,
  size: z.number(),
  mtimeMs: z.number(),
  ctimeMs: z.number(),
  /** Permission bits (e.g. 0o644). */
  permissions: z.number(),
  /** Name of the allowed folder it is in. */
  root: z.string(),
  /** False inside a read-only folder. */
  writable: z.boolean(),
});

export const ReadResultEncoding = z.enum(['utf8', 'utf16le', 'utf16be', 'latin1', 'base64']);
export const ReadFileResult = z.object({
  path: z.string(),
  /** Total file size in bytes. */
  size: z.number(),
  /** Byte range returned: [start, end). Continue at `offset: end`. */
  range: z.object({ start: z.number(), end: z.number() }),
  eof: z.boolean(),
  /** How `content` is to be read: decoded text, or base64 for `base64`. */
  encoding: ReadResultEncoding,
  /** The file starts with a byte-order mark (not included in `content`). */
  bom: z.boolean(),
  /** The host judged the file binary (auto mode) or base64 was asked for. */
  binary: z.boolean(),
  content: z.string(),
  /** Image / PDF type guessed from the bytes or the name, for binary files. */
  mime: z.nullable(z.string()),
  /** Present for line reads: the 1-based lines returned, inclusive. */
  lines: z.optional(z.object({ start: z.number(), end: z.number() })),
});

export const WriteResult = z.object({
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  /** False when an existing file was replaced. */
  created: z.boolean(),
  /** The replaced file's previous content, kept in the trash (restorable). */
  replaced: z.optional(z.nullable(TrashEntry)),
});
export const WriteBeginResult = z.object({
  transferId: TransferId,
  /** Recommended chunk size. */
  chunkBytes: z.number(),
  maxChunkBytes: z.number(),
});
export const WriteChunkResult = z.object({ transferId: z.string(), received: z.number() });
export const WriteAbortResult = z.object({ transferId: z.string(), aborted: z.literal(true) });

export const EditFileResult = z.object({
  path: z.string(),
  occurrences: z.number(),
  size: z.number(),
  /** Unified diff (`--- a/…`, `+++ b/…`, 3 lines of context). */
  diff: z.string(),
  /** The file before the edit, kept in the trash (restorable). */
  replaced: z.optional(z.nullable(TrashEntry)),
});

export const SearchMatch = z.object({
  path: z.string(),
  type: EntryType,
  /** 1-based line and column of a content match. */
  line: z.optional(z.number()),
  column: z.optional(z.number()),
  /** The matching line, cut to 200 characters. */
  preview: z.optional(z.string()),
});
export const SearchResult = z.object({
  results: z.array(SearchMatch),
  truncated: z.boolean(),
  /** Why the search stopped early, if it did (`time_limit`: the host's time budget for one search ran out). */
  stoppedBecause: z.nullable(z.enum(['max_results', 'max_bytes', 'message_size', 'time_limit'])),
  filesScanned: z.number(),
  bytesScanned: z.number(),
});

export const MoveResult = z.object({
  from: z.string(),
  to: z.string(),
  /** The destination that `overwrite` replaced, now in the trash. */
  replaced: z.nullable(TrashEntry),
});
export const MakeDirResult = z.object({
  path: z.string(),
  /** Folders created, outermost first; empty when it already existed (recursive only). */
  created: z.array(z.string()),
});
export const TrashResult = z.object({
  entries: z.array(TrashEntry),
  /** Entries that could not be moved; the others were. */
  failed: z.array(z.object({ path: z.string(), error: z.object({ code: z.string(), message: z.string() }) })),
  /** Moved to the trash but left out of `entries` to keep the answer under 1 MiB (`trash.list` has them). */
  omittedEntries: z.optional(z.number()),
  /** Failures left out of `failed` for the same reason. */
  omittedFailures: z.optional(z.number()),
});
export const TrashListResult = z.object({
  entries: z.array(TrashEntry),
  nextCursor: z.nullable(z.string()),
  totalEntries: z.number(),
});
export const TrashRestoreResult = z.object({
  path: z.string(),
  /** What sat at the original path and was moved to the trash by `overwrite`. */
  replaced: z.nullable(TrashEntry),
});
export const TrashPurgeResult = z.object({ purged: z.array(z.string()), notFound: z.array(z.string()) });
export const HostBackup = z.object({
  name: z.string(),
  /** When the host saved it (ms since the epoch). */
  savedAt: z.number(),
  size: z.number(),
});
export type HostBackup = z.infer<typeof HostBackup>;
export const BackupSaveResult = z.object({
  backup: HostBackup,
  /** The real path of the folder the backups are in (to tell the user where they are). */
  folder: z.string(),
});
export const BackupListResult = z.object({
  /** Newest first. */
  backups: z.array(HostBackup),
  folder: z.string(),
});
export const BackupLoadResult = z.object({
  name: z.string(),
  size: z.number(),
  /** Bytes returned: [start, end). Continue at `offset: end`. */
  range: z.object({ start: z.number(), end: z.number() }),
  eof: z.boolean(),
  /** The bytes of the range (UTF-8 JSON text once put together), as base64. */
  content: z.string(),
});
export const CancelResult = z.object({
  transferId: z.string(),
  /** False when nothing with that id was running. */
  cancelled: z.boolean(),
});

export const McpExit = z.object({ code: z.nullable(z.number()), signal: z.nullable(z.string()) });
export const McpStartResult = z.object({ pid: z.number(), alreadyRunning: z.boolean() });
export const McpSendResult = z.object({ sent: z.literal(true) });
export const McpRecvResult = z.object({
  messages: z.array(z.unknown()),
  /** Set once the program has exited (crash or stop): nothing more will come. */
  exited: z.nullable(McpExit),
});
export const McpStopResult = z.object({ stopped: z.boolean() });
export const McpLogResult = z.object({ text: z.string() });

/** Result schema per op: parse an `ok` answer with the schema of the op you sent. */
export const NativeHostResults = {
  hello: HelloResult,
  'roots.list': RootsResult,
  'roots.add': RootResult,
  'roots.remove': RootResult,
  'roots.update': RootResult,
  list_dir: ListDirResult,
  stat: StatResult,
  read_file: ReadFileResult,
  write_file: WriteResult,
  'write.begin': WriteBeginResult,
  'write.chunk': WriteChunkResult,
  'write.commit': WriteResult,
  'write.abort': WriteAbortResult,
  edit_file: EditFileResult,
  search: SearchResult,
  move: MoveResult,
  make_dir: MakeDirResult,
  trash: TrashResult,
  'trash.list': TrashListResult,
  'trash.restore': TrashRestoreResult,
  'trash.purge': TrashPurgeResult,
  'backup.save': BackupSaveResult,
  'backup.list': BackupListResult,
  'backup.load': BackupLoadResult,
  cancel: CancelResult,
  'mcp.start': McpStartResult,
  'mcp.send': McpSendResult,
  'mcp.recv': McpRecvResult,
  'mcp.stop': McpStopResult,
  'mcp.log': McpLogResult,
} as const satisfies Record<NativeHostOp, z.ZodMiniType>;
export type NativeHostResultOf<Op extends NativeHostOp> = z.infer<(typeof NativeHostResults)[Op]>;

// ---------------------------------------------------------------------------
// Answers

export const NativeHostErrorCode = z.enum([
  /** The frame or request is malformed, or an argument makes no sense. */
  'bad_request',
  /** The path is outside the allowed folders (after resolving symlinks), or in the host's own files. */
  'not_allowed',
  /** The path is in a folder allowed for reading only. */
  'read_only',
  'not_found',
  /** The target exists and `overwrite` was not set. */
  'exists',
  /** A file where a folder was expected, a folder where a file was, or a device/FIFO. */
  'wrong_type',
  /** Too big for the operation or for one answer; ask for less. */
  'too_large',
  /** `edit_file`: `oldText` did not occur `expectedOccurrences` times. */
  'edit_mismatch',
  /** Too many transfers open at once. */
  'busy',
  /** The transfer or search was cancelled. */
  'cancelled',
  /** The operating system refused (permission denied, disk full, …). */
  'io',
  /** The host was started by something other than the Tandem extension. */
  'forbidden_caller',
  /** A bug in the host. */
  'internal',
]);
export type NativeHostErrorCode = z.infer<typeof NativeHostErrorCode>;

export const NativeHostError = z.object({ code: NativeHostErrorCode, message: z.string() });
export type NativeHostError = z.infer<typeof NativeHostError>;

export const NativeHostSuccess = z.object({ id: z.string(), ok: z.literal(true), result: z.unknown() });
export const NativeHostFailure = z.object({
  /** Null when the frame was unreadable and carried no usable id. */
  id: z.nullable(z.string()),
  ok: z.literal(false),
  error: NativeHostError,
});
export const NativeHostResponse = z.discriminatedUnion('ok', [NativeHostSuccess, NativeHostFailure]);
export type NativeHostResponse = z.infer<typeof NativeHostResponse>;
export type NativeHostFailure = z.infer<typeof NativeHostFailure>;

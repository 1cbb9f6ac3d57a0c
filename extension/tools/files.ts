/**
 * Local files, through the native host (extension/files/). The host confines
 * every path to the folders the user allowed; these tools add the questions
 * (files/folder-policy.ts): reads never ask, changes ask per folder unless the
 * folder auto-approves writes, deleting always asks and only moves to Tandem's
 * trash. There is deliberately no tool to allow a folder or to empty the trash:
 * those are the user's, in the Folders and Trash views.
 *
 * Everything read from disk (contents, names, search previews) reaches the model
 * wrapped as untrusted content with its path as the source.
 */
import { z } from 'zod';
import type { ToolOutputBlock } from '../../shared/protocol';
import {
  type DirEntry,
  HostPath,
  type NativeHostResultOf,
  SEARCH_MAX_RESULTS,
  TrashEntryId,
} from '../../shared/protocol/native-host';
import { bytesToBase64 } from '../files/base64';
import { BridgeError, type CallOptions } from '../files/bridge-client';
import type { FileAccess } from '../files/file-access';
import { deleteRequest, writeRequest } from '../files/folder-policy';
import { formatSize } from '../files/host-paths';
import { writeFileBytes } from '../files/transfers';
import { cutText, wrapUntrusted } from '../permissions/untrusted-content';
import { type ToolContext, type ToolDefinition, ToolError, type ToolOutput, textOutput } from './registry';

/** Text handed to the model per read, below the runtime's 48k-character cap so our notes survive. */
export const MAX_READ_CHARS = 40_000;
/** Lines per read when none are asked for. */
const DEFAULT_READ_LINES = 2_000;
/** The Messages API takes images up to 5 MB of base64: 3.75 MB of bytes. */
const MAX_IMAGE_BYTES = 3_750_000;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
/** Tool inputs above this are sent in chunks rather than one `write_file`. */
const ONE_SHOT_WRITE_CHARS = 1_000_000;
const SEARCH_TIMEOUT_MS = 120_000;

const PATH_HELP =
  'Absolute ("/home/me/notes/todo.md") or "<folder name>/<path>" ("notes/todo.md"). Call list_dir without a path to see the allowed folders.';
const Path = HostPath.check(z.describe(PATH_HELP));

const Inputs = {
  list_dir: z.object({
    path: z.optional(Path).describe('Folder to list. Leave out to list the folders the user allowed.'),
    cursor: z.string().max(2048).optional().describe('From the previous page, to continue a long listing.'),
    limit: z.number().int().min(1).max(1000).optional().describe('Entries per page (default 200).'),
  }),
  stat: z.object({ path: Path }),
  read_file: z.object({
    path: Path,
    startLine: z.number().int().min(1).optional().describe('First line to read (1-based).'),
    endLine: z.number().int().min(1).optional().describe('Last line to read, inclusive.'),
    offset: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Byte offset to read from instead of lines (for files without useful lines).'),
  }),
  write_file: z.object({
    path: Path,
    content: z.string().max(8_000_000).describe('The whole new content (UTF-8 text).'),
    overwrite: z
      .boolean()
      .default(false)
      .describe('Replace an existing file. Without it an existing file is never replaced.'),
    createParents: z.boolean().default(false).describe('Create missing folders on the way.'),
  }),
  edit_file: z.object({
    path: Path,
    oldText: z.string().min(1).describe('Exact text to replace, including whitespace and line breaks.'),
    newText: z.string().describe('Text to put in its place.'),
    expectedOccurrences: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('How many times oldText occurs; the edit is refused if the count differs.'),
  }),
  search: z
    .object({
      path: Path.check(z.describe(`Folder to search in, recursively. ${PATH_HELP}`)),
      nameGlob: z.string().min(1).max(512).optional().describe('Glob on names ("*.md"), or on paths with "/".'),
      contentQuery: z.string().min(1).max(1024).optional().describe('Plain text to find inside text files.'),
      caseSensitive: z.boolean().default(false),
      includeHidden: z.boolean().default(false).describe('Also look in entries whose name starts with ".".'),
      maxResults: z.number().int().min(1).max(SEARCH_MAX_RESULTS).default(100),
    })
    .refine((input) => input.nameGlob !== undefined || input.contentQuery !== undefined, {
      message: 'give nameGlob, contentQuery or both',
    }),
  move: z.object({
    from: Path,
    to: Path.check(z.describe('New path (a move or a rename).')),
    overwrite: z
      .boolean()
      .default(false)
      .describe("Replace what is at `to`; the replaced entry goes to Tandem's trash."),
  }),
  make_dir: z.object({
    path: Path,
    recursive: z.boolean().default(false).describe('Create missing parent folders too.'),
  }),
  delete: z.object({
    paths: z.array(Path).min(1).max(100).describe("Files or folders to move to Tandem's trash."),
  }),
  restore: z
    .object({
      entryId: z.optional(TrashEntryId).describe('Trash id from the delete result.'),
      path: z.optional(Path).describe('Original path: restores the most recently deleted entry from there.'),
      overwrite: z
        .boolean()
        .default(false)
        .describe("Replace what now sits at the original path (it goes to Tandem's trash)."),
    })
    .refine((input) => (input.entryId === undefined) !== (input.path === undefined), {
      message: 'give entryId or path (one of them)',
    }),
};

/** A host refusal, in words for the model (and the person reading the tool card). */
export function toolErrorOf(error: unknown): ToolError {
  if (!(error instanceof BridgeError)) {
    return new ToolError(error instanceof Error ? error.message : String(error));
  }
  switch (error.code) {
    case 'not_installed':
      return new ToolError(
        'Local files are not available: the Tandem file host is not installed on this computer. Ask the user to install it (Settings → Folders shows how), then try again.',
        {
          text: 'The Tandem file host is not installed on this computer, so Claude cannot use local files yet. Settings → Folders shows how to install it.',
          fixIn: 'folders',
        },
      );
    case 'not_allowed':
      return new ToolError(
        `Refused: ${error.message}. Only the folders the user allowed can be used (list_dir without a path lists them); do not look for a way around this.`,
      );
    case 'read_only':
      return new ToolError(`Refused: ${error.message}. The user allowed that folder for reading only.`);
    case 'exists':
      return new ToolError(
        `${error.message}. Nothing was replaced; set overwrite: true only if the user wants it replaced.`,
      );
    case 'edit_mismatch':
      return new ToolError(`${error.message}. Read the file again and use its exact text.`);
    default:
      return new ToolError(error.message);
  }
}

function callOptions(ctx: ToolContext, extra: CallOptions = {}): CallOptions {
  return { signal: ctx.signal, ...extra };
}

async function run<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toolErrorOf(error);
  }
}

/** Said after an overwrite or edit, so the model can tell the user how to get the old content back. */
function previousVersionNote(replaced: { id: string } | null | undefined): string {
  return replaced ? ` The previous version is in Tandem's trash (id ${replaced.id}); restore can bring it back.` : '';
}

function entryLine(entry: DirEntry): string {
  const when = new Date(entry.mtimeMs).toISOString().slice(0, 16).replace('T', ' ');
  const name = entry.type === 'dir' ? `${entry.name}/` : entry.name;
  const size = entry.type === 'file' ? formatSize(entry.size) : '';
  return `${entry.type.padEnd(7)} ${size.padStart(9)}  ${when}  ${name}${entry.hidden ? '  (hidden)' : ''}`;
}

async function listFolders(files: FileAccess, ctx: ToolContext): Promise<ToolOutput> {
  const { folders, unavailable } = await files.listFolders(callOptions(ctx));
  if (folders.length === 0) {
    return textOutput(
      'The user has not allowed any folder yet. Ask them to add one in Settings → Folders if you need local files.',
    );
  }
  const lines = folders.map((f) => {
    const writes =
      f.mode === 'read' ? 'read only' : f.autoApproveWrites ? 'read-write' : 'read-write (changes ask the user first)';
    return `- ${f.name}: ${f.path} — ${writes}`;
  });
  for (const u of unavailable) lines.push(`- ${u.name}: ${u.path} — unavailable (${u.reason})`);
  return textOutput(`Allowed folders (use "<name>/<path>" or absolute paths):\n${lines.join('\n')}`);
}

async function readText(
  files: FileAccess,
  input: z.infer<typeof Inputs.read_file>,
  ctx: ToolContext,
): Promise<ToolOutput | 'binary'> {
  const byLines = input.offset === undefined;
  let result: NativeHostResultOf<'read_file'>;
  try {
    result = await files.bridge.call(
      'read_file',
      input.offset === undefined
        ? {
            path: input.path,
            startLine: input.startLine ?? 1,
            endLine: input.endLine ?? (input.startLine ?? 1) + DEFAULT_READ_LINES - 1,
          }
        : { path: input.path, offset: input.offset, length: MAX_READ_CHARS },
      callOptions(ctx),
    );
  } catch (error) {
    // A line read of a binary file is refused: look at it by bytes instead.
    if (byLines && error instanceof BridgeError && error.code === 'bad_request') return 'binary';
    throw error;
  }
  if (result.binary) return 'binary';
  const shown = files.show(result.path);
  const cut = cutText(result.content, MAX_READ_CHARS);
  const notes: string[] = [];
  let header: string;
  if (result.lines) {
    const kept = cut.cut ? cut.text.split('\n').length - 1 : result.lines.end - result.lines.start + 1;
    const last = result.lines.start + Math.max(kept, 1) - 1;
    header =
      result.lines.end < result.lines.start
        ? `${shown} has fewer than ${result.lines.start} lines (${formatSize(result.size)}).`
        : `${shown}, lines ${result.lines.start}-${cut.cut ? last : result.lines.end} (${formatSize(result.size)}, ${result.encoding}):`;
    if (cut.cut) notes.push(`[Cut at line ${last}: continue with startLine ${last + 1}.]`);
    else if (!result.eof) notes.push(`[More follows: continue with startLine ${result.lines.end + 1}.]`);
  } else {
    header = `${shown}, bytes ${result.range.start}-${result.range.end} of ${result.size} (${result.encoding}):`;
    if (!result.eof) notes.push(`[More follows: continue with offset ${result.range.end}.]`);
  }
  return textOutput([header, wrapUntrusted(result.path, cut.text), ...notes].join('\n'));
}

async function readBinary(files: FileAccess, path: string, ctx: ToolContext): Promise<ToolOutput> {
  const head = await files.bridge.call(
    'read_file',
    { path, offset: 0, length: 1, encoding: 'base64' },
    callOptions(ctx),
  );
  const shown = files.show(head.path);
  const mime = head.mime;
  if (mime && IMAGE_TYPES.has(mime)) {
    if (head.size > MAX_IMAGE_BYTES) {
      return textOutput(
        `${shown} is a ${mime} image of ${formatSize(head.size)}: too large to show (the limit is ${formatSize(MAX_IMAGE_BYTES)}).`,
      );
    }
    const { bytes } = await files.readBytes(path, { signal: ctx.signal, maxBytes: MAX_IMAGE_BYTES });
    const image: ToolOutputBlock = {
      type: 'image',
      source: { type: 'base64', media_type: mime as ImageType, data: bytesToBase64(bytes) },
    };
    return { content: [{ type: 'text', text: `${shown} (${mime}, ${formatSize(head.size)}):` }, image] };
  }
  return textOutput(
    `${shown} is a binary file (${mime ?? 'unknown type'}, ${formatSize(head.size)}); it cannot be shown as text.`,
  );
}

function define<S extends z.ZodType>(tool: ToolDefinition<S>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

export function fileTools(files: FileAccess): ToolDefinition[] {
  const bridge = files.bridge;
  const changeRequest = async (paths: readonly string[], action: string, ctx: ToolContext) =>
    writeRequest(await Promise.all(paths.map((p) => files.folderOf(p, callOptions(ctx)))), action);
  const findTrashEntry = async (input: z.infer<typeof Inputs.restore>, ctx: ToolContext) => {
    const entries = await files.allTrash(callOptions(ctx));
    if (input.entryId !== undefined) return entries.find((e) => e.id === input.entryId);
    // Newest first: the most recent deletion from that path.
    return entries.find((e) => e.originalPath === input.path || files.show(e.originalPath) === input.path);
  };

  return [
    define({
      name: 'list_dir',
      description: `Lists a folder on the user's computer: names, types, sizes, modification times (hidden entries are marked). Without a path, lists the folders the user allowed; only those can be used. Paths: ${PATH_HELP}`,
      input: Inputs.list_dir,
      risk: 'read',
      idempotent: true,
      execute: (input, ctx) =>
        run(async () => {
          if (input.path === undefined) return listFolders(files, ctx);
          const page = await bridge.call(
            'list_dir',
            {
              path: input.path,
              limit: input.limit ?? 200,
              ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
            },
            callOptions(ctx),
          );
          const shown = files.show(page.path);
          const listing = page.entries.length > 0 ? page.entries.map(entryLine).join('\n') : '(empty folder)';
          const more = page.nextCursor
            ? `\n[More entries follow: call list_dir again with cursor ${JSON.stringify(page.nextCursor)}.]`
            : '';
          return textOutput(
            `${shown} (${page.path}), ${page.entries.length} entries:\n${wrapUntrusted(page.path, listing)}${more}`,
          );
        }),
    }),
    define({
      name: 'stat',
      description: `Details of one file or folder: type, size, times, permissions, which allowed folder it is in and whether it can be changed. Paths: ${PATH_HELP}`,
      input: Inputs.stat,
      risk: 'read',
      idempotent: true,
      execute: (input, ctx) =>
        run(async () => {
          const s = await bridge.call('stat', { path: input.path }, callOptions(ctx));
          return textOutput(
            [
              `${files.show(s.path)} (${s.path})`,
              `type: ${s.type}`,
              `size: ${formatSize(s.size)} (${s.size} bytes)`,
              `modified: ${new Date(s.mtimeMs).toISOString()}`,
              `permissions: ${s.permissions.toString(8).padStart(4, '0')}`,
              `allowed folder: ${s.root} (${s.writable ? 'can be changed' : 'read only'})`,
            ].join('\n'),
          );
        }),
    }),
    define({
      name: 'read_file',
      description: `Reads a text file on the user's computer, by lines (default: the first ${DEFAULT_READ_LINES}) or from a byte offset; the encoding is detected. Images (PNG, JPEG, GIF, WebP) are shown to you as images. Long files come in parts: the result says how to continue. Paths: ${PATH_HELP}`,
      input: Inputs.read_file,
      risk: 'read',
      idempotent: true,
      execute: (input, ctx) =>
        run(async () => {
          if (input.endLine !== undefined && input.startLine !== undefined && input.endLine < input.startLine) {
            throw new ToolError('endLine is before startLine.');
          }
          const text = await readText(files, input, ctx);
          return text === 'binary' ? readBinary(files, input.path, ctx) : text;
        }),
    }),
    define({
      name: 'write_file',
      description: `Writes a whole text file (UTF-8) on the user's computer, atomically. Never replaces an existing file unless overwrite is true. Changes in a folder ask the user first unless they allowed that folder to be changed freely. Paths: ${PATH_HELP}`,
      input: Inputs.write_file,
      risk: 'write',
      idempotent: false,
      permission: (input, ctx) =>
        changeRequest([input.path], `${input.overwrite ? 'overwrite' : 'write'} ${files.show(input.path)}`, ctx),
      execute: (input, ctx) =>
        run(async () => {
          const flags = { overwrite: input.overwrite, createParents: input.createParents };
          const written =
            input.content.length > ONE_SHOT_WRITE_CHARS
              ? await writeFileBytes(bridge, input.path, new TextEncoder().encode(input.content), {
                  ...flags,
                  signal: ctx.signal,
                })
              : await bridge.call(
                  'write_file',
                  { path: input.path, content: input.content, encoding: 'utf8', ...flags },
                  callOptions(ctx),
                );
          if (written.replaced) void files.announceTrash();
          return textOutput(
            `${written.created ? 'Created' : 'Replaced'} ${files.show(written.path)} (${formatSize(written.size)}).${previousVersionNote(written.replaced)}`,
          );
        }),
    }),
    define({
      name: 'edit_file',
      description: `Replaces exact text in a text file on the user's computer (no whitespace or line-ending changes): oldText must occur exactly expectedOccurrences times (default once). The user sees the change as a diff. Read the file first. Paths: ${PATH_HELP}`,
      input: Inputs.edit_file,
      risk: 'write',
      idempotent: false,
      permission: (input, ctx) => changeRequest([input.path], `edit ${files.show(input.path)}`, ctx),
      execute: (input, ctx) =>
        run(async () => {
          const edited = await bridge.call(
            'edit_file',
            {
              path: input.path,
              oldText: input.oldText,
              newText: input.newText,
              expectedOccurrences: input.expectedOccurrences,
            },
            callOptions(ctx),
          );
          if (edited.replaced) void files.announceTrash();
          return {
            ...textOutput(
              `Edited ${files.show(edited.path)}: replaced ${edited.occurrences} occurrence${edited.occurrences === 1 ? '' : 's'} (now ${formatSize(edited.size)}).${previousVersionNote(edited.replaced)}`,
            ),
            display: edited.diff,
          };
        }),
    }),
    define({
      name: 'search',
      description: `Searches a folder on the user's computer recursively: by name (glob) and/or for text inside files, with limits. Symlinks are not followed. Paths: ${PATH_HELP}`,
      input: Inputs.search,
      risk: 'read',
      idempotent: true,
      execute: (input, ctx) =>
        run(async () => {
          const transferId = `s${crypto.randomUUID().replace(/-/g, '')}`;
          const found = await bridge.call(
            'search',
            {
              path: input.path,
              caseSensitive: input.caseSensitive,
              includeHidden: input.includeHidden,
              maxResults: input.maxResults,
              transferId,
              ...(input.nameGlob === undefined ? {} : { nameGlob: input.nameGlob }),
              ...(input.contentQuery === undefined ? {} : { contentQuery: input.contentQuery }),
            },
            callOptions(ctx, { timeoutMs: SEARCH_TIMEOUT_MS, cancelTransferId: transferId }),
          );
          const lines = found.results.map((m) => {
            const where = files.show(m.path);
            if (m.line === undefined) return m.type === 'dir' ? `${where}/` : where;
            return `${where}:${m.line}:${m.column ?? 1}: ${m.preview ?? ''}`;
          });
          const summary = `${found.results.length} result${found.results.length === 1 ? '' : 's'} (${found.filesScanned} files, ${formatSize(found.bytesScanned)} scanned)${
            found.truncated ? `; stopped early (${found.stoppedBecause ?? 'limit'}): narrow the search for more` : ''
          }.`;
          return textOutput(
            lines.length > 0 ? `${summary}\n${wrapUntrusted(files.show(input.path), lines.join('\n'))}` : summary,
          );
        }),
    }),
    define({
      name: 'move',
      description: `Moves or renames a file or folder on the user's computer. Never replaces anything unless overwrite is true (the replaced entry then goes to Tandem's trash). Paths: ${PATH_HELP}`,
      input: Inputs.move,
      risk: 'write',
      idempotent: false,
      permission: (input, ctx) =>
        changeRequest([input.from, input.to], `move ${files.show(input.from)} to ${files.show(input.to)}`, ctx),
      execute: (input, ctx) =>
        run(async () => {
          const moved = await bridge.call(
            'move',
            { from: input.from, to: input.to, overwrite: input.overwrite },
            callOptions(ctx),
          );
          if (moved.replaced) void files.announceTrash();
          return textOutput(
            `Moved ${files.show(moved.from)} to ${files.show(moved.to)}.${
              moved.replaced ? ` The entry it replaced is in Tandem's trash (id ${moved.replaced.id}).` : ''
            }`,
          );
        }),
    }),
    define({
      name: 'make_dir',
      description: `Creates a folder on the user's computer. Paths: ${PATH_HELP}`,
      input: Inputs.make_dir,
      risk: 'write',
      idempotent: true,
      permission: (input, ctx) => changeRequest([input.path], `create the folder ${files.show(input.path)}`, ctx),
      execute: (input, ctx) =>
        run(async () => {
          const made = await bridge.call(
            'make_dir',
            { path: input.path, recursive: input.recursive },
            callOptions(ctx),
          );
          return textOutput(
            made.created.length > 0
              ? `Created ${made.created.map((p) => files.show(p)).join(', ')}.`
              : `${files.show(made.path)} already exists.`,
          );
        }),
    }),
    define({
      name: 'delete',
      description: `Deletes files or folders on the user's computer by moving them to Tandem's trash (restorable with restore). Always asks the user first, naming every path. Paths: ${PATH_HELP}`,
      input: Inputs.delete,
      risk: 'destructive',
      idempotent: false,
      permission: async (input, ctx) => {
        // The host refuses the whole request if any path is outside the folders: nothing to ask then.
        const folders = await Promise.all(input.paths.map((p) => files.folderOf(p, callOptions(ctx))));
        if (folders.includes('outside')) return undefined;
        return deleteRequest(input.paths.map((p) => files.show(p)));
      },
      execute: (input, ctx) =>
        run(async () => {
          const trashed = await bridge.call('trash', { paths: input.paths }, callOptions(ctx));
          void files.announceTrash();
          const lines = trashed.entries.map((e) => `- ${files.show(e.originalPath)} (trash id ${e.id})`);
          for (const f of trashed.failed) lines.push(`- ${files.show(f.path)}: not deleted (${f.error.message})`);
          const text =
            trashed.entries.length > 0
              ? `Moved to Tandem's trash (restore with the id):\n${lines.join('\n')}`
              : `Nothing was deleted:\n${lines.join('\n')}`;
          return textOutput(text, trashed.entries.length === 0);
        }),
    }),
    define({
      name: 'restore',
      description: `Restores an entry from Tandem's trash to where it was, by its trash id (from the delete result) or by its original path. Never replaces what is there now unless overwrite is true. Paths: ${PATH_HELP}`,
      input: Inputs.restore,
      risk: 'write',
      idempotent: false,
      permission: async (input, ctx) => {
        const entry = await findTrashEntry(input, ctx).catch(() => undefined);
        if (!entry) return undefined; // execute says it is not there
        return changeRequest([entry.originalPath], `restore ${files.show(entry.originalPath)} from the trash`, ctx);
      },
      execute: (input, ctx) =>
        run(async () => {
          const entry = await findTrashEntry(input, ctx);
          if (!entry) {
            throw new ToolError(
              `Tandem's trash has no entry ${input.entryId !== undefined ? `with id ${input.entryId}` : `from ${input.path}`}.`,
            );
          }
          const restored = await files.restore(entry.id, input.overwrite, callOptions(ctx));
          return textOutput(
            `Restored ${files.show(restored.path)}.${
              restored.replaced ? ` What was there is now in Tandem's trash (id ${restored.replaced.id}).` : ''
            }`,
          );
        }),
    }),
  ];
}

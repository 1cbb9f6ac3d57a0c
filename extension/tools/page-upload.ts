/**
 * upload_file: puts files from the user's allowed folders into a page's file
 * field (or drops them on a drop zone) in one of the agent's tabs (issue 10,
 * item 9). Uploading sends local data to a website, so:
 *
 * - The page must be on an allowed site and still on the origin that was
 *   checked (as every tab action), and the paths inside the folders the user
 *   allowed: the host confines every path (files/), a refusal asks nothing.
 * - It is confirmed every time, naming the files, their sizes and the site,
 *   unless an approved plan named an upload on that site (once per step named;
 *   permissions/plan-approval.ts). Only `stat` runs before the answer: a denied
 *   prompt reads no file's bytes.
 * - At most MAX_UPLOAD_BYTES in all, checked from the sizes before anything is
 *   read. Files are read through the bridge in chunks (files/transfers.ts) and
 *   handed to the page in chunks (web/file-input.ts), which builds File objects
 *   from the bytes: no host path ever reaches the browser.
 * - What the user was asked about is kept per tool call (web/plan-store.ts):
 *   if a file or the field changed meanwhile, the upload is refused.
 */
import { z } from 'zod';
import { HostPath, type NativeHostResultOf } from '../../shared/protocol/native-host';
import { bytesToBase64 } from '../files/base64';
import type { FileAccess } from '../files/file-access';
import { formatSize } from '../files/host-paths';
import { mimeForName } from '../files/mime-by-name';
import { CONFIRM_OPTIONS } from '../permissions/grant-policy';
import type { PermissionRequest } from '../permissions/permission-gate';
import { approvalKey } from '../permissions/plan-approval';
import type { TabOwner } from '../web/agent-tabs';
import {
  type FileInputRequest,
  type FileInputResponse,
  type FileTarget,
  MAX_UPLOAD_FILES,
  STAGE_CHUNK_BYTES,
  type UploadFileMeta,
} from '../web/file-input';
import { splitRef, TOP_FRAME } from '../web/frame-map';
import { Ref } from '../web/page-protocol';
import type { WebPlatform } from '../web/platform';
import { SITE_POLICY } from '../web/site-policy';
import { toolErrorOf } from './files';
import { type ToolContext, type ToolDefinition, ToolError } from './registry';
import { currentPage, describeOutcome, Tab } from './tabs';
import { gateContext } from './web';

/** Sites commonly take 10–25 MB per upload; more than that is rarely what a task needs and slow to hand over. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const Input = z.object({
  tab: Tab,
  ref: Ref.describe(
    'The file field from read_page (role "file", or its label). Any other element is treated as a drop zone: the files are dropped on it.',
  ),
  paths: z
    .array(
      HostPath.check(
        z.describe(
          'A file in a folder the user allowed: absolute ("/home/me/report.pdf") or "<folder name>/<path>" ("docs/report.pdf").',
        ),
      ),
    )
    .min(1)
    .max(MAX_UPLOAD_FILES)
    .describe('The files to upload, in order; more than one only for a field that takes several.'),
});
type Input = z.infer<typeof Input>;

interface LocalFile {
  /** The real path the host resolved. */
  path: string;
  /** As the user knows it: "work/report.pdf". */
  shown: string;
  name: string;
  size: number;
  mtimeMs: number;
}

interface PreparedUpload {
  owner: TabOwner;
  page: URL;
  target: FileTarget;
  files: LocalFile[];
  total: number;
  /** Everything the user's answer was about. */
  key: string;
}

async function askPage(
  web: WebPlatform,
  tab: number,
  origin: string,
  request: FileInputRequest,
): Promise<FileInputResponse> {
  if (!web.fileInputs) throw new ToolError('This browser cannot put files into pages.');
  const response = await web.fileInputs.run(tab, origin, request);
  if (response.op === 'error') throw new ToolError(response.error);
  return response;
}

function folderOfShown(shown: string): string {
  const cut = shown.lastIndexOf('/');
  return cut > 0 ? shown.slice(0, cut) : shown;
}

/** Where the files go and what they are; only metadata (`stat`), never a file's bytes. */
async function prepare(web: WebPlatform, files: FileAccess, input: Input, ctx: ToolContext): Promise<PreparedUpload> {
  // web/file-input.ts runs in the top page only, and the site checked and named below is the top
  // page's: a field inside a frame (`f3:e12`) would be looked up in the wrong document, under the
  // wrong site's permission. Refused plainly rather than as a ref that "went away".
  if (splitRef(input.ref).frameId !== TOP_FRAME) {
    throw new ToolError(
      `${input.ref} is inside a frame, and upload_file puts files only into the tab's own page, not into frames. Nothing was read or sent. If the frame's site is allowed, open its address in a tab (navigate) and upload there.`,
    );
  }
  const { owner, page } = await currentPage(web, input.tab, ctx);
  const verdict = await web.sites.verdictFor(page, gateContext(ctx));
  if (verdict.verdict !== 'allow') {
    throw new ToolError(
      `Files are uploaded only to sites the user allowed, and ${page.origin} is not allowed now. Nothing was read or sent.`,
    );
  }
  const inspected = await askPage(web, input.tab, page.origin, { op: 'inspect', ref: input.ref });
  if (inspected.op !== 'target') throw new ToolError(`Tab ${input.tab} gave an unexpected answer.`);
  const target = inspected.target;
  if (target.disabled) throw new ToolError(`The file field ${input.ref} is disabled.`);
  if (!target.multiple && input.paths.length > 1) {
    throw new ToolError(
      `The file field "${target.name}" takes one file only; upload one, or use a field that takes several.`,
    );
  }
  const local: LocalFile[] = [];
  for (const path of input.paths) {
    let stat: NativeHostResultOf<'stat'>;
    try {
      stat = await files.bridge.call('stat', { path }, { signal: ctx.signal });
    } catch (error) {
      throw toolErrorOf(error);
    }
    const shown = files.show(stat.path);
    if (stat.type !== 'file') throw new ToolError(`${shown} is not a file (it is a ${stat.type}); upload files only.`);
    local.push({ path: stat.path, shown, name: stat.name, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  const total = local.reduce((sum, f) => sum + f.size, 0);
  if (total > MAX_UPLOAD_BYTES) {
    throw new ToolError(
      `That is ${formatSize(total)}: more than the ${formatSize(MAX_UPLOAD_BYTES)} upload_file takes at once. Nothing was read or sent; upload fewer or smaller files.`,
    );
  }
  const key = JSON.stringify([page.origin, target.key, local.map((f) => [f.path, f.size, f.mtimeMs])]);
  return { owner, page, target, files: local, total, key };
}

/** The confirmation: which files, how big, from where, to which site, into what. */
export function uploadRequest(upload: Pick<PreparedUpload, 'page' | 'target' | 'files' | 'total'>): PermissionRequest {
  const { page, target, files, total } = upload;
  const folders = [...new Set(files.map((f) => folderOfShown(f.shown)))].join(', ');
  const one = files.length === 1 ? files[0] : undefined;
  const what = one ? `${one.name} (${formatSize(one.size)})` : `${files.length} files (${formatSize(total)})`;
  const how =
    target.kind === 'input'
      ? `putting ${one ? 'it' : 'them'} into the page's file field "${target.name}"`
      : `dropping ${one ? 'it' : 'them'} on "${target.name}" in the page`;
  const form =
    target.formAction && new URL(target.formAction).origin !== page.origin
      ? ` Its form sends to ${new URL(target.formAction).origin}.`
      : '';
  return {
    policy: SITE_POLICY,
    scope: page.origin,
    title: `Upload ${what} from ${folders} to ${page.host}?`,
    detail: [
      `The agent wants to send ${one ? 'this file' : 'these files'} from your computer to ${page.origin} by ${how} (${page.href}):`,
      ...files.map((f) => `- ${f.shown} (${formatSize(f.size)})`),
      `Once the page has ${one ? 'it' : 'them'}, the site can read and keep ${one ? 'it' : 'them'}.${form} This is asked every time.`,
    ].join('\n'),
    options: CONFIRM_OPTIONS,
    alwaysAsk: true,
    approvalKey: approvalKey('upload', page.origin),
  };
}

/** Reads each file through the bridge and hands it to the page in chunks; nothing is applied yet. */
async function stageFiles(
  web: WebPlatform,
  files: FileAccess,
  upload: PreparedUpload,
  tab: number,
  id: string,
  ctx: ToolContext,
): Promise<UploadFileMeta[]> {
  const metas: UploadFileMeta[] = [];
  let budget = MAX_UPLOAD_BYTES;
  for (const [index, file] of upload.files.entries()) {
    let bytes: Uint8Array;
    let hostMime: string | null;
    try {
      ({ bytes, mime: hostMime } = await files.readBytes(file.path, { signal: ctx.signal, maxBytes: budget }));
    } catch (error) {
      throw toolErrorOf(error);
    }
    if (bytes.length !== file.size) {
      throw new ToolError(`${file.shown} changed while it was read; nothing was put into the page. Try again.`);
    }
    budget -= bytes.length;
    for (let offset = 0; offset < bytes.length; offset += STAGE_CHUNK_BYTES) {
      const data = bytesToBase64(bytes.subarray(offset, offset + STAGE_CHUNK_BYTES));
      await askPage(web, tab, upload.page.origin, { op: 'stage', id, file: index, offset, data });
    }
    metas.push({
      name: file.name,
      type: mimeForName(file.name) ?? hostMime ?? '',
      size: file.size,
      lastModified: Math.floor(file.mtimeMs),
    });
  }
  return metas;
}

export function uploadTools(web: WebPlatform, files: FileAccess): ToolDefinition[] {
  const tool: ToolDefinition<typeof Input> = {
    name: 'upload_file',
    description: `Uploads files from the folders the user allowed into a page in one of your tabs: into a file field (its ref from read_page, role "file"), or dropped on a drop zone (any other ref). The page gets them as if the user had chosen them. The user confirms every upload, seeing the files, sizes and site. At most ${formatSize(MAX_UPLOAD_BYTES)} in all, up to ${MAX_UPLOAD_FILES} files; several files only for a field that takes several. Not for fields inside frames (refs like f3:e12). Sending the form is a separate step (click its button).`,
    input: Input,
    risk: 'write',
    idempotent: false,
    async permission(input, ctx) {
      const stored = await web.plans.get(ctx.toolUseId);
      if (stored?.request) return stored.request;
      const upload = await prepare(web, files, input, ctx);
      const request = uploadRequest(upload);
      await web.plans.put(ctx.toolUseId, { key: upload.key, request });
      return request;
    },
    async execute(input, ctx) {
      const upload = await prepare(web, files, input, ctx);
      const stored = await web.plans.get(ctx.toolUseId);
      if (!stored?.request || stored.key !== upload.key) {
        throw new ToolError(
          'The files or the page changed since the user was asked, so nothing was read or sent. Call read_page again and retry.',
        );
      }
      await web.egress.check(upload.page, gateContext(ctx));
      const id = `u${crypto.randomUUID().replace(/-/g, '')}`;
      const origin = upload.page.origin;
      try {
        const metas = await stageFiles(web, files, upload, input.tab, id, ctx);
        // A page's alert() in its change handler must not hold the tool (page-world.ts answers it).
        await web.tabs.pageWorld?.(input.tab, origin, { op: 'install' }).catch(() => undefined);
        await web.tabs.prepare(input.tab, upload.owner);
        const watcher = await web.tabs.watch(input.tab, { returnTo: upload.page.href });
        const applied = await askPage(web, input.tab, origin, { op: 'apply', id, ref: input.ref, files: metas });
        const outcome = await watcher.settle();
        if (applied.op !== 'applied') throw new ToolError(`Tab ${input.tab} gave an unexpected answer.`);
        const list = upload.files.map((f) => `${f.name} (${formatSize(f.size)})`).join(', ');
        const done =
          applied.kind === 'input'
            ? `Put ${list} into the file field "${upload.target.name}" (${input.ref}).`
            : `Dropped ${list} on "${upload.target.name}" (${input.ref}).`;
        const note =
          applied.kind === 'drop' && !applied.accepted
            ? 'The page did not take the drop (that element may not be a drop zone).'
            : undefined;
        return describeOutcome(done, outcome, note);
      } catch (error) {
        await web.fileInputs?.run(input.tab, origin, { op: 'discard', id }).catch(() => undefined);
        throw error;
      }
    },
  };
  return [tool as unknown as ToolDefinition];
}

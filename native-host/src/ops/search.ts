/**
 * `search`: walks a folder (never following symlinks) through verified folder
 * handles, matching names by glob and text files by content. Bounded three
 * ways: result count, bytes read, and the size of the answer. Cancellable by a
 * client-chosen `transferId`.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import {
  MAX_HOST_MESSAGE_BYTES,
  type NativeHostRequestOf,
  type NativeHostResultOf,
} from '../../../shared/protocol/native-host';
import { type AccessPolicy, isInside } from '../confine';
import { type HostContext, policyOf } from '../context';
import { HostError } from '../errors';
import { entryTypeOf } from '../fs/entry-type';
import { resolveExisting } from '../fs/resolve';
import { VerifiedDir } from '../fs/verified-dir';
import { DETECTION_SAMPLE_BYTES, decodeText, detectEncoding } from '../text/encoding';
import { compileGlob, type GlobMatcher } from '../text/glob';

const { O_RDONLY, O_NONBLOCK } = constants;
const ANSWER_BUDGET_BYTES = MAX_HOST_MESSAGE_BYTES / 2;
const MAX_DEPTH = 64;
/** A single file is scanned up to this much; searching is for text, not disk images. */
const MAX_FILE_SCAN_BYTES = 16 * 1024 * 1024;
const PREVIEW_CHARS = 200;

type Match = NativeHostResultOf<'search'>['results'][number];
type StopReason = NonNullable<NativeHostResultOf<'search'>['stoppedBecause']>;

class SearchRun {
  readonly results: Match[] = [];
  filesScanned = 0;
  bytesScanned = 0;
  stoppedBecause: StopReason | null = null;
  private answerBytes = 0;
  private readonly nameRe: GlobMatcher | null;
  private readonly matchOnPath: boolean;
  private readonly query: string | null;

  constructor(
    private readonly policy: AccessPolicy,
    private readonly request: NativeHostRequestOf<'search'>,
    private readonly signal: AbortSignal,
    private readonly deadline: number,
  ) {
    this.nameRe = request.nameGlob ? compileGlob(request.nameGlob, request.caseSensitive) : null;
    this.matchOnPath = request.nameGlob?.includes('/') ?? false;
    const q = request.contentQuery ?? null;
    this.query = q === null ? null : request.caseSensitive ? q : q.toLowerCase();
  }

  private checkCancelled(): void {
    if (this.signal.aborted) throw new HostError('cancelled', 'the search was cancelled');
    if (this.stoppedBecause === null && Date.now() > this.deadline) this.stoppedBecause = 'time_limit';
  }

  private add(match: Match): void {
    if (this.results.length >= this.request.maxResults) {
      this.stoppedBecause = 'max_results';
      return;
    }
    this.answerBytes += Buffer.byteLength(JSON.stringify(match)) + 1;
    if (this.answerBytes > ANSWER_BUDGET_BYTES) {
      this.stoppedBecause = 'message_size';
      return;
    }
    this.results.push(match);
    if (this.results.length >= this.request.maxResults) this.stoppedBecause = 'max_results';
  }

  async walk(dir: VerifiedDir, relative: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH) return;
    const names = await fs.readdir(dir.self() || '/').catch(() => [] as string[]);
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      this.checkCancelled();
      if (this.stoppedBecause) return;
      if (!this.request.includeHidden && name.startsWith('.')) continue;
      const real = dir.childRealPath(name);
      if (this.policy.denied.some((d) => isInside(d, real))) continue;
      const stats = await dir.lstatChild(name).catch(() => null);
      if (!stats) continue;
      const rel = relative ? `${relative}/${name}` : name;
      const nameMatches = this.nameRe === null || this.nameRe.test(this.matchOnPath ? rel : name);
      if (stats.isDirectory()) {
        if (nameMatches && this.query === null && this.nameRe !== null) this.add({ path: real, type: 'dir' });
        const sub = await dir.openSubdir(this.policy, name, 'read').catch(() => null);
        if (!sub) continue;
        try {
          await this.walk(sub, rel, depth + 1);
        } finally {
          await sub.close();
        }
      } else if (nameMatches) {
        if (this.query === null) this.add({ path: real, type: entryTypeOf(stats) });
        else if (stats.isFile()) await this.scan(dir, name, real, stats.size);
      }
    }
  }

  private async scan(dir: VerifiedDir, name: string, real: string, size: number): Promise<void> {
    const remaining = this.request.maxBytesScanned - this.bytesScanned;
    if (remaining <= 0) {
      this.stoppedBecause = 'max_bytes';
      return;
    }
    const file = await dir.openFile(name, O_RDONLY | O_NONBLOCK).catch(() => null);
    if (!file) return;
    let bytes: Buffer;
    try {
      const stats = await file.stat();
      if (!stats.isFile()) return;
      const length = Math.min(size, stats.size, remaining, MAX_FILE_SCAN_BYTES);
      bytes = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(bytes, filled, length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      bytes = bytes.subarray(0, filled);
    } finally {
      await file.close();
    }
    this.filesScanned++;
    this.bytesScanned += bytes.length;
    if (bytes.length === remaining && size > remaining) this.stoppedBecause = 'max_bytes';
    const detection = detectEncoding(bytes.subarray(0, DETECTION_SAMPLE_BYTES), bytes.length <= DETECTION_SAMPLE_BYTES);
    if (detection.kind === 'binary' || this.query === null) return;
    const text = decodeText(bytes.subarray(detection.bomBytes), detection.encoding);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const haystack = this.request.caseSensitive ? line : line.toLowerCase();
      const column = haystack.indexOf(this.query);
      if (column === -1) continue;
      const trimmed = line.replace(/\r$/, '');
      this.add({
        path: real,
        type: 'file',
        line: i + 1,
        column: column + 1,
        preview: trimmed.length > PREVIEW_CHARS ? `${trimmed.slice(0, PREVIEW_CHARS)}…` : trimmed,
      });
      if (this.stoppedBecause) return;
    }
  }
}

export async function search(
  request: NativeHostRequestOf<'search'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'search'>> {
  if (request.nameGlob === undefined && request.contentQuery === undefined) {
    throw new HostError('bad_request', 'give nameGlob, contentQuery, or both');
  }
  const op = ctx.transfers.startCancellable(request.transferId, 'search');
  try {
    const policy = await policyOf(ctx);
    const target = await resolveExisting(policy, request.path, 'read');
    await op.checkpoint();
    const run = new SearchRun(policy, request, op.signal, Date.now() + ctx.searchBudgetMs);
    const dir = await VerifiedDir.open(policy, target.realPath, 'read');
    try {
      await run.walk(dir, '', 0);
    } finally {
      await dir.close();
    }
    return {
      results: run.results,
      truncated: run.stoppedBecause !== null,
      stoppedBecause: run.stoppedBecause,
      filesScanned: run.filesScanned,
      bytesScanned: run.bytesScanned,
    };
  } finally {
    op.done();
  }
}

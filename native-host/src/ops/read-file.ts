/**
 * `read_file`: one chunk of a file per request, by byte offset or by lines.
 * Text is decoded (see text/encoding.ts) and cut on character boundaries; binary
 * files come back as base64. Every answer stays under the 1 MiB message cap:
 * a text chunk whose JSON would not fit is shortened, and `range.end` says
 * where to continue.
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  MAX_HOST_MESSAGE_BYTES,
  type NativeHostRequestOf,
  type NativeHostResultOf,
  TRANSFER_CHUNK_BYTES,
} from '../../../shared/protocol/native-host';
import { type HostContext, policyOf } from '../context';
import { HostError, toHostError } from '../errors';
import { resolveExisting } from '../fs/resolve';
import { withVerifiedDir } from '../fs/verified-dir';
import {
  alignTextRange,
  DETECTION_SAMPLE_BYTES,
  type Detection,
  decodeText,
  detectEncoding,
  newlineShape,
  type TextEncodingName,
} from '../text/encoding';
import { guessMime } from '../text/mime';

const { O_RDONLY, O_NONBLOCK } = constants;

/** Room left for the envelope (id, path, range…) around `content`. */
const CONTENT_BUDGET_BYTES = MAX_HOST_MESSAGE_BYTES - 16 * 1024;
const LINE_SCAN_BLOCK = 256 * 1024;

type ReadResult = NativeHostResultOf<'read_file'>;

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  // Unfilled: every byte returned is one read from the file (the tail is cut off below).
  const buffer = Buffer.allocUnsafe(Math.max(0, length));
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}

function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/** End of the first whole character at `start`, so a tiny `length` still makes progress. */
function firstCharEnd(encoding: TextEncodingName, bytes: Buffer, bufferStart: number, start: number): number {
  const b = bytes[start - bufferStart] ?? 0;
  if (encoding === 'utf8') return start + (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1);
  if (encoding === 'latin1') return start + 1;
  const hi = encoding === 'utf16le' ? (bytes[start + 1 - bufferStart] ?? 0) : b;
  return start + (hi >= 0xd8 && hi <= 0xdb ? 4 : 2);
}

interface ReadPlan {
  file: FileHandle;
  size: number;
  head: Buffer;
  name: string;
  realPath: string;
}

function binaryChunk(plan: ReadPlan, request: NativeHostRequestOf<'read_file'>): ReadResult | Promise<ReadResult> {
  if (request.startLine !== undefined || request.endLine !== undefined) {
    throw new HostError('bad_request', 'this file is binary: read it by offset, not by lines');
  }
  const start = Math.min(request.offset ?? 0, plan.size);
  const end = Math.min(plan.size, start + (request.length ?? TRANSFER_CHUNK_BYTES));
  return readAt(plan.file, start, end - start).then((bytes) => ({
    path: plan.realPath,
    size: plan.size,
    range: { start, end: start + bytes.length },
    eof: start + bytes.length >= plan.size,
    encoding: 'base64' as const,
    bom: false,
    binary: true,
    content: bytes.toString('base64'),
    mime: guessMime(plan.head, plan.name),
  }));
}

async function byteRangeChunk(
  plan: ReadPlan,
  detection: Extract<Detection, { kind: 'text' }>,
  request: NativeHostRequestOf<'read_file'>,
): Promise<ReadResult> {
  const { encoding, bomBytes } = detection;
  const wanted = Math.max(request.offset ?? 0, bomBytes);
  const start = Math.min(wanted, plan.size);
  let end = Math.min(plan.size, start + (request.length ?? TRANSFER_CHUNK_BYTES));
  // A few bytes beyond `end` let a tiny chunk still cover one whole character.
  const bytes = await readAt(plan.file, start, Math.min(plan.size, end + 4) - start);
  let range = alignTextRange(encoding, bytes, start, start, end, bomBytes, plan.size);
  if (range.end <= range.start && range.start < plan.size) {
    range = { start: range.start, end: Math.min(plan.size, firstCharEnd(encoding, bytes, start, range.start)) };
  }
  let content = decodeText(bytes.subarray(range.start - start, range.end - start), encoding);
  // Shrink until the JSON-escaped text fits in one message.
  for (let size = jsonBytes(content); size > CONTENT_BUDGET_BYTES; size = jsonBytes(content)) {
    const keep = Math.floor(((range.end - range.start) * CONTENT_BUDGET_BYTES * 0.9) / size);
    end = range.start + Math.max(1, keep);
    range = alignTextRange(encoding, bytes, start, range.start, end, bomBytes, plan.size);
    if (range.end <= range.start) {
      range = { start: range.start, end: firstCharEnd(encoding, bytes, start, range.start) };
    }
    content = decodeText(bytes.subarray(range.start - start, range.end - start), encoding);
  }
  return {
    path: plan.realPath,
    size: plan.size,
    range,
    eof: range.end >= plan.size,
    encoding,
    bom: bomBytes > 0,
    binary: false,
    content,
    mime: guessMime(plan.head, plan.name),
  };
}

/** Byte offsets just after each newline in `bytes` (aligned to the code unit for UTF-16). */
function newlineEnds(bytes: Buffer, bufferStart: number, base: number, encoding: TextEncodingName): number[] {
  const { width, lfOffset } = newlineShape(encoding);
  const out: number[] = [];
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    const unitStart = i - lfOffset;
    const absolute = bufferStart + unitStart;
    if (unitStart < 0 || (absolute - base) % width !== 0) continue;
    if (width === 2 && bytes[unitStart + (1 - lfOffset)] !== 0) continue;
    out.push(absolute + width);
  }
  return out;
}

async function lineChunk(
  plan: ReadPlan,
  detection: Extract<Detection, { kind: 'text' }>,
  request: NativeHostRequestOf<'read_file'>,
): Promise<ReadResult> {
  if (request.offset !== undefined) throw new HostError('bad_request', 'give either offset or startLine, not both');
  const { encoding, bomBytes } = detection;
  const startLine = request.startLine ?? 1;
  const endLine = request.endLine ?? Number.MAX_SAFE_INTEGER;
  if (endLine < startLine) throw new HostError('bad_request', 'endLine is before startLine');

  // Find where line `startLine` begins.
  let lineStart = bomBytes;
  let line = 1;
  for (let pos = bomBytes; line < startLine && pos < plan.size; ) {
    const block = await readAt(plan.file, pos, Math.min(LINE_SCAN_BLOCK, plan.size - pos));
    for (const after of newlineEnds(block, pos, bomBytes, encoding)) {
      line++;
      lineStart = after;
      if (line === startLine) break;
    }
    // Continue on a code-unit boundary so a UTF-16 newline is never split.
    const consumed = block.length - ((pos + block.length - bomBytes) % newlineShape(encoding).width);
    if (line < startLine) pos += Math.max(consumed, 1);
  }
  const base = {
    path: plan.realPath,
    size: plan.size,
    encoding,
    bom: bomBytes > 0,
    binary: false,
    mime: guessMime(plan.head, plan.name),
  };
  if (line < startLine || (lineStart >= plan.size && startLine > 1)) {
    return {
      ...base,
      range: { start: plan.size, end: plan.size },
      eof: true,
      content: '',
      lines: { start: startLine, end: startLine - 1 },
    };
  }

  const bytes = await readAt(plan.file, lineStart, Math.min(TRANSFER_CHUNK_BYTES, plan.size - lineStart));
  const reachesEof = lineStart + bytes.length >= plan.size;
  const ends = newlineEnds(bytes, lineStart, bomBytes, encoding).slice(0, endLine - startLine + 1);
  let cut: number;
  let lastLine: number;
  if (ends.length === endLine - startLine + 1) {
    cut = ends[ends.length - 1] as number;
    lastLine = endLine;
  } else if (reachesEof) {
    cut = lineStart + bytes.length;
    const trailing = cut > (ends[ends.length - 1] ?? lineStart);
    lastLine = startLine + ends.length - (trailing ? 0 : 1);
  } else if (ends.length > 0) {
    cut = ends[ends.length - 1] as number;
    lastLine = startLine + ends.length - 1;
  } else {
    // One line longer than a chunk: return its beginning; continue by offset.
    cut = alignTextRange(encoding, bytes, lineStart, lineStart, lineStart + bytes.length, bomBytes, plan.size).end;
    lastLine = startLine;
  }
  let content = decodeText(bytes.subarray(0, cut - lineStart), encoding);
  for (let size = jsonBytes(content); size > CONTENT_BUDGET_BYTES; size = jsonBytes(content)) {
    const limit = lineStart + Math.floor(((cut - lineStart) * CONTENT_BUDGET_BYTES * 0.9) / size);
    const fitting = ends.filter((e) => e <= limit);
    if (fitting.length > 0) {
      cut = fitting[fitting.length - 1] as number;
      lastLine = startLine + fitting.length - 1;
    } else {
      cut = alignTextRange(
        encoding,
        bytes,
        lineStart,
        lineStart,
        Math.max(limit, lineStart + 4),
        bomBytes,
        plan.size,
      ).end;
      lastLine = startLine;
    }
    content = decodeText(bytes.subarray(0, cut - lineStart), encoding);
  }
  return {
    ...base,
    range: { start: lineStart, end: cut },
    eof: cut >= plan.size,
    content,
    lines: { start: startLine, end: Math.max(lastLine, startLine - 1) },
  };
}

export async function readFile(
  request: NativeHostRequestOf<'read_file'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'read_file'>> {
  const policy = await policyOf(ctx);
  const target = await resolveExisting(policy, request.path, 'read');
  if (policy.roots.some((r) => r.path === target.realPath)) {
    throw new HostError('wrong_type', `${target.display} is a folder; use list_dir`);
  }
  const name = path.posix.basename(target.realPath);
  return withVerifiedDir(policy, path.posix.dirname(target.realPath), 'read', async (dir) => {
    let file: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO must not hang the host; it is refused below.
      file = await dir.openFile(name, O_RDONLY | O_NONBLOCK);
    } catch (error) {
      throw toHostError(error, target.display);
    }
    try {
      const stats = await file.stat();
      if (stats.isDirectory()) throw new HostError('wrong_type', `${target.display} is a folder; use list_dir`);
      if (!stats.isFile()) throw new HostError('wrong_type', `${target.display} is not a regular file`);
      const head = await readAt(file, 0, Math.min(stats.size, DETECTION_SAMPLE_BYTES));
      const plan: ReadPlan = { file, size: stats.size, head, name, realPath: target.realPath };
      if (request.encoding === 'base64') return await binaryChunk(plan, request);
      let detection = detectEncoding(head, stats.size <= DETECTION_SAMPLE_BYTES);
      if (request.encoding === 'utf8') {
        const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
        detection = { kind: 'text', encoding: 'utf8', bomBytes: bom };
      }
      if (detection.kind === 'binary') return await binaryChunk(plan, request);
      if (request.startLine !== undefined || request.endLine !== undefined) {
        return await lineChunk(plan, detection, request);
      }
      return await byteRangeChunk(plan, detection, request);
    } catch (error) {
      throw toHostError(error, target.display);
    } finally {
      await file.close();
    }
  });
}

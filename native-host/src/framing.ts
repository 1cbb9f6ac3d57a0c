/**
 * Native messaging framing: a 4-byte little-endian length, then UTF-8 JSON.
 * (Chrome documents "native byte order"; every platform Tandem supports is
 * little-endian, and the host must not guess.)
 *
 * `FrameDecoder` is pure and incremental: feed it bytes as they arrive, get
 * complete frames back. It never throws on bad input; each bad frame becomes
 * one error item (so the host answers it) and decoding goes on:
 * - length 0 → `bad_request`;
 * - length above the limit → `too_large` at once, and that many bytes are then
 *   skipped without being buffered, so the next frame is still found;
 * - body not UTF-8, not JSON, or not a JSON object → `bad_request`;
 * - input ending inside a frame → `bad_request` (truncated) from `end()`.
 */
import { MAX_HOST_MESSAGE_BYTES, MAX_INCOMING_FRAME_BYTES } from '../../shared/protocol/native-host';

export type DecodedFrame =
  | { kind: 'message'; value: Record<string, unknown> }
  | { kind: 'error'; code: 'bad_request' | 'too_large'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseBody(body: Buffer): DecodedFrame {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { kind: 'error', code: 'bad_request', message: 'the frame is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'error', code: 'bad_request', message: 'the frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'error', code: 'bad_request', message: 'the frame is not a JSON object' };
  }
  return { kind: 'message', value: value as Record<string, unknown> };
}

export class FrameDecoder {
  private readonly header = Buffer.alloc(4);
  private headerFill = 0;
  private bodyLength: number | null = null;
  private parts: Buffer[] = [];
  private received = 0;
  private skipping = 0;

  constructor(private readonly maxFrameBytes: number = MAX_INCOMING_FRAME_BYTES) {}

  push(chunk: Uint8Array): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (data.length > 0) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, data.length);
        this.skipping -= n;
        data = data.subarray(n);
        continue;
      }
      if (this.bodyLength === null) {
        const n = Math.min(4 - this.headerFill, data.length);
        data.copy(this.header, this.headerFill, 0, n);
        this.headerFill += n;
        data = data.subarray(n);
        if (this.headerFill < 4) break;
        this.headerFill = 0;
        const length = this.header.readUInt32LE(0);
        if (length === 0) {
          out.push({ kind: 'error', code: 'bad_request', message: 'empty frame (length 0)' });
        } else if (length > this.maxFrameBytes) {
          out.push({
            kind: 'error',
            code: 'too_large',
            message: `frame of ${length} bytes is over the ${this.maxFrameBytes}-byte limit; skipped`,
          });
          this.skipping = length;
        } else {
          this.bodyLength = length;
          this.received = 0;
          this.parts = [];
        }
        continue;
      }
      const n = Math.min(this.bodyLength - this.received, data.length);
      this.parts.push(data.subarray(0, n));
      this.received += n;
      data = data.subarray(n);
      if (this.received === this.bodyLength) {
        const body = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
        this.parts = [];
        this.bodyLength = null;
        out.push(parseBody(body));
      }
    }
    return out;
  }

  /** End of input. A frame cut short is reported once; skipped bytes were already answered. */
  end(): DecodedFrame[] {
    const truncated = this.headerFill > 0 || this.bodyLength !== null;
    const detail =
      this.bodyLength !== null
        ? `got ${this.received} of ${this.bodyLength} bytes`
        : `got ${this.headerFill} of 4 length bytes`;
    this.headerFill = 0;
    this.bodyLength = null;
    this.parts = [];
    this.skipping = 0;
    return truncated ? [{ kind: 'error', code: 'bad_request', message: `truncated frame: ${detail}` }] : [];
  }
}

/** Frames one value. */
export function encodeFrame(value: unknown): Buffer {
  // One allocation and one copy: file chunks make ~700 KB answers, and a second
  // copy (header + body concatenated) was a measurable share of the host's time.
  const json = JSON.stringify(value);
  const length = Buffer.byteLength(json, 'utf8');
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32LE(length, 0);
  frame.write(json, 4, 'utf8');
  return frame;
}

/** Below this a bulk string goes through the plain path: splicing only pays for big chunks. */
const BULK_MIN_CHARS = 64 * 1024;
const BULK_KEY = '"content":""';

/**
 * Frames an answer whose `result.content` is a big base64 string (a binary
 * `read_file` chunk): the envelope is stringified without it and the base64 is
 * copied straight into the frame as bytes. Base64 needs no JSON escaping and is
 * ASCII, so this is byte-for-byte what `encodeFrame` makes, without scanning,
 * escaping and transcoding ~700 KB three times per chunk (JSON.stringify,
 * byteLength, UTF-8 write), which was most of the host's time per chunk.
 * Anything else goes through `encodeFrame`.
 */
export function encodeAnswerFrame(answer: { ok: boolean; result?: unknown }): Buffer {
  const result = answer.ok ? answer.result : undefined;
  if (typeof result !== 'object' || result === null) return encodeFrame(answer);
  const { content, encoding } = result as { content?: unknown; encoding?: unknown };
  if (encoding !== 'base64' || typeof content !== 'string' || content.length < BULK_MIN_CHARS) {
    return encodeFrame(answer);
  }
  const json = JSON.stringify({ ...answer, result: { ...result, content: '' } });
  // The only unescaped `"content":""` is the key itself: inside any string value its quotes would be escaped.
  const at = json.indexOf(BULK_KEY);
  if (at === -1 || json.indexOf(BULK_KEY, at + 1) !== -1) return encodeFrame(answer);
  const head = json.slice(0, at + BULK_KEY.length - 1);
  const tail = json.slice(at + BULK_KEY.length - 1);
  const headBytes = Buffer.byteLength(head, 'utf8');
  const length = headBytes + content.length + Buffer.byteLength(tail, 'utf8');
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32LE(length, 0);
  frame.write(head, 4, 'utf8');
  frame.write(content, 4 + headBytes, 'latin1');
  frame.write(tail, 4 + headBytes + content.length, 'utf8');
  return frame;
}

/** Body bytes an answer may have: below the 1 MiB that makes the browser drop the port. */
export const MAX_ANSWER_BODY_BYTES = MAX_HOST_MESSAGE_BYTES - 1;

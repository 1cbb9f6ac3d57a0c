/**
 * Whole-file transfers over the bridge, in chunks that keep every host → browser
 * message under the 1 MiB native messaging cap (a bigger one kills the port).
 *
 * Reads are pipelined: several chunk requests are in flight at once, so the host
 * reads the next chunk while the browser decodes the last (the host runs read-only
 * requests side by side). Writes go in order (the host appends at `offset`) but
 * are pipelined too, and committed with a sha256 the host checks end to end.
 * Aborting stops issuing requests; an aborted write is removed on the host.
 */
import { MAX_WRITE_CHUNK_BYTES, TRANSFER_CHUNK_BYTES, type TrashEntry } from '../../shared/protocol/native-host';
import { base64ToBytes, bytesToBase64 } from './base64';
import { BridgeError, type FileBridge } from './bridge-client';
import { ChunkAssembler, chunkOffsets } from './chunk-assembler';

export interface ReadBytesOptions {
  signal?: AbortSignal;
  /** Chunk requests in flight at once. */
  concurrency?: number;
  /** Refuse files larger than this before reading them. */
  maxBytes?: number;
}

export interface ReadBytesResult {
  /** Real absolute path the host read. */
  path: string;
  bytes: Uint8Array;
  mime: string | null;
}

const DEFAULT_READ_CONCURRENCY = 4;

export async function readFileBytes(
  bridge: FileBridge,
  path: string,
  options: ReadBytesOptions = {},
): Promise<ReadBytesResult> {
  const { signal } = options;
  const read = (offset: number) =>
    bridge.call(
      'read_file',
      { path, offset, length: TRANSFER_CHUNK_BYTES, encoding: 'base64' },
      signal ? { signal } : {},
    );
  const first = await read(0);
  if (options.maxBytes !== undefined && first.size > options.maxBytes) {
    throw new BridgeError('too_large', `${first.path} is ${first.size} bytes; the limit here is ${options.maxBytes}.`);
  }
  const assembler = new ChunkAssembler(first.size);
  assembler.add(first.range.start, base64ToBytes(first.content), first.size);
  const offsets = chunkOffsets(first.range.end, first.size, TRANSFER_CHUNK_BYTES);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const offset = offsets[next++] as number;
      const chunk = await read(offset);
      assembler.add(chunk.range.start, base64ToBytes(chunk.content), chunk.size);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? DEFAULT_READ_CONCURRENCY, offsets.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return { path: first.path, bytes: assembler.bytes(), mime: first.mime };
}

export interface WriteBytesOptions {
  overwrite?: boolean;
  createParents?: boolean;
  signal?: AbortSignal;
  /** Bytes per `write.chunk` (default: what the host recommends). */
  chunkBytes?: number;
  /** Chunks in flight at once. */
  concurrency?: number;
}

export interface WriteBytesResult {
  path: string;
  size: number;
  sha256: string;
  created: boolean;
  /** The replaced file's previous content, kept in the host's trash. */
  replaced?: TrashEntry | null | undefined;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Files up to this size go in one `write_file` request. */
export const SINGLE_WRITE_BYTES = TRANSFER_CHUNK_BYTES;

export async function writeFileBytes(
  bridge: FileBridge,
  path: string,
  bytes: Uint8Array,
  options: WriteBytesOptions = {},
): Promise<WriteBytesResult> {
  const { signal } = options;
  const callOptions = signal ? { signal } : {};
  const flags = { overwrite: options.overwrite ?? false, createParents: options.createParents ?? false };
  if (bytes.length <= SINGLE_WRITE_BYTES) {
    return bridge.call(
      'write_file',
      { path, content: bytesToBase64(bytes), encoding: 'base64', ...flags },
      callOptions,
    );
  }
  const begun = await bridge.call('write.begin', { path, size: bytes.length, ...flags }, callOptions);
  const { transferId } = begun;
  const chunkBytes = Math.min(options.chunkBytes ?? begun.chunkBytes, begun.maxChunkBytes, MAX_WRITE_CHUNK_BYTES);
  try {
    const offsets = chunkOffsets(0, bytes.length, chunkBytes);
    const lanes = Math.max(1, options.concurrency ?? 4);
    const inFlight = new Set<Promise<unknown>>();
    // Sent in order (the port keeps order); at most `lanes` unanswered at a time.
    for (const offset of offsets) {
      const data = bytesToBase64(bytes.subarray(offset, offset + chunkBytes));
      const sent = bridge.call('write.chunk', { transferId, offset, data }, callOptions);
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent)).catch(() => undefined);
      if (inFlight.size >= lanes) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return await bridge.call(
      'write.commit',
      { transferId, sha256: await sha256Hex(bytes) },
      { ...callOptions, cancelTransferId: transferId },
    );
  } catch (error) {
    // Leave nothing half-written: the temp file goes, the target is untouched.
    await bridge.call('write.abort', { transferId }, { timeoutMs: 5_000 }).catch(() => undefined);
    throw error;
  }
}

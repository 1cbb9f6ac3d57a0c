/**
 * Splits application messages into frames that fit one sealed 16 KiB frame, and puts them back
 * together.
 *
 * Chunk layout (integers big-endian): message id (uint32) | chunk index (uint32) |
 * chunk count (uint32) | payload.
 *
 * Order: chunk, then seal each chunk (`SecureChannel.seal`); on receipt, open each frame, then
 * reassemble. Not the other way round, because:
 * - every frame is authenticated on its own before anything is buffered, so a forged or altered
 *   frame is refused at once; with seal-then-chunk the receiver would have to buffer up to a whole
 *   message of unauthenticated bytes before it could check a single tag;
 * - the chunk header is inside the AEAD, so nobody on the path can rewrite a message id, index or
 *   count to corrupt reassembly, and it is hidden;
 * - the channel's strict per-frame counter already guarantees order and completeness, so the
 *   reassembler only has to check that the peer's own headers are consistent.
 *
 * Frames of different messages may be interleaved (that is what small frames are for: a 5 MiB
 * screenshot need not hold up a short reply), so the reassembler keeps one partial message per id.
 * All limits are enforced before memory is committed: a peer cannot make us hold more than
 * `maxMessageBytes` per message, `maxPendingMessages` messages, or `maxBufferedBytes` in total.
 */

import { ChunkError } from './errors.ts';
import { MAX_PLAINTEXT_BYTES } from './secure-channel.ts';

export const CHUNK_HEADER_BYTES = 12;
/** A chunk, header included, fills at most one sealed frame. */
export const MAX_CHUNK_FRAME_BYTES = MAX_PLAINTEXT_BYTES;
/** Largest message either side will send or reassemble: a full-page screenshot fits with room. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const MAX_MESSAGE_ID = 0xffffffff;

export interface ChunkingLimits {
  /** Largest chunk frame, header included. Default MAX_CHUNK_FRAME_BYTES. */
  maxFrameBytes?: number;
  /** Default MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
}

export interface ReassemblyLimits extends ChunkingLimits {
  /** Partial messages held at once. Default 8. */
  maxPendingMessages?: number;
  /** Bytes held across all partial messages. Default 16 MiB. */
  maxBufferedBytes?: number;
  /**
   * A partial message not completed within this time is dropped (its bytes freed), so a peer
   * cannot pin memory with messages it never finishes. Default: no limit.
   */
  maxPartialAgeMs?: number;
  /** Milliseconds clock for `maxPartialAgeMs`. Default Date.now. */
  now?: () => number;
}

/**
 * Chunk frames of one message. `messageId` must not be reused while a message with the same id is
 * still being sent; `MessageSplitter` allocates ids for you.
 */
export function splitMessage(message: Uint8Array, messageId: number, limits: ChunkingLimits = {}): Uint8Array[] {
  const { maxFrameBytes, maxMessageBytes } = resolveLimits(limits);
  if (!Number.isInteger(messageId) || messageId < 0 || messageId > MAX_MESSAGE_ID) {
    throw new RangeError('messageId must be an unsigned 32-bit integer.');
  }
  if (message.length > maxMessageBytes) {
    throw new ChunkError(
      'message_too_large',
      `A message of ${message.length} bytes is over the ${maxMessageBytes}-byte limit of the phone link.`,
    );
  }
  const payloadBytes = maxFrameBytes - CHUNK_HEADER_BYTES;
  const count = Math.max(1, Math.ceil(message.length / payloadBytes));
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const payload = message.subarray(index * payloadBytes, (index + 1) * payloadBytes);
    const frame = new Uint8Array(CHUNK_HEADER_BYTES + payload.length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, messageId);
    view.setUint32(4, index);
    view.setUint32(8, count);
    frame.set(payload, CHUNK_HEADER_BYTES);
    frames.push(frame);
  }
  return frames;
}

/** Allocates message ids (wrapping at 2^32) so concurrent messages never share one. */
export class MessageSplitter {
  readonly #limits: ChunkingLimits;
  #nextId = 0;

  constructor(limits: ChunkingLimits = {}) {
    this.#limits = limits;
  }

  split(message: Uint8Array): Uint8Array[] {
    const frames = splitMessage(message, this.#nextId, this.#limits);
    this.#nextId = this.#nextId === MAX_MESSAGE_ID ? 0 : this.#nextId + 1;
    return frames;
  }
}

interface PartialMessage {
  startedAt: number;
  count: number;
  nextIndex: number;
  bytes: number;
  chunks: Uint8Array[];
}

export class MessageReassembler {
  readonly #limits: Required<ReassemblyLimits>;
  readonly #maxChunks: number;
  readonly #partial = new Map<number, PartialMessage>();
  #bufferedBytes = 0;

  constructor(limits: ReassemblyLimits = {}) {
    const { maxFrameBytes, maxMessageBytes } = resolveLimits(limits);
    this.#limits = {
      maxFrameBytes,
      maxMessageBytes,
      maxPendingMessages: limits.maxPendingMessages ?? 8,
      maxBufferedBytes: limits.maxBufferedBytes ?? 16 * 1024 * 1024,
      maxPartialAgeMs: limits.maxPartialAgeMs ?? Number.POSITIVE_INFINITY,
      now: limits.now ?? Date.now,
    };
    // The most chunks an honest sender with the same limits can produce.
    this.#maxChunks = Math.max(1, Math.ceil(maxMessageBytes / (maxFrameBytes - CHUNK_HEADER_BYTES)));
  }

  /** Messages started and not yet complete. */
  get pendingMessages(): number {
    return this.#partial.size;
  }

  /** Bytes held for messages not yet complete. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Drops partial messages older than `maxPartialAgeMs`; returns how many. Called on every push too. */
  dropStale(): number {
    const oldest = this.#limits.now() - this.#limits.maxPartialAgeMs;
    let dropped = 0;
    for (const [id, partial] of this.#partial) {
      if (partial.startedAt > oldest) continue;
      this.#partial.delete(id);
      this.#bufferedBytes -= partial.bytes;
      dropped += 1;
    }
    return dropped;
  }

  /**
   * Takes one opened chunk frame. Returns the whole message when this was its last chunk, otherwise
   * undefined. Throws `ChunkError` and keeps its state unchanged if the frame is inconsistent.
   */
  push(frame: Uint8Array): Uint8Array | undefined {
    if (!(frame instanceof Uint8Array) || frame.length < CHUNK_HEADER_BYTES) {
      throw new ChunkError('malformed_header', 'A chunk is shorter than its header.');
    }
    if (frame.length > this.#limits.maxFrameBytes) {
      throw new ChunkError(
        'frame_too_large',
        `A chunk of ${frame.length} bytes is over ${this.#limits.maxFrameBytes}.`,
      );
    }
    this.dropStale();
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const messageId = view.getUint32(0);
    const index = view.getUint32(4);
    const count = view.getUint32(8);
    const payload = frame.subarray(CHUNK_HEADER_BYTES);

    if (count === 0 || count > this.#maxChunks) {
      throw new ChunkError('bad_chunk_count', `A message cannot have ${count} chunks (at most ${this.#maxChunks}).`);
    }
    if (index >= count) {
      throw new ChunkError('bad_chunk_index', `Chunk ${index} of a message of ${count} chunks.`);
    }
    const partial = this.#partial.get(messageId);
    if (partial === undefined && index !== 0) {
      throw new ChunkError(
        'out_of_order_chunk',
        `Chunk ${index} of message ${messageId} arrived before its first chunk.`,
      );
    }
    if (partial !== undefined && index === 0) {
      throw new ChunkError('duplicate_message_id', `Message ${messageId} started again before it was complete.`);
    }
    if (partial !== undefined && (index !== partial.nextIndex || count !== partial.count)) {
      throw new ChunkError(
        'out_of_order_chunk',
        `Chunk ${index}/${count} of message ${messageId} does not follow chunk ${partial.nextIndex - 1}/${partial.count}.`,
      );
    }
    const messageBytes = (partial?.bytes ?? 0) + payload.length;
    if (messageBytes > this.#limits.maxMessageBytes) {
      throw new ChunkError('message_too_large', `Message ${messageId} is over ${this.#limits.maxMessageBytes} bytes.`);
    }

    if (count === 1) return payload.slice();
    const isLast = index === count - 1;
    if (partial === undefined) {
      if (this.#partial.size >= this.#limits.maxPendingMessages) {
        throw new ChunkError(
          'too_many_pending',
          `More than ${this.#limits.maxPendingMessages} messages are in flight.`,
        );
      }
    }
    if (!isLast && this.#bufferedBytes + payload.length > this.#limits.maxBufferedBytes) {
      throw new ChunkError('too_many_pending', `More than ${this.#limits.maxBufferedBytes} bytes are in flight.`);
    }

    // All checks passed: only now does the state change.
    const entry = partial ?? { startedAt: this.#limits.now(), count, nextIndex: 0, bytes: 0, chunks: [] };
    if (!isLast) {
      entry.chunks.push(payload.slice());
      entry.nextIndex += 1;
      entry.bytes = messageBytes;
      this.#bufferedBytes += payload.length;
      this.#partial.set(messageId, entry);
      return undefined;
    }
    this.#partial.delete(messageId);
    this.#bufferedBytes -= entry.bytes;
    const message = new Uint8Array(messageBytes);
    let offset = 0;
    for (const chunk of [...entry.chunks, payload]) {
      message.set(chunk, offset);
      offset += chunk.length;
    }
    return message;
  }
}

function resolveLimits(limits: ChunkingLimits): { maxFrameBytes: number; maxMessageBytes: number } {
  const maxFrameBytes = limits.maxFrameBytes ?? MAX_CHUNK_FRAME_BYTES;
  const maxMessageBytes = limits.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  if (
    !Number.isInteger(maxFrameBytes) ||
    maxFrameBytes <= CHUNK_HEADER_BYTES ||
    maxFrameBytes > MAX_CHUNK_FRAME_BYTES
  ) {
    throw new RangeError(`maxFrameBytes must be between ${CHUNK_HEADER_BYTES + 1} and ${MAX_CHUNK_FRAME_BYTES}.`);
  }
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 0) {
    throw new RangeError('maxMessageBytes must be a non-negative integer.');
  }
  return { maxFrameBytes, maxMessageBytes };
}

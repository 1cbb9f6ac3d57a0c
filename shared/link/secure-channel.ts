/**
 * Encrypts and authenticates every application frame after the handshake.
 *
 * Frame = counter (8 bytes, big-endian) | ChaCha20-Poly1305(plaintext) with its 16-byte tag.
 * The AEAD nonce is 32 zero bits + the counter, and the counter bytes are the associated data.
 *
 * Why a counter and not random nonces: the data channel is reliable and ordered, so the receiver
 * knows exactly which counter comes next. Any other counter is refused: a lower one is a replay, a
 * higher one means a frame was dropped or reordered, which on this channel only an attacker or a
 * bug can cause. Each direction has its own key (from the handshake's split), so the two counters
 * can never produce the same key and nonce pair, and a frame reflected back to its sender fails.
 *
 * A refused frame changes nothing: the expected counter stays where it was, so garbage cannot
 * desynchronise the channel (the caller may still choose to hang up).
 *
 * Frames are capped at 16 KiB on the wire: libp2p uses the same size so one large message never
 * blocks the channel, and Chrome's SCTP stack has misbehaved with large sends. Bigger messages go
 * through chunking.ts first.
 */

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ChannelError } from './errors.ts';
import type { SessionKeys } from './handshake.ts';

export const COUNTER_BYTES = 8;
export const TAG_BYTES = 16;
/** Bytes a sealed frame adds to its plaintext. */
export const SEAL_OVERHEAD_BYTES = COUNTER_BYTES + TAG_BYTES;
/** Largest sealed frame on the wire. */
export const MAX_SEALED_FRAME_BYTES = 16 * 1024;
/** Largest plaintext `seal` accepts. */
export const MAX_PLAINTEXT_BYTES = MAX_SEALED_FRAME_BYTES - SEAL_OVERHEAD_BYTES;
/** Counters stay exact JavaScript integers; no session will get near 2^53 frames. */
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

export class SecureChannel {
  readonly #sendKey: Uint8Array;
  readonly #receiveKey: Uint8Array;
  #sendCounter = 0;
  #receiveCounter = 0;

  constructor(keys: Pick<SessionKeys, 'sendKey' | 'receiveKey'>) {
    if (keys.sendKey.length !== 32 || keys.receiveKey.length !== 32) {
      throw new RangeError('Session keys must be 32 bytes.');
    }
    this.#sendKey = keys.sendKey.slice();
    this.#receiveKey = keys.receiveKey.slice();
  }

  /** Frames sealed so far (the next frame's counter). */
  get sentFrames(): number {
    return this.#sendCounter;
  }

  /** Frames opened so far (the counter the next frame must carry). */
  get receivedFrames(): number {
    return this.#receiveCounter;
  }

  /** Throws `ChannelError('too_large')` above MAX_PLAINTEXT_BYTES: chunk first. */
  seal(plaintext: Uint8Array): Uint8Array {
    if (plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new ChannelError(
        'too_large',
        `A frame holds at most ${MAX_PLAINTEXT_BYTES} bytes; split larger messages with splitMessage().`,
      );
    }
    if (this.#sendCounter >= MAX_COUNTER) {
      throw new ChannelError('counter_exhausted', 'This session has sent its maximum number of frames; reconnect.');
    }
    const header = encodeCounter(this.#sendCounter);
    const sealed = chacha20poly1305(this.#sendKey, nonceFor(header), header).encrypt(plaintext);
    this.#sendCounter += 1;
    const frame = new Uint8Array(COUNTER_BYTES + sealed.length);
    frame.set(header, 0);
    frame.set(sealed, COUNTER_BYTES);
    return frame;
  }

  /** Returns the plaintext, or throws `ChannelError` and leaves the channel as it was. */
  open(frame: Uint8Array): Uint8Array {
    if (!(frame instanceof Uint8Array) || frame.length < SEAL_OVERHEAD_BYTES) {
      throw new ChannelError('truncated', 'Refused a frame too short to be sealed.');
    }
    if (frame.length > MAX_SEALED_FRAME_BYTES) {
      throw new ChannelError(
        'too_large',
        `Refused a frame of ${frame.length} bytes (at most ${MAX_SEALED_FRAME_BYTES}).`,
      );
    }
    const header = frame.slice(0, COUNTER_BYTES);
    const counter = decodeCounter(header);
    // The counter is not authenticated yet, so these two codes are a diagnosis, not a proof.
    if (counter < this.#receiveCounter) {
      throw new ChannelError(
        'replayed',
        `Refused a replayed frame (counter ${counter}, expected ${this.#receiveCounter}).`,
      );
    }
    if (counter > this.#receiveCounter) {
      throw new ChannelError(
        'out_of_order',
        `Refused a frame out of order (counter ${counter}, expected ${this.#receiveCounter}).`,
      );
    }
    let plaintext: Uint8Array;
    try {
      plaintext = chacha20poly1305(this.#receiveKey, nonceFor(header), header).decrypt(frame.subarray(COUNTER_BYTES));
    } catch (cause) {
      throw new ChannelError('bad_tag', 'Refused a frame that was altered or not sealed by the peer.', { cause });
    }
    this.#receiveCounter += 1;
    return plaintext;
  }
}

function encodeCounter(counter: number): Uint8Array {
  const bytes = new Uint8Array(COUNTER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  return bytes;
}

/** Values beyond 2^53 come out inexact but larger than any expected counter, so they are refused. */
function decodeCounter(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}

function nonceFor(counterBytes: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(12);
  nonce.set(counterBytes, 4);
  return nonce;
}

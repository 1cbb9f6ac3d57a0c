/**
 * Envelopes in, sealed frames out, and back: the post-handshake half of the phone link, used the
 * same way by the phone page and the extension's link host.
 *
 *   send:    envelope → JSON → UTF-8 → MessageSplitter (≤16 KiB chunks) → SecureChannel.seal each
 *   receive: frame → SecureChannel.open → MessageReassembler → UTF-8 → JSON → LinkEnvelope (zod)
 *
 * `decode` never throws: each frame gets one typed outcome, so the caller can answer it (an
 * authenticated peer is told which frame it could not use) or refuse it (a frame that is not
 * authentic changes nothing, see secure-channel.ts) without a try/catch around every step.
 */
import { LinkEnvelope } from '../protocol/link';
import { MessageReassembler, MessageSplitter, type ReassemblyLimits } from './chunking.ts';
import { ChannelError, type ChannelErrorCode, ChunkError } from './errors.ts';
import type { SessionKeys } from './handshake.ts';
import { SecureChannel } from './secure-channel.ts';

export type DecodedFrame =
  /** A whole envelope; `frame` is the counter of the frame that completed it. */
  | { kind: 'envelope'; envelope: LinkEnvelope; frame: number }
  /** An authentic chunk of a longer message; nothing to do yet. */
  | { kind: 'partial'; frame: number }
  /** Not authentic (or replayed, or out of order): refused, the channel is unchanged. */
  | { kind: 'refused'; code: ChannelErrorCode; message: string }
  /** Authentic, but not a usable message (a bad chunk header, not JSON, not an envelope). */
  | { kind: 'invalid'; code: string; message: string; frame: number };

export type MessengerLimits = Omit<ReassemblyLimits, 'maxFrameBytes' | 'maxMessageBytes'> & {
  /** Largest message accepted from the peer. */
  maxIncomingMessageBytes?: number;
};

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export class SealedMessenger {
  readonly #channel: SecureChannel;
  readonly #splitter = new MessageSplitter();
  readonly #reassembler: MessageReassembler;

  constructor(keys: Pick<SessionKeys, 'sendKey' | 'receiveKey'>, limits: MessengerLimits = {}) {
    this.#channel = new SecureChannel(keys);
    const { maxIncomingMessageBytes, ...reassembly } = limits;
    this.#reassembler = new MessageReassembler({
      ...reassembly,
      ...(maxIncomingMessageBytes === undefined ? {} : { maxMessageBytes: maxIncomingMessageBytes }),
    });
  }

  /** Bytes held for incoming messages not yet complete. */
  get pendingIncomingBytes(): number {
    return this.#reassembler.bufferedBytes;
  }

  /** Drops incoming partial messages past their age limit; returns how many. */
  dropStalePartials(): number {
    return this.#reassembler.dropStale();
  }

  /** Frames sealed so far: the counter the next sealed frame will carry. */
  get sentFrames(): number {
    return this.#channel.sentFrames;
  }

  /** Sealed frames carrying one envelope, in order. Throws ChunkError for a message over the link's limit. */
  encode(envelope: LinkEnvelope): Uint8Array[] {
    return this.encodeBytes(encoder.encode(JSON.stringify(envelope)));
  }

  /**
   * Sealed frames carrying `{ t: 'msg', m }` where `json` is `JSON.stringify(m)`, the same bytes
   * `encode` would seal: the extension's relay hands over each runtime message as the JSON text
   * its worker made, so the host does not rebuild the object only to serialize it again.
   */
  encodeMessageJson(json: string): Uint8Array[] {
    return this.encodeBytes(encoder.encode(`{"t":"msg","m":${json}}`));
  }

  /** Sealed frames carrying arbitrary bytes (the link's own tests and fuzzers use it to send garbage, sealed). */
  encodeBytes(message: Uint8Array): Uint8Array[] {
    return this.#splitter.split(message).map((chunk) => this.#channel.seal(chunk));
  }

  /** Seals one chunk frame exactly as given (fuzzers use it to send broken chunk headers, sealed). */
  sealRaw(chunk: Uint8Array): Uint8Array {
    return this.#channel.seal(chunk);
  }

  decode(frame: Uint8Array): DecodedFrame {
    let chunk: Uint8Array;
    try {
      chunk = this.#channel.open(frame);
    } catch (error) {
      if (error instanceof ChannelError) return { kind: 'refused', code: error.code, message: error.message };
      return { kind: 'refused', code: 'bad_tag', message: 'The frame could not be opened.' };
    }
    const counter = this.#channel.receivedFrames - 1;
    let message: Uint8Array | undefined;
    try {
      message = this.#reassembler.push(chunk);
    } catch (error) {
      const code = error instanceof ChunkError ? error.code : 'bad_chunk';
      return { kind: 'invalid', code, message: error instanceof Error ? error.message : String(error), frame: counter };
    }
    if (message === undefined) return { kind: 'partial', frame: counter };
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(message));
    } catch {
      return { kind: 'invalid', code: 'not_json', message: 'The message is not UTF-8 JSON.', frame: counter };
    }
    const parsed = LinkEnvelope.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        kind: 'invalid',
        code: 'bad_envelope',
        message: `Not a link message (${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'unknown shape'}).`,
        frame: counter,
      };
    }
    return { kind: 'envelope', envelope: parsed.data, frame: counter };
  }
}

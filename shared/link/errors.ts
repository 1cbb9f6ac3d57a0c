/**
 * Typed failures of the phone link's security layer.
 *
 * Every input that comes from the other side (a QR payload, a handshake message, a sealed frame, a
 * chunk) is refused with one of these classes and a stable `code`, never with whatever a parser or
 * a crypto primitive happened to throw, so the caller can decide what to show and whether to hang
 * up by looking at `code` alone. `message` is written for a person.
 */

/** Base class: `instanceof LinkError` catches every failure of this layer. */
export abstract class LinkError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export type OfferErrorCode = 'malformed' | 'expired' | 'unsupported_version';

/** The pairing QR payload could not be used. */
export class OfferError extends LinkError<OfferErrorCode> {
  override readonly name = 'OfferError';
}

export type HandshakeErrorCode =
  /** A message of the wrong shape, length or type for this step. */
  | 'bad_message'
  /** A MAC did not verify: the peer does not hold the keys or the pairing secret it claims. */
  | 'auth_failed'
  /**
   * The two sides saw different DTLS fingerprints: the signaling server (or someone on the path)
   * swapped them to sit in the middle. Only a naive attacker is reported this way; one who also
   * rewrites the diagnostic field is reported as `auth_failed`. Either way nothing is accepted.
   */
  | 'fingerprint_mismatch'
  /** Reconnect from a device key the extension does not know. */
  | 'unknown_device'
  /** Reconnect from a device the user has revoked. */
  | 'revoked_device'
  /** The pairing offer (QR code) is past its expiry. */
  | 'expired_offer'
  /** The pairing offer was already used by another phone. */
  | 'secret_used'
  /** The pairing offer is not (or no longer) known to the extension. */
  | 'unknown_offer'
  /** `next()` was called out of turn: after completion, after a failure, or while busy. */
  | 'bad_state';

/** The mutual authentication of phone and extension failed; the connection must be closed. */
export class HandshakeError extends LinkError<HandshakeErrorCode> {
  override readonly name = 'HandshakeError';
  /**
   * Responder only: an authenticated rejection to send to the phone before closing, so it can tell
   * the user why (revoked, already used, ...). Absent when the peer has not authenticated yet.
   */
  readonly reply: Uint8Array | undefined;
  /** Initiator only: true when this failure was reported by the extension in an authenticated reply. */
  readonly fromPeer: boolean;

  constructor(
    code: HandshakeErrorCode,
    message: string,
    options?: { cause?: unknown; reply?: Uint8Array; fromPeer?: boolean },
  ) {
    super(code, message, options);
    this.reply = options?.reply;
    this.fromPeer = options?.fromPeer ?? false;
  }
}

export type ChannelErrorCode =
  /** Shorter than a counter and a tag: it cannot be a frame. */
  | 'truncated'
  /** Larger than any frame this channel produces. */
  | 'too_large'
  /** A counter already seen: a replay. */
  | 'replayed'
  /** A counter ahead of the expected one: a frame was dropped or reordered. */
  | 'out_of_order'
  /** The authentication tag did not verify: the frame was altered or not sealed with this key. */
  | 'bad_tag'
  /** 2^53 frames were sent with one key; the session must be re-established. */
  | 'counter_exhausted';

/** A sealed frame was refused. The channel's state is unchanged. */
export class ChannelError extends LinkError<ChannelErrorCode> {
  override readonly name = 'ChannelError';
}

export type ChunkErrorCode =
  | 'malformed_header'
  | 'frame_too_large'
  | 'bad_chunk_count'
  | 'bad_chunk_index'
  | 'out_of_order_chunk'
  | 'duplicate_message_id'
  | 'message_too_large'
  | 'too_many_pending';

/** A chunk could not be accepted into reassembly (or a message is too large to split). */
export class ChunkError extends LinkError<ChunkErrorCode> {
  override readonly name = 'ChunkError';
}

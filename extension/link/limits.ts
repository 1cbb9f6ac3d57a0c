/**
 * Every bound the link host puts on a phone, in one place, with the reason for each number. A
 * stranger on the network or a hostile signaling server can open data channels; a stolen or
 * malicious paired phone can send anything it can seal. None of them may starve honest phones or
 * make the extension hold unbounded memory. (docs/ARCHITECTURE.md, "Phone link", lists them.)
 */

import { MAX_MESSAGE_BYTES } from '../../shared/link/chunking.ts';
import { HIGH_WATER_BYTES } from '../../shared/link/frame-sender.ts';
import { MAX_SEND_COMMAND_BYTES } from '../../shared/protocol';

export const LINK_LIMITS = {
  // ——— Before authentication ———
  /** A data channel must open this soon after its signaling offer (honest: ~50 ms on a LAN, a few s over TURN). */
  connectionOpenMs: 10_000,
  /** The phone sends handshake message 1 the moment its channel opens; a silent channel is dropped. */
  firstFrameMs: 3_000,
  /** The whole handshake (4 messages, one IndexedDB transaction; milliseconds when honest). */
  handshakeMs: 10_000,
  /** Unauthenticated channels at once: each costs an RTCPeerConnection. See handshake-slots.ts. */
  maxHandshaking: 8,
  /** Of those, per caller id: an honest phone has one attempt in flight, two during a retry. */
  maxHandshakingPerSource: 2,

  // ——— After authentication ———
  /** Sessions at once, all devices together. */
  maxOpenSessions: 16,
  /**
   * Sessions per device. Two, not one: a reconnecting phone's new session arrives while the old,
   * half-open one has not yet timed out. The newest wins; older ones get a `replaced` goodbye.
   */
  maxSessionsPerDevice: 2,
  /**
   * Largest message from a phone: its largest command (a `message.send` with photos from the camera
   * roll, MAX_SEND_COMMAND_BYTES, see protocol/attachments.ts) plus room for the envelope.
   */
  maxPhoneMessageBytes: MAX_SEND_COMMAND_BYTES + 44 * 1024,
  /** Chunked messages from one phone in flight at once (it sends one command at a time, plus pings). */
  maxPartialMessages: 4,
  /** Bytes held for a phone's unfinished chunked messages: one maximal message with attachments and then some. */
  maxPartialBytes: 4 * 1024 * 1024,
  /** An unfinished chunked message is dropped after this (a message with 2.6 MB of photos: ~20 s at 1 Mbit/s). */
  partialMessageMs: 45_000,
  /**
   * Bytes queued for a phone beyond the data channel's own 1 MiB buffer: the largest message the
   * runtime sends (a full-page screenshot) must fit, nothing more. A phone that does not read gets
   * dropped and catches up from the log when it reconnects.
   */
  maxQueuedBytes: MAX_MESSAGE_BYTES + HIGH_WATER_BYTES,
  /** Frames waiting this long with none leaving: the phone is not reading (a floor of ~40 KB/s). */
  sendStallMs: 20_000,
  /**
   * Messages (commands and pings) per session: a burst of 60, then 30 a second. A person taps a
   * few times a second; a reconnect re-sends unanswered commands and resubscribes (tens at most);
   * pings come every 2 s.
   */
  rate: { burst: 60, perSecond: 30 },
} as const;

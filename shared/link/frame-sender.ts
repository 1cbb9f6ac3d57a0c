/**
 * Sends frames on a data channel without flooding it.
 *
 * A data channel buffers whatever it is given, and large send buffers have killed channels in
 * Chrome (and PeerJS's own buffering only starts at 8 MiB). So frames go straight to the channel
 * only while its `bufferedAmount` is under HIGH_WATER; past that they wait here, in order, and
 * resume on `bufferedamountlow`. A peer that stops reading altogether is dropped, so it cannot pin
 * memory: when the queue grows past `maxQueuedBytes`, or when queued frames make no progress for
 * `stallMs`. The phone then reconnects and catches up from the log, which is cheaper than holding
 * an unbounded backlog.
 */

/** The part of RTCDataChannel the sender needs (a fake in unit tests). */
export interface FrameSink {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  send(data: Uint8Array<ArrayBuffer>): void;
  addEventListener(type: 'bufferedamountlow', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow', listener: () => void): void;
}

export const HIGH_WATER_BYTES = 1024 * 1024;
export const LOW_WATER_BYTES = 256 * 1024;
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

export interface FrameSenderLimits {
  /** Bytes queued (beyond the channel's own buffer) before the peer is dropped. Default MAX_QUEUED_BYTES. */
  maxQueuedBytes?: number;
  /** Time queued frames may wait without any of them leaving before the peer is dropped. Default: no limit. */
  stallMs?: number;
  now?: () => number;
}

export class FrameSender {
  readonly #sink: FrameSink;
  readonly #onOverflow: () => void;
  readonly #queue: Uint8Array<ArrayBuffer>[] = [];
  readonly #maxQueuedBytes: number;
  readonly #stallMs: number;
  readonly #now: () => number;
  #queuedBytes = 0;
  #closed = false;
  #lastProgressAt = 0;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #drain = () => this.#pump();

  constructor(sink: FrameSink, onOverflow: () => void, limits: FrameSenderLimits = {}) {
    this.#sink = sink;
    this.#onOverflow = onOverflow;
    this.#maxQueuedBytes = limits.maxQueuedBytes ?? MAX_QUEUED_BYTES;
    this.#stallMs = limits.stallMs ?? Number.POSITIVE_INFINITY;
    this.#now = limits.now ?? Date.now;
    sink.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    sink.addEventListener('bufferedamountlow', this.#drain);
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queues frames in order; returns false if the link is closed or overflowed (the frames are dropped). */
  send(frames: readonly Uint8Array[]): boolean {
    if (this.#closed) return false;
    // Nothing was waiting: the stall clock starts now, not at the last frame sent long ago.
    if (this.#queue.length === 0) this.#lastProgressAt = this.#now();
    for (const frame of frames) {
      // A copy with its own ArrayBuffer: the channel may read it later, and subarrays must not leak neighbours.
      const own = new Uint8Array(frame.byteLength);
      own.set(frame);
      this.#queue.push(own);
      this.#queuedBytes += own.byteLength;
    }
    if (this.#queuedBytes > this.#maxQueuedBytes) {
      this.#overflow();
      return false;
    }
    this.#pump();
    return !this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    if (this.#stallTimer !== undefined) clearTimeout(this.#stallTimer);
    this.#sink.removeEventListener('bufferedamountlow', this.#drain);
  }

  #overflow(): void {
    this.close();
    this.#onOverflow();
  }

  #pump(): void {
    while (!this.#closed && this.#queue.length > 0) {
      if (this.#sink.readyState !== 'open') break;
      if (this.#sink.bufferedAmount > HIGH_WATER_BYTES) break; // resumes on 'bufferedamountlow'
      const frame = this.#queue.shift();
      if (!frame) break;
      this.#queuedBytes -= frame.byteLength;
      this.#lastProgressAt = this.#now();
      try {
        this.#sink.send(frame);
      } catch {
        // The channel closed under us; its close handler tears the session down.
        this.close();
        return;
      }
    }
    if (this.#closed || this.#queue.length === 0 || !Number.isFinite(this.#stallMs)) return;
    this.#watchStall();
  }

  /** While frames wait, checks that some leave; a peer that reads nothing for `stallMs` is dropped. */
  #watchStall(): void {
    if (this.#stallTimer !== undefined) return;
    const wait = Math.max(0, this.#lastProgressAt + this.#stallMs - this.#now());
    this.#stallTimer = setTimeout(() => {
      this.#stallTimer = undefined;
      if (this.#closed || this.#queue.length === 0) return;
      if (this.#now() - this.#lastProgressAt >= this.#stallMs) this.#overflow();
      else this.#watchStall();
    }, wait);
  }
}

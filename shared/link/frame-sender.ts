/**
 * Sends frames on a data channel without flooding it.
 *
 * A data channel buffers whatever it is given, and large send buffers have killed channels in
 * Chrome (and PeerJS's own buffering only starts at 8 MiB). So frames go straight to the channel
 * only while its `bufferedAmount` is under HIGH_WATER; past that they wait here, in order, and
 * resume on `bufferedamountlow`. A peer that stops reading altogether makes the queue grow past
 * MAX_QUEUED_BYTES, which closes the link: the phone then reconnects and catches up from the log,
 * which is cheaper than holding an unbounded backlog.
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

export class FrameSender {
  readonly #sink: FrameSink;
  readonly #onOverflow: () => void;
  readonly #queue: Uint8Array<ArrayBuffer>[] = [];
  #queuedBytes = 0;
  #closed = false;
  readonly #drain = () => this.#pump();

  constructor(sink: FrameSink, onOverflow: () => void) {
    this.#sink = sink;
    this.#onOverflow = onOverflow;
    sink.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    sink.addEventListener('bufferedamountlow', this.#drain);
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queues frames in order; returns false if the link is closed or overflowed (the frames are dropped). */
  send(frames: readonly Uint8Array[]): boolean {
    if (this.#closed) return false;
    for (const frame of frames) {
      // A copy with its own ArrayBuffer: the channel may read it later, and subarrays must not leak neighbours.
      const own = new Uint8Array(frame.byteLength);
      own.set(frame);
      this.#queue.push(own);
      this.#queuedBytes += own.byteLength;
    }
    if (this.#queuedBytes > MAX_QUEUED_BYTES) {
      this.close();
      this.#onOverflow();
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
    this.#sink.removeEventListener('bufferedamountlow', this.#drain);
  }

  #pump(): void {
    while (!this.#closed && this.#queue.length > 0) {
      if (this.#sink.readyState !== 'open') return;
      if (this.#sink.bufferedAmount > HIGH_WATER_BYTES) return; // resumes on 'bufferedamountlow'
      const frame = this.#queue.shift();
      if (!frame) return;
      this.#queuedBytes -= frame.byteLength;
      try {
        this.#sink.send(frame);
      } catch {
        // The channel closed under us; its close handler tears the session down.
        this.close();
        return;
      }
    }
  }
}

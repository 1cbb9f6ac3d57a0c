/**
 * At most one notification per thread per window: the first goes at once, later ones within the
 * window wait and only the newest of them is sent when it ends. A decision answered before its
 * notification went is simply never sent (`withdraw`), so the phone never buzzes for nothing.
 */
import type { PushNotice } from '../../shared/protocol';

export const COALESCE_WINDOW_MS = 5_000;

interface ThreadSlot {
  lastSentAt: number;
  pending: PushNotice | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class PushCoalescer {
  private readonly slots = new Map<string, ThreadSlot>();

  constructor(
    private readonly deliver: (notice: PushNotice) => void,
    private readonly now: () => number = Date.now,
    private readonly windowMs = COALESCE_WINDOW_MS,
  ) {}

  /** `immediate`: sent now whatever the window (a withdrawal must not leave a stale prompt on screen). */
  offer(key: string, notice: PushNotice, immediate = false): void {
    const slot = this.slots.get(key) ?? { lastSentAt: Number.NEGATIVE_INFINITY, pending: undefined, timer: undefined };
    this.slots.set(key, slot);
    if (immediate) {
      slot.lastSentAt = this.now();
      this.deliver(notice);
      return;
    }
    const wait = slot.lastSentAt + this.windowMs - this.now();
    if (wait <= 0 && slot.timer === undefined) {
      slot.lastSentAt = this.now();
      this.deliver(notice);
      return;
    }
    slot.pending = notice;
    slot.timer ??= setTimeout(() => this.flush(key), Math.max(0, wait));
  }

  /** The decision was answered: true if its notice was still waiting here (and is now dropped). */
  withdrawPending(key: string, decisionId: string): boolean {
    const slot = this.slots.get(key);
    if (slot?.pending?.decisionId !== decisionId || slot.pending.kind === 'withdrawn') return false;
    slot.pending = undefined;
    return true;
  }

  /** Sends whatever is waiting now (tests, shutdown). */
  flushAll(): void {
    for (const key of [...this.slots.keys()]) this.flush(key);
  }

  private flush(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const pending = slot.pending;
    slot.pending = undefined;
    if (!pending) return;
    slot.lastSentAt = this.now();
    this.deliver(pending);
  }
}

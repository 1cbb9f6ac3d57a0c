/**
 * Who may hold one of the link host's few unauthenticated slots.
 *
 * A data channel costs the link host memory and a handshake before it knows who is calling, so
 * their number is bounded (`maxHandshaking`). A plain "refuse when full" let 8 silent channels turn
 * every honest phone away, so instead:
 * - one source (the caller's signaling id, all a caller names before it authenticates) holds at
 *   most `maxPerSource` slots, so one careless or hostile caller cannot take them all;
 * - when every slot is taken, the newcomer takes the slot of the oldest caller that has sent
 *   nothing yet (else the oldest caller): an honest phone sends its first message the moment its
 *   channel opens and finishes in milliseconds, so holding slots with silent channels no longer
 *   works, and flooding needs a fresh channel faster than an honest handshake completes;
 * - each slot is also bounded in time by the session (first message, whole handshake).
 */
export interface HandshakeSlotLimits {
  maxHandshaking: number;
  maxPerSource: number;
}

export interface HandshakeSlot {
  readonly source: string;
  /** The caller sent its first frame: it is no longer the first to be evicted. */
  heard(): void;
  /** The handshake ended (authenticated or not): the slot is free. Idempotent. */
  release(): void;
}

interface Entry extends HandshakeSlot {
  spoken: boolean;
  evict(): void;
}

export class HandshakeSlots {
  readonly #entries: Entry[] = [];

  constructor(readonly limits: HandshakeSlotLimits) {}

  get size(): number {
    return this.#entries.length;
  }

  /**
   * A slot for a new caller, or undefined if its source already holds its share. `evict` is called
   * if the slot is later given to a newer caller (the connection must then be closed).
   */
  take(source: string, evict: () => void): HandshakeSlot | undefined {
    if (this.#entries.filter((entry) => entry.source === source).length >= this.limits.maxPerSource) return undefined;
    if (this.#entries.length >= this.limits.maxHandshaking) {
      const victim = this.#entries.find((entry) => !entry.spoken) ?? this.#entries[0];
      if (victim) {
        victim.release();
        victim.evict();
      }
    }
    const entries = this.#entries;
    const entry: Entry = {
      source,
      spoken: false,
      evict,
      heard() {
        entry.spoken = true;
      },
      release() {
        const at = entries.indexOf(entry);
        if (at >= 0) entries.splice(at, 1);
      },
    };
    entries.push(entry);
    return entry;
  }
}

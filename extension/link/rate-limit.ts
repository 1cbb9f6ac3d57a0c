/**
 * A token bucket: `burst` messages at once, refilled at `perSecond`. One per phone session, so a
 * paired phone (or whoever stole it) cannot flood the runtime: without it, 20,000 pings took
 * 1.3 s of the link host's time and every `thread.create` made the runtime rebroadcast the whole
 * thread list.
 */
export interface RateLimit {
  /** Messages accepted at once after a quiet spell. */
  burst: number;
  /** Sustained messages per second. */
  perSecond: number;
}

export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = limit.burst;
    this.#refilledAt = now();
  }

  /** Takes one token; false if none is left (the message is over the limit). */
  take(): boolean {
    const at = this.now();
    const elapsed = Math.max(0, at - this.#refilledAt);
    this.#refilledAt = at;
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (elapsed / 1000) * this.limit.perSecond);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

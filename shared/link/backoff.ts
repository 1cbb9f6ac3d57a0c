/**
 * Exponential backoff with jitter, for reconnecting the phone link (both sides). Jitter keeps a
 * phone and the extension, or many phones after a server restart, from retrying in lockstep.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of each delay that is random (0..1). Default 0.2. */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #options: Required<BackoffOptions>;

  constructor(options: BackoffOptions) {
    this.#options = { jitter: 0.2, random: Math.random, ...options };
  }

  /** Failed attempts since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call doubles it up to maxMs. */
  next(): number {
    const { initialMs, maxMs, jitter, random } = this.#options;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.round(base * (1 - jitter + jitter * random()));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

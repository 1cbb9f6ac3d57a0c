/** Network retries are bounded: waits capped at 30 s, and no retry once the total would pass the give-up time. */
import { describe, expect, it } from 'vitest';
import { retryDecision } from '../../extension/runtime/retry-policy';

describe('network retry budget', () => {
  it('caps each wait for an unreachable API at 30 s', () => {
    expect(retryDecision('network', 20, undefined, () => 1).delayMs).toBe(30_000);
    expect(retryDecision('overloaded', 7, undefined, () => 1).delayMs).toBe(60_000);
  });

  it('stops once the waits so far plus the next would pass the give-up time', () => {
    const budget = { waitedMs: 280_000, giveUpMs: 300_000 };
    expect(retryDecision('network', 12, undefined, () => 1, budget)).toEqual({ retry: false, delayMs: 0 });
    expect(retryDecision('network', 2, undefined, () => 1, budget)).toEqual({ retry: true, delayMs: 2_000 });
    // Only network failures are bounded by time; a 529 keeps its own attempt limit.
    expect(retryDecision('overloaded', 3, undefined, () => 1, budget).retry).toBe(true);
  });
});

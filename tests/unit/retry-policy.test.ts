import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, parseRetryAfter, retryDecision } from '../../extension/runtime/retry-policy';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('retry policy', () => {
  it('never retries a bad key or a bad request', () => {
    expect(retryDecision('auth', 1, undefined).retry).toBe(false);
    expect(retryDecision('bad_request', 1, 5000).retry).toBe(false);
    expect(retryDecision('refusal', 1, undefined).retry).toBe(false);
  });

  it('honours retry-after over backoff', () => {
    expect(retryDecision('rate_limited', 1, 7000)).toEqual({ retry: true, delayMs: 7000 });
    expect(retryDecision('overloaded', 3, 0)).toEqual({ retry: true, delayMs: 0 });
  });

  it('backs off exponentially with jitter, capped', () => {
    const low = () => 0;
    const high = () => 0.999;
    expect(retryDecision('overloaded', 1, undefined, low).delayMs).toBe(500);
    expect(retryDecision('overloaded', 3, undefined, low).delayMs).toBe(2000);
    expect(retryDecision('overloaded', 3, undefined, high).delayMs).toBeLessThanOrEqual(4000);
    expect(retryDecision('server', 7, undefined, high).delayMs).toBeLessThanOrEqual(60_000);
  });

  it('gives up after the attempt limit, later for the network', () => {
    expect(retryDecision('rate_limited', MAX_ATTEMPTS, undefined).retry).toBe(false);
    expect(retryDecision('network', MAX_ATTEMPTS, undefined).retry).toBe(true);
    expect(retryDecision('network', 30, undefined).retry).toBe(false);
  });

  it('parses retry-after in seconds, ms, and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

/**
 * When to retry a failed model call, and after how long. Pure, so the rules are
 * unit-tested: the server's `retry-after` wins when it gives one; otherwise
 * exponential backoff with jitter. Bad requests and a bad key are never retried:
 * repeating them cannot help and would only hide the problem.
 */
import type { ErrorKind } from '../../shared/protocol';

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

export const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;
/** The network may be down for a while (laptop asleep, train tunnel): keep trying, gently, for a bounded time. */
const MAX_NETWORK_ATTEMPTS = 30;
/** Waits for an unreachable API stay short, so the connection coming back is noticed soon. */
const MAX_NETWORK_DELAY_MS = 30_000;

export interface RetryBudget {
  /** Time already spent waiting on retries of this call. */
  waitedMs: number;
  /** For network errors: stop once the waits would pass this total. */
  giveUpMs: number;
}

const RETRYABLE: ReadonlySet<ErrorKind> = new Set(['rate_limited', 'overloaded', 'network', 'server']);

export function retryDecision(
  kind: ErrorKind,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
  budget?: RetryBudget,
): RetryDecision {
  if (!RETRYABLE.has(kind)) return { retry: false, delayMs: 0 };
  const limit = kind === 'network' ? MAX_NETWORK_ATTEMPTS : MAX_ATTEMPTS;
  if (attempt >= limit) return { retry: false, delayMs: 0 };
  let delayMs: number;
  if (retryAfterMs !== undefined && retryAfterMs >= 0) {
    delayMs = Math.min(retryAfterMs, 10 * MAX_DELAY_MS);
  } else {
    const cap = kind === 'network' ? MAX_NETWORK_DELAY_MS : MAX_DELAY_MS;
    const exponential = Math.min(cap, BASE_DELAY_MS * 2 ** (attempt - 1));
    // Full jitter in the upper half keeps clients that failed together from retrying together.
    delayMs = Math.round(exponential * (0.5 + random() * 0.5));
  }
  if (kind === 'network' && budget && budget.waitedMs + delayMs > budget.giveUpMs) return { retry: false, delayMs: 0 };
  return { retry: true, delayMs };
}

/** Parses `retry-after` (seconds or an HTTP date) and `retry-after-ms`. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()) {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

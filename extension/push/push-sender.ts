/**
 * Sends one Web Push message (RFC 8030 §5) and reads the push service's answer: 201 accepted;
 * 404/410 the subscription is gone for good (the caller drops it); 413 too large; 429 and 5xx
 * retried after `Retry-After` or the shared backoff. Nothing but the endpoint, these headers and
 * the aes128gcm ciphertext ever leaves for the push service.
 */

import { utf8ToBytes } from '@noble/hashes/utils.js';
import { Backoff } from '../../shared/link/backoff';
import { encryptPayload, PayloadTooLargeError, type PushKeys } from './aes128gcm';
import { type VapidKeys, vapidAuthorization } from './vapid';
import { bufferOf } from './web-crypto-bytes';

export interface PushTarget extends PushKeys {
  endpoint: string;
}

export interface PushOptions {
  /** How long the push service may hold the message for an offline phone (RFC 8030 §5.2). */
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /**
   * A message with the same topic replaces one the service still holds (RFC 8030 §5.4): a phone
   * that was offline gets the newest word on a thread, not a backlog. At most 32 base64url chars.
   */
  topic?: string;
}

export type PushOutcome =
  | { kind: 'sent'; status: number; attempts: number }
  | { kind: 'gone'; status: 404 | 410 }
  | { kind: 'too_large' }
  | { kind: 'failed'; status?: number; message: string; attempts: number };

export interface PushSenderOptions {
  keys: () => Promise<VapidKeys>;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts for one message, retries of 429/5xx/network failures included. */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited for (the message is reported failed). */
  maxRetryAfterMs?: number;
  backoff?: { initialMs: number; maxMs: number };
}

const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

export class PushSender {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PushSenderOptions) {
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(target: PushTarget, payload: unknown, push: PushOptions): Promise<PushOutcome> {
    if (push.topic !== undefined && !TOPIC.test(push.topic)) throw new Error('A push topic is 1-32 base64url chars.');
    let body: Uint8Array;
    try {
      body = await encryptPayload(utf8ToBytes(JSON.stringify(payload)), target);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return { kind: 'too_large' };
      throw error;
    }
    const keys = await this.options.keys();
    const maxAttempts = this.options.maxAttempts ?? 4;
    const backoff = new Backoff(this.options.backoff ?? { initialMs: 500, maxMs: 30_000 });
    let last: { status?: number; message: string } = { message: 'not sent' };
    let attempts = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      attempts = attempt;
      let response: Response;
      try {
        response = await this.fetch(target.endpoint, {
          method: 'POST',
          headers: {
            'Content-Encoding': 'aes128gcm',
            'Content-Type': 'application/octet-stream',
            TTL: String(push.ttlSeconds),
            Urgency: push.urgency,
            ...(push.topic ? { Topic: push.topic } : {}),
            Authorization: await vapidAuthorization(keys, target.endpoint, this.now()),
          },
          body: bufferOf(body),
        });
      } catch (error) {
        last = { message: error instanceof Error ? error.message : String(error) };
        if (attempt < maxAttempts) await this.sleep(backoff.next());
        continue;
      }
      // The answer's body is never needed; drain it so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      const status = response.status;
      if (status === 201 || status === 202 || status === 200) return { kind: 'sent', status, attempts: attempt };
      if (status === 404 || status === 410) return { kind: 'gone', status };
      if (status === 413) return { kind: 'too_large' };
      last = { status, message: `The push service answered ${status}.` };
      if (status !== 429 && status < 500) break;
      if (attempt === maxAttempts) break;
      const wait = status === 429 ? retryAfterMs(response.headers.get('retry-after'), this.now()) : undefined;
      if (wait !== undefined && wait > (this.options.maxRetryAfterMs ?? 60_000)) break;
      await this.sleep(wait ?? backoff.next());
    }
    return { kind: 'failed', ...last, attempts };
  }
}

/** `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

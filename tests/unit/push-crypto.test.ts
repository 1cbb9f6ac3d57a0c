/**
 * Web Push from the extension's side, checked independently: every message the sender posts to the
 * loopback push service is decrypted with `http_ece` and its VAPID token verified with Node's ECDSA.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PLAINTEXT_BYTES } from '../../extension/push/aes128gcm';
import { PushSender, type PushTarget, retryAfterMs } from '../../extension/push/push-sender';
import { generateVapidKeys, VAPID_TOKEN_LIFETIME_S, type VapidKeys } from '../../extension/push/vapid';
import { browserSubscription, decryptPush, verifyVapid } from '../fixtures/push-service/independent-check';
import { PushServiceStandIn } from '../fixtures/push-service/push-service';

let service: PushServiceStandIn;
let keys: VapidKeys;

beforeAll(async () => {
  service = await new PushServiceStandIn().start();
  keys = (await generateVapidKeys()).keys;
});
afterAll(() => service.stop());

function target() {
  const browser = browserSubscription();
  const sub = service.subscribe(keys.publicKeyText);
  const push: PushTarget = {
    endpoint: sub.endpoint,
    p256dh: Buffer.from(browser.p256dh, 'base64url'),
    auth: Buffer.from(browser.auth, 'base64url'),
  };
  return { browser, sub, push };
}

const sleeps: number[] = [];
const sender = () =>
  new PushSender({
    keys: async () => keys,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

describe('web push encryption and VAPID', () => {
  it('posts an aes128gcm message that an independent implementation decrypts, with a valid VAPID token', async () => {
    const { browser, sub, push } = target();
    const before = Math.floor(Date.now() / 1000);
    const outcome = await sender().send(
      push,
      { kind: 'decision', title: 'Allow example.com?' },
      {
        ttlSeconds: 600,
        urgency: 'high',
        topic: 'thread1',
      },
    );
    expect(outcome).toMatchObject({ kind: 'sent', status: 201 });
    const [recorded] = service.accepted(sub.id);
    if (!recorded) throw new Error('nothing recorded');
    expect(recorded.headers['content-encoding']).toBe('aes128gcm');
    expect(recorded.headers.ttl).toBe('600');
    expect(recorded.headers.urgency).toBe('high');
    expect(recorded.headers.topic).toBe('thread1');
    // Only ciphertext leaves: the plaintext is nowhere in the body.
    expect(recorded.body.includes(Buffer.from('example.com'))).toBe(false);
    expect(JSON.parse(decryptPush(recorded.body, browser))).toEqual({ kind: 'decision', title: 'Allow example.com?' });
    const claims = verifyVapid(recorded.headers.authorization ?? '', keys.publicKeyText);
    expect(claims.aud).toBe(service.origin);
    expect(claims.exp).toBeGreaterThan(before);
    expect(claims.exp).toBeLessThanOrEqual(before + 24 * 3600 + 1);
    expect(claims.exp).toBeGreaterThanOrEqual(before + VAPID_TOKEN_LIFETIME_S - 1);
    expect(claims.sub).toMatch(/^mailto:/);
  });

  it('makes a fresh sender key and salt for every message', async () => {
    const { browser, sub, push } = target();
    await sender().send(push, 'one', { ttlSeconds: 60, urgency: 'normal' });
    await sender().send(push, 'one', { ttlSeconds: 60, urgency: 'normal' });
    const [a, b] = service.accepted(sub.id);
    if (!a || !b) throw new Error('two pushes expected');
    expect(a.body.subarray(0, 86).equals(b.body.subarray(0, 86))).toBe(false);
    expect(decryptPush(b.body, browser)).toBe('"one"');
  });

  it('a tampered body or a token under another key does not pass the independent checks', async () => {
    const { browser, sub, push } = target();
    await sender().send(push, { n: 1 }, { ttlSeconds: 60, urgency: 'normal' });
    const [recorded] = service.accepted(sub.id);
    if (!recorded) throw new Error('nothing recorded');
    const tampered = Buffer.from(recorded.body);
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 1;
    expect(() => decryptPush(tampered, browser)).toThrow();
    const other = (await generateVapidKeys()).keys;
    const forged = (recorded.headers.authorization ?? '').replace(/k=.*$/, `k=${other.publicKeyText}`);
    expect(() => verifyVapid(forged)).toThrow(/signature/);
  });

  it('the push service refuses a message signed with a key other than the subscription was made with', async () => {
    const { push } = target();
    const stranger = new PushSender({ keys: async () => (await generateVapidKeys()).keys, maxAttempts: 1 });
    expect(await stranger.send(push, 'x', { ttlSeconds: 60, urgency: 'normal' })).toMatchObject({
      kind: 'failed',
      status: 403,
    });
  });
});

describe("the sender reads the push service's answers", () => {
  it('404 and 410 mean the subscription is gone', async () => {
    const a = target();
    service.script(a.sub.id, { status: 404 });
    expect(await sender().send(a.push, 'x', { ttlSeconds: 60, urgency: 'normal' })).toEqual({
      kind: 'gone',
      status: 404,
    });
    const b = target();
    service.expire(b.sub.id);
    expect(await sender().send(b.push, 'x', { ttlSeconds: 60, urgency: 'normal' })).toEqual({
      kind: 'gone',
      status: 410,
    });
  });

  it('413 (and a payload that cannot fit one record) is reported too large', async () => {
    const a = target();
    service.script(a.sub.id, { status: 413 });
    expect(await sender().send(a.push, 'x', { ttlSeconds: 60, urgency: 'normal' })).toEqual({ kind: 'too_large' });
    const before = service.pushes.length;
    const huge = 'x'.repeat(MAX_PLAINTEXT_BYTES);
    expect(await sender().send(a.push, huge, { ttlSeconds: 60, urgency: 'normal' })).toEqual({ kind: 'too_large' });
    expect(service.pushes.length).toBe(before);
  });

  it('the largest payload that fits is accepted (4096-byte body) and decrypts', async () => {
    const a = target();
    const text = 'y'.repeat(MAX_PLAINTEXT_BYTES - 2); // JSON quotes
    expect(await sender().send(a.push, text, { ttlSeconds: 60, urgency: 'normal' })).toMatchObject({ kind: 'sent' });
    const [recorded] = service.accepted(a.sub.id);
    expect(recorded?.body.length).toBe(4096);
    expect(JSON.parse(decryptPush(recorded?.body ?? Buffer.alloc(0), a.browser))).toBe(text);
  });

  it('429 waits for Retry-After, then sends; 5xx backs off; a long Retry-After gives up', async () => {
    const a = target();
    sleeps.length = 0;
    service.script(a.sub.id, { status: 429, headers: { 'retry-after': '2' } }, { status: 503 });
    expect(await sender().send(a.push, 'x', { ttlSeconds: 60, urgency: 'normal' })).toMatchObject({
      kind: 'sent',
      attempts: 3,
    });
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBeGreaterThan(0);
    const b = target();
    service.script(b.sub.id, { status: 429, headers: { 'retry-after': '3600' } });
    expect(await sender().send(b.push, 'x', { ttlSeconds: 60, urgency: 'normal' })).toMatchObject({
      kind: 'failed',
      status: 429,
      attempts: 1,
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('5', 0)).toBe(5000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});

/**
 * Small parts of the phone link: backoff, backpressure on the data channel, the link settings form,
 * the link store's single-use secrets and identity.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  formFromLinkSettings,
  isPeerjsCloud,
  parseIceServers,
  patchFromLinkForm,
} from '../../extension/entrypoints/sidepanel/link-settings-form';
import { LinkStore } from '../../extension/link/link-store';
import { TandemDatabase } from '../../extension/storage/db';
import { Backoff } from '../../shared/link/backoff.ts';
import { FrameSender, type FrameSink, HIGH_WATER_BYTES, MAX_QUEUED_BYTES } from '../../shared/link/frame-sender.ts';
import { generateStaticKeyPair } from '../../shared/link/handshake.ts';
import { DEFAULT_LINK_SETTINGS, DEFAULT_STUN_SERVERS } from '../../shared/protocol/link';

class SlowSink implements FrameSink {
  readyState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly sent: number[] = [];
  private drain: (() => void) | undefined;
  send(data: Uint8Array): void {
    this.sent.push(data[0] ?? -1);
    this.bufferedAmount += data.byteLength;
  }
  addEventListener(_type: 'bufferedamountlow', listener: () => void): void {
    this.drain = listener;
  }
  removeEventListener(): void {
    this.drain = undefined;
  }
  flush(): void {
    this.bufferedAmount = 0;
    this.drain?.();
  }
}

describe('backoff', () => {
  it('doubles up to the cap and starts again after a success', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0 });
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});

describe('frame sender', () => {
  it('holds frames while the channel is over its high-water mark and keeps their order', () => {
    const sink = new SlowSink();
    const sender = new FrameSender(sink, () => {});
    const frame = (n: number) => {
      const bytes = new Uint8Array(256 * 1024);
      bytes[0] = n;
      return bytes;
    };
    sender.send([1, 2, 3, 4, 5, 6, 7].map(frame));
    expect(sink.sent.length).toBeLessThan(7);
    expect(sink.bufferedAmount).toBeLessThanOrEqual(HIGH_WATER_BYTES + 256 * 1024);
    while (sender.queuedBytes > 0) sink.flush();
    expect(sink.sent).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('gives up on a peer that stops reading', () => {
    const sink = new SlowSink();
    let overflowed = false;
    const sender = new FrameSender(sink, () => {
      overflowed = true;
    });
    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i <= MAX_QUEUED_BYTES / big.byteLength + 2 && !overflowed; i++) sender.send([big]);
    expect(overflowed).toBe(true);
    expect(sender.send([big])).toBe(false);
  });
});

describe('link settings form', () => {
  it('parses ICE servers one per line, with TURN credentials', () => {
    expect(parseIceServers('stun:stun.example.org:3478\n\nturn:turn.example.org:3478 alice s3cret')).toEqual([
      { urls: 'stun:stun.example.org:3478' },
      { urls: 'turn:turn.example.org:3478', username: 'alice', credential: 's3cret' },
    ]);
    expect(parseIceServers('https://not-ice.example')).toBeUndefined();
    expect(parseIceServers('turn:a:1 u p extra')).toBeUndefined();
  });

  it('turns the form into a patch, or says what is wrong', () => {
    const values = {
      ...formFromLinkSettings(DEFAULT_LINK_SETTINGS),
      host: '192.168.1.20',
      port: '9000',
      path: '/tandem',
      secure: false,
      phonePageUrl: 'http://192.168.1.20:5173/',
    };
    expect(patchFromLinkForm(values)).toEqual({
      ok: true,
      patch: {
        signaling: { host: '192.168.1.20', port: 9000, path: '/tandem', secure: false },
        iceServers: DEFAULT_STUN_SERVERS,
        phonePageUrl: 'http://192.168.1.20:5173/',
        turnRest: null,
        keepAwake: true,
      },
    });
    expect(patchFromLinkForm({ ...values, port: '70000' })).toMatchObject({
      ok: false,
      errors: { port: expect.any(String) },
    });
    expect(patchFromLinkForm({ ...values, path: 'tandem' })).toMatchObject({
      ok: false,
      errors: { path: expect.any(String) },
    });
    expect(patchFromLinkForm({ ...values, phonePageUrl: 'ftp://x' })).toMatchObject({
      ok: false,
      errors: { phonePageUrl: expect.any(String) },
    });
    expect(patchFromLinkForm({ ...values, host: '' })).toMatchObject({ ok: true, patch: { signaling: null } });
    expect(isPeerjsCloud({ host: '0.peerjs.com' })).toBe(true);
    expect(patchFromLinkForm({ ...values, keepAwake: false })).toMatchObject({ ok: true, patch: { keepAwake: false } });
    const turn = { turnRestUrls: 'turn:198.19.0.1:3478, turns:198.19.0.1:5349', turnRestSecret: 'north-wind-secret' };
    expect(patchFromLinkForm({ ...values, ...turn })).toMatchObject({
      ok: true,
      patch: { turnRest: { urls: ['turn:198.19.0.1:3478', 'turns:198.19.0.1:5349'], secret: 'north-wind-secret' } },
    });
    expect(patchFromLinkForm({ ...values, ...turn, turnRestSecret: 'short' })).toMatchObject({
      ok: false,
      errors: { turnRestSecret: expect.any(String) },
    });
    expect(
      patchFromLinkForm({ ...values, turnRestUrls: 'stun:198.19.0.1', turnRestSecret: 'north-wind-secret' }),
    ).toMatchObject({
      ok: false,
      errors: { turnRestUrls: expect.any(String) },
    });
  });
});

describe('link store', () => {
  it('creates one identity, and a pairing secret can be used once', async () => {
    const db = new TandemDatabase(`link-store-${Math.random()}`);
    const store = new LinkStore(db);
    const [a, b] = await Promise.all([store.identity(), store.identity()]);
    expect(a.peerId).toBe(b.peerId);
    expect(a.keyPair.publicKey).toEqual(b.keyPair.publicKey);
    await store.savePairing({ secretId: 'abc', secret: new Uint8Array(32), expiresAt: Date.now() + 60_000 });
    expect(await store.hasLivePairing()).toBe(true);
    const results = await Promise.all([store.consumeSecret('abc'), store.consumeSecret('abc')]);
    expect(results.sort()).toEqual([false, true]);
    expect(await store.hasLivePairing()).toBe(false);
    // The link is only needed with a signaling server and a device or a live code.
    expect(await store.needsLink()).toBe(false);
    await store.updateSettings({ signaling: { host: 'h.example', secure: true } });
    expect(await store.needsLink()).toBe(false);
    const device = await store.addDevice(generateStaticKeyPair().publicKey, 'Pixel');
    expect(await store.needsLink()).toBe(true);
    expect(await store.revokeDevice(device.id)).toBe(true);
    expect(await store.lookupDevice(Uint8Array.from(Buffer.from(device.id, 'hex')))).toEqual({ status: 'revoked' });
    expect(await store.needsLink()).toBe(false);
    await db.delete();
  });
});

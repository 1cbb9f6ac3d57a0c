/**
 * The extension's end of one phone connection (extension/link/phone-session.ts), driven by a real
 * phone-side handshake and sealed messenger over an in-memory channel: pairing, reconnecting,
 * refusals, heartbeats, frames that are not authentic, fuzzed frames, revocation.
 */
import 'fake-indexeddb/auto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LINK_LIMITS } from '../../extension/link/limits';
import { LinkStore } from '../../extension/link/link-store';
import {
  type GatewaySession,
  PhoneSession,
  type RuntimeGateway,
  type SessionInfo,
  SILENCE_LIMIT_MS,
} from '../../extension/link/phone-session';
import { TandemDatabase } from '../../extension/storage/db';
import { CHUNK_HEADER_BYTES, MAX_CHUNK_FRAME_BYTES } from '../../shared/link/chunking.ts';
import { type FrameSink, HIGH_WATER_BYTES } from '../../shared/link/frame-sender.ts';
import {
  createInitiator,
  generateStaticKeyPair,
  type InitiatorSession,
  type StaticKeyPair,
} from '../../shared/link/handshake.ts';
import { createOffer, type PairingOffer, pendingPairingFromOffer } from '../../shared/link/pairing-offer.ts';
import { SealedMessenger } from '../../shared/link/sealed-messenger.ts';
import type { LinkEnvelope } from '../../shared/protocol/link';

const PHONE_FP = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i + 1).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const EXTENSION_FP = `sha-256 ${Array.from({ length: 32 }, (_, i) => (200 - i).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const sdp = (fingerprint: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:${fingerprint}\r\n`;

class FakeSink implements FrameSink {
  readyState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly sent: Uint8Array[] = [];
  send(data: Uint8Array): void {
    this.sent.push(data.slice());
  }
  addEventListener(): void {}
  removeEventListener(): void {}
}

class FakeGateway implements RuntimeGateway {
  readonly opened: SessionInfo[] = [];
  readonly received: unknown[] = [];
  readonly pairedNames: string[] = [];
  closed = 0;
  deliver: ((message: unknown) => void) | undefined;
  open(info: SessionInfo, deliverJson: (json: string) => void): GatewaySession {
    this.opened.push(info);
    const deliver = (message: unknown) => deliverJson(JSON.stringify(message));
    this.deliver = deliver;
    deliver({ type: 'welcome' });
    return {
      receive: (message) => {
        this.received.push(message);
        const id = (message as { id?: unknown })?.id;
        deliver({
          type: 'error',
          commandId: typeof id === 'string' ? id : null,
          code: 'invalid_command',
          message: 'x',
        });
      },
      close: () => {
        this.closed += 1;
      },
    };
  }
  paired(info: { deviceName: string }): void {
    this.pairedNames.push(info.deviceName);
  }
}

let db: TandemDatabase;
let store: LinkStore;
let identity: StaticKeyPair;
let offer: PairingOffer;

beforeEach(async () => {
  db = new TandemDatabase(`phone-session-${Math.random()}`);
  store = new LinkStore(db);
  identity = (await store.identity()).keyPair;
  offer = createOffer({ extensionPublicKey: identity.publicKey, peerId: 'tandem-test', now: Date.now() });
  await store.savePairing(pendingPairingFromOffer(offer));
});

afterEach(async () => {
  clockOffset = 0;
  await db.delete();
});

interface Harness {
  session: PhoneSession;
  sink: FakeSink;
  gateway: FakeGateway;
  closed: string[];
  failures: string[];
}

let clockOffset = 0;

function extensionSide(fingerprints = { local: EXTENSION_FP, remote: PHONE_FP }): Harness {
  const sink = new FakeSink();
  const gateway = new FakeGateway();
  const closed: string[] = [];
  const failures: string[] = [];
  const session = new PhoneSession(
    {
      descriptions: () => ({ local: sdp(fingerprints.local), remote: sdp(fingerprints.remote) }),
      sink,
      close: () => {},
    },
    {
      identity,
      store,
      gateway,
      now: () => Date.now() + clockOffset,
      onClosed: (_s, why) => closed.push(why),
      onHandshakeFailed: (error) => failures.push(error.code),
    },
  );
  return { session, sink, gateway, closed, failures };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Runs the phone's half of the handshake against the session; returns its keys, or the failure. */
async function phoneHandshake(
  h: Harness,
  options: { mode: 'pair' | 'reconnect'; device?: StaticKeyPair; secret?: Uint8Array },
): Promise<InitiatorSession> {
  const initiator = createInitiator({
    deviceKeyPair: options.device ?? generateStaticKeyPair(),
    deviceName: 'Test phone',
    extensionPublicKey: identity.publicKey,
    localFingerprint: PHONE_FP,
    remoteFingerprint: EXTENSION_FP,
    ...(options.mode === 'pair'
      ? { mode: 'pair' as const, pairingSecret: options.secret ?? offer.secret }
      : { mode: 'reconnect' as const }),
  });
  let step = initiator.next();
  for (;;) {
    const before = h.sink.sent.length;
    if (step.messageOut) h.session.receive(step.messageOut);
    // The extension's store (IndexedDB) answers asynchronously: wait for the reply, not a fixed time.
    for (let waited = 0; h.sink.sent.length <= before && waited < 2_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const reply = h.sink.sent[before];
    if (!reply) throw new Error('no reply from the extension');
    step = initiator.next(reply);
    if (step.done) return step.done;
  }
}

function phoneMessenger(keys: InitiatorSession['keys']): SealedMessenger {
  return new SealedMessenger(keys);
}

function envelopesFrom(messenger: SealedMessenger, frames: Uint8Array[]): LinkEnvelope[] {
  const out: LinkEnvelope[] = [];
  for (const frame of frames) {
    const decoded = messenger.decode(frame);
    if (decoded.kind === 'envelope') out.push(decoded.envelope);
  }
  return out;
}

describe('phone session', () => {
  it('pairs a phone with the QR secret, records the device and attaches it to the runtime', async () => {
    const h = extensionSide();
    const device = generateStaticKeyPair();
    const session = await phoneHandshake(h, { mode: 'pair', device });
    expect(h.session.state).toBe('open');
    expect(h.gateway.pairedNames).toEqual(['Test phone']);
    expect(h.gateway.opened[0]?.deviceId).toBe(bytesToHex(device.publicKey));
    expect((await store.activeDevices()).map((d) => d.name)).toEqual(['Test phone']);
    const phone = phoneMessenger(session.keys);
    const start = h.sink.sent.length - 1;
    expect(envelopesFrom(phone, h.sink.sent.slice(start))).toEqual([{ t: 'msg', m: { type: 'welcome' } }]);
  });

  it('reconnects a known device without a secret, and refuses an unknown or revoked one', async () => {
    const device = generateStaticKeyPair();
    await phoneHandshake(extensionSide(), { mode: 'pair', device });
    const again = extensionSide();
    await phoneHandshake(again, { mode: 'reconnect', device });
    expect(again.session.state).toBe('open');

    const stranger = extensionSide();
    await expect(phoneHandshake(stranger, { mode: 'reconnect' })).rejects.toMatchObject({ code: 'unknown_device' });
    expect(stranger.gateway.opened).toEqual([]);

    await store.revokeDevice(bytesToHex(device.publicKey));
    const revoked = extensionSide();
    await expect(phoneHandshake(revoked, { mode: 'reconnect', device })).rejects.toMatchObject({
      code: 'revoked_device',
    });
    expect(revoked.gateway.opened).toEqual([]);
  });

  it('refuses a second use of the same QR code', async () => {
    await phoneHandshake(extensionSide(), { mode: 'pair' });
    const second = extensionSide();
    await expect(phoneHandshake(second, { mode: 'pair' })).rejects.toMatchObject({ code: 'secret_used' });
    expect(second.failures).toEqual(['secret_used']);
    expect(second.gateway.opened).toEqual([]);
  });

  it('refuses when the two sides saw different certificates (a man in the middle)', async () => {
    const other = `sha-256 ${'AB:'.repeat(31)}AB`;
    const h = extensionSide({ local: EXTENSION_FP, remote: other });
    await expect(phoneHandshake(h, { mode: 'pair' })).rejects.toThrow('no reply');
    expect(h.failures).toEqual(['fingerprint_mismatch']);
    expect(h.gateway.opened).toEqual([]);
    // The secret was not burnt by the failed attempt.
    expect(await store.consumeSecret(pendingPairingFromOffer(offer).secretId)).toBe(true);
  });

  it('answers pings, relays commands, and answers every unusable or unauthentic frame', async () => {
    const h = extensionSide();
    const session = await phoneHandshake(h, { mode: 'pair' });
    const phone = phoneMessenger(session.keys);
    envelopesFrom(phone, h.sink.sent.slice(-1)); // the welcome
    const start = h.sink.sent.length;
    const send = (frames: Uint8Array[]) => {
      for (const frame of frames) h.session.receive(frame);
    };
    send(phone.encode({ t: 'ping', n: 7 }));
    send(phone.encode({ t: 'msg', m: { type: 'threads.list', id: 'c1' } }));
    const replayed = phone.encode({ t: 'ping', n: 8 });
    send(replayed);
    send(replayed);
    const forged = new Uint8Array(40);
    new DataView(forged.buffer).setUint32(4, phone.sentFrames);
    send([forged]);
    send(phone.encodeBytes(new TextEncoder().encode('not json')));
    send([phone.sealRaw(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]))]);
    send(phone.encode({ t: 'bye', reason: 'revoked', message: 'phones do not say bye' }));
    await settle();
    const answers = envelopesFrom(phone, h.sink.sent.slice(start));
    expect(answers.map((a) => (a.t === 'error' ? `error:${a.code}` : a.t === 'msg' ? 'msg' : `${a.t}`))).toEqual([
      'pong',
      'msg',
      'pong',
      'error:replayed',
      'error:bad_tag',
      'error:not_json',
      'error:bad_chunk_count',
      'error:unexpected',
    ]);
    expect(h.gateway.received).toEqual([{ type: 'threads.list', id: 'c1' }]);
    expect(h.session.state).toBe('open');
  });

  it('answers 10,000 fuzzed frames and stays open', async () => {
    const h = extensionSide();
    const session = await phoneHandshake(h, { mode: 'pair' });
    const phone = phoneMessenger(session.keys);
    const start = h.sink.sent.length;
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
    for (let i = 0; i < 10_000; i++) {
      const roll = rand();
      const frames =
        roll < 0.4
          ? phone.encode({ t: 'msg', m: { type: 'fuzz', id: `f${i}`, x: rand() } })
          : roll < 0.7
            ? phone.encodeBytes(bytes(1 + Math.floor(rand() * 50)))
            : [phone.sealRaw(bytes(Math.floor(rand() * 11)))];
      for (const frame of frames) h.session.receive(frame);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.session.state).toBe('open');
    expect(h.sink.sent.length - start).toBe(10_000);
  });

  it('closes a silent (half-open) session and detaches it from the runtime', async () => {
    const h = extensionSide();
    await phoneHandshake(h, { mode: 'pair' });
    clockOffset = SILENCE_LIMIT_MS + 1_000;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    clockOffset = 0;
    expect(h.session.state).toBe('closed');
    expect(h.closed).toEqual(['no heartbeat from the phone']);
    expect(h.gateway.closed).toBe(1);
  });

  it('hangs up on a revoked device with a goodbye the phone can read', async () => {
    const h = extensionSide();
    const session = await phoneHandshake(h, { mode: 'pair' });
    const phone = phoneMessenger(session.keys);
    envelopesFrom(phone, h.sink.sent.slice(-1));
    const start = h.sink.sent.length;
    h.session.hangUp('revoked', 'Removed.');
    expect(h.gateway.closed).toBe(1);
    expect(envelopesFrom(phone, h.sink.sent.slice(start))).toEqual([
      { t: 'bye', reason: 'revoked', message: 'Removed.' },
    ]);
    // Nothing it sends reaches the runtime any more.
    for (const frame of phone.encode({ t: 'msg', m: { type: 'threads.list', id: 'late' } })) h.session.receive(frame);
    await settle();
    expect(h.gateway.received).toEqual([]);
  });
});

describe('bounded resources', () => {
  /** The first chunk of a message of `count` chunks that will never be finished. */
  function firstChunk(messageId: number, count: number): Uint8Array {
    const chunk = new Uint8Array(MAX_CHUNK_FRAME_BYTES);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, messageId);
    view.setUint32(4, 0);
    view.setUint32(8, count);
    return chunk;
  }

  it('closes a channel that sends nothing after it opened', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = extensionSide();
      vi.advanceTimersByTime(LINK_LIMITS.firstFrameMs + 1);
      expect(h.session.state).toBe('closed');
      expect(h.closed).toEqual(['the phone sent nothing']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds at most the partial-message budget for a phone that never finishes its messages', async () => {
    const h = extensionSide();
    const phone = phoneMessenger((await phoneHandshake(h, { mode: 'pair' })).keys);
    envelopesFrom(phone, h.sink.sent.slice(-1));
    const start = h.sink.sent.length;
    let peak = 0;
    // 64 messages of 18 chunks (~290 KiB each, just under the message limit), only the first chunk of each.
    for (let id = 0; id < 64; id++) {
      h.session.receive(phone.sealRaw(firstChunk(id, 18)));
      await settle();
      peak = Math.max(peak, h.session.heldBytes);
    }
    const perChunk = MAX_CHUNK_FRAME_BYTES - CHUNK_HEADER_BYTES;
    expect(peak).toBeLessThanOrEqual(LINK_LIMITS.maxPartialBytes);
    expect(peak).toBe(LINK_LIMITS.maxPartialMessages * perChunk);
    const answers = envelopesFrom(phone, h.sink.sent.slice(start));
    expect(answers.filter((a) => a.t === 'error' && a.code === 'too_many_pending')).toHaveLength(
      64 - LINK_LIMITS.maxPartialMessages,
    );
    // Left unfinished, they are dropped on time and their memory is freed.
    clockOffset = LINK_LIMITS.partialMessageMs + 1;
    for (const frame of phone.encode({ t: 'ping', n: 1 })) h.session.receive(frame);
    await settle();
    expect(h.session.heldBytes).toBe(0);
    expect(h.session.state).toBe('open');
  });

  it('drops a phone that does not read instead of queueing for it', async () => {
    const h = extensionSide();
    await phoneHandshake(h, { mode: 'pair' });
    // The channel's own buffer is full and never drains.
    h.sink.bufferedAmount = HIGH_WATER_BYTES + 1;
    const page = { type: 'thread.page', events: 'x'.repeat(512 * 1024) };
    let peak = 0;
    for (let i = 0; i < 64 && h.session.state === 'open'; i++) {
      h.gateway.deliver?.(page);
      peak = Math.max(peak, h.session.heldBytes);
    }
    expect(h.session.state).toBe('closed');
    expect(h.closed).toEqual(['the phone is not reading']);
    expect(peak).toBeLessThanOrEqual(LINK_LIMITS.maxQueuedBytes);
    expect(h.session.heldBytes).toBe(0);
    expect(h.gateway.closed).toBe(1);
  });

  it('drops a phone whose queued frames make no progress for the stall limit', async () => {
    const h = extensionSide();
    await phoneHandshake(h, { mode: 'pair' });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      h.sink.bufferedAmount = HIGH_WATER_BYTES + 1;
      h.gateway.deliver?.({ type: 'threads', threads: [] });
      expect(h.session.heldBytes).toBeGreaterThan(0);
      clockOffset = LINK_LIMITS.sendStallMs - 1_000;
      vi.advanceTimersByTime(LINK_LIMITS.sendStallMs - 1_000);
      expect(h.session.state).toBe('open');
      clockOffset = LINK_LIMITS.sendStallMs + 1;
      vi.advanceTimersByTime(2_000);
      expect(h.session.state).toBe('closed');
      expect(h.closed).toEqual(['the phone is not reading']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rate-limits a phone: a clear error for commands over the limit and silence for pings', async () => {
    const h = extensionSide();
    const phone = phoneMessenger((await phoneHandshake(h, { mode: 'pair' })).keys);
    envelopesFrom(phone, h.sink.sent.slice(-1));
    const start = h.sink.sent.length;
    const { burst } = LINK_LIMITS.rate;
    // Sent within a few milliseconds: the bucket refills by at most a token or two meanwhile.
    for (let i = 0; i < burst + 20; i++) {
      for (const frame of phone.encode({ t: 'msg', m: { type: 'threads.list', id: `c${i}` } }))
        h.session.receive(frame);
    }
    await settle();
    const received = h.gateway.received.length;
    expect(received).toBeGreaterThanOrEqual(burst);
    expect(received).toBeLessThan(burst + 5);
    const answers = envelopesFrom(phone, h.sink.sent.slice(start));
    const busy = answers.filter(
      (a) =>
        a.t === 'msg' &&
        (a.m as { code?: string }).code === 'busy' &&
        String((a.m as { message?: string }).message).includes('Too many commands'),
    );
    expect(busy.length).toBe(burst + 20 - received);

    // 20,000 pings: only as many are answered as the rate refills meanwhile; the session stays up.
    const before = h.sink.sent.length;
    const startedAt = Date.now();
    for (let n = 0; n < 20_000; n++) {
      for (const frame of phone.encode({ t: 'ping', n })) h.session.receive(frame);
    }
    await settle();
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    const later = envelopesFrom(phone, h.sink.sent.slice(before));
    const pongs = later.filter((a) => a.t === 'pong').length;
    expect(pongs).toBeLessThanOrEqual(Math.ceil(elapsedSeconds * LINK_LIMITS.rate.perSecond) + 1);
    expect(h.session.rateRefused).toBeGreaterThan(20_000 - pongs - 1);
    expect(h.session.state).toBe('open');

    // After a quiet second, commands go through again.
    clockOffset = 1_000;
    const receivedBefore = h.gateway.received.length;
    for (const frame of phone.encode({ t: 'msg', m: { type: 'threads.list', id: 'after' } })) h.session.receive(frame);
    await settle();
    expect(h.gateway.received.length).toBe(receivedBefore + 1);
  });
});

describe('canonical device keys in the store', () => {
  it('stores one device for both encodings of a key, and revoking it refuses both', async () => {
    const key = generateStaticKeyPair().publicKey;
    const flipped = key.slice();
    flipped[31] = (flipped[31] ?? 0) | 0x80;
    const a = await store.addDevice(key, 'Phone');
    const b = await store.addDevice(flipped, 'Phone again');
    expect(b.id).toBe(a.id);
    expect(await store.activeDevices()).toHaveLength(1);
    expect(await store.revokeDevice(a.id)).toBe(true);
    expect(await store.lookupDevice(flipped)).toEqual({ status: 'revoked' });
    expect(await store.lookupDevice(key)).toEqual({ status: 'revoked' });
  });
});

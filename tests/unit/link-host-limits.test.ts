/**
 * The link host's admission limits (extension/link/link-host.ts, handshake-slots.ts), with fake
 * data channels and real handshakes against the real link store: silent channels cannot fill the
 * handshake slots, one caller cannot take them all, and one device cannot take every session.
 */
import 'fake-indexeddb/auto';
import type { DataConnection } from 'peerjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandshakeSlots } from '../../extension/link/handshake-slots';
import { LINK_LIMITS } from '../../extension/link/limits';
import { LinkHost, type LinkHostGateway } from '../../extension/link/link-host';
import { LinkStore } from '../../extension/link/link-store';
import type { GatewaySession } from '../../extension/link/phone-session';
import { TandemDatabase } from '../../extension/storage/db';
import { createInitiator, generateStaticKeyPair, type StaticKeyPair } from '../../shared/link/handshake.ts';
import { createOffer, pendingPairingFromOffer } from '../../shared/link/pairing-offer.ts';
import { SealedMessenger } from '../../shared/link/sealed-messenger.ts';

const hexFp = (seed: number) =>
  `sha-256 ${Array.from({ length: 32 }, (_, i) => ((seed + i) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const PHONE_FP = hexFp(1);
const EXTENSION_FP = hexFp(100);
const sdp = (fp: string) => `v=0\r\na=fingerprint:${fp}\r\n`;

/** A PeerJS DataConnection as far as the link host uses it. */
class FakeConnection {
  readonly serialization = 'raw';
  readonly sent: Uint8Array[] = [];
  closed = false;
  readonly peerConnection = {
    localDescription: { sdp: sdp(EXTENSION_FP) },
    remoteDescription: { sdp: sdp(PHONE_FP) },
    // The host answers ICE restarts on open sessions (shared/link/renegotiation.ts).
    addEventListener() {},
    removeEventListener() {},
  };
  readonly dataChannel = {
    readyState: 'open',
    bufferedAmount: 0,
    bufferedAmountLowThreshold: 0,
    send: (data: Uint8Array) => {
      this.sent.push(data.slice());
    },
    addEventListener: () => {},
    removeEventListener: () => {},
  };
  private readonly listeners = new Map<string, ((arg?: unknown) => void)[]>();
  constructor(readonly peer: string) {}
  on(event: string, listener: (arg?: unknown) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, arg?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(arg);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
  /** The phone's frame, as the data channel delivers it. */
  deliver(bytes: Uint8Array): void {
    this.emit('data', bytes.slice().buffer);
  }
}

class Gateway implements LinkHostGateway {
  readonly opened: string[] = [];
  status(): void {}
  refused(): void {}
  paired(): void {}
  open(info: { deviceId: string }, deliver: (json: string) => void): GatewaySession {
    this.opened.push(info.deviceId);
    deliver(JSON.stringify({ type: 'welcome' }));
    return { receive: () => {}, close: () => {} };
  }
}

let db: TandemDatabase;
let store: LinkStore;
let identity: StaticKeyPair;
let host: LinkHost;
let gateway: Gateway;

beforeEach(async () => {
  db = new TandemDatabase(`link-host-${Math.random()}`);
  store = new LinkStore(db);
  identity = (await store.identity()).keyPair;
  gateway = new Gateway();
  host = new LinkHost({ store, gateway });
  // What reconfigure() sets once the host is online (no PeerJS here).
  host['identity'] = identity;
});

afterEach(async () => {
  host.stop();
  await db.delete();
});

function call(peer: string): FakeConnection {
  const connection = new FakeConnection(peer);
  host['accept'](connection as unknown as DataConnection);
  connection.emit('open');
  return connection;
}

const waitFor = async (done: () => boolean) => {
  for (let waited = 0; !done() && waited < 3_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
};

/** A full handshake over a fake connection; resolves with the phone's messenger once open. */
async function phoneCalls(
  connection: FakeConnection,
  options: { device: StaticKeyPair; secret?: Uint8Array },
): Promise<SealedMessenger> {
  const initiator = createInitiator({
    deviceKeyPair: options.device,
    deviceName: 'Phone',
    extensionPublicKey: identity.publicKey,
    localFingerprint: PHONE_FP,
    remoteFingerprint: EXTENSION_FP,
    ...(options.secret ? { mode: 'pair' as const, pairingSecret: options.secret } : { mode: 'reconnect' as const }),
  });
  let step = initiator.next();
  for (;;) {
    const before = connection.sent.length;
    if (step.messageOut) connection.deliver(step.messageOut);
    await waitFor(() => connection.sent.length > before);
    const reply = connection.sent[before];
    if (!reply) throw new Error('no reply');
    step = initiator.next(reply);
    if (step.done) return new SealedMessenger(step.done.keys);
  }
}

describe('handshake slots', () => {
  it('bounds each source, and gives a full house to the newcomer at the expense of the oldest silent caller', () => {
    const slots = new HandshakeSlots({ maxHandshaking: 3, maxPerSource: 2 });
    const evicted: string[] = [];
    const take = (source: string, name: string) => slots.take(source, () => evicted.push(name));
    const a1 = take('a', 'a1');
    expect(take('a', 'a2')).toBeDefined();
    expect(take('a', 'a3')).toBeUndefined();
    a1?.heard();
    take('b', 'b1');
    expect(slots.size).toBe(3);
    // Full: the oldest caller that has not spoken (a2) makes room, not a1 which is mid-handshake.
    expect(take('c', 'c1')).toBeDefined();
    expect(evicted).toEqual(['a2']);
    expect(slots.size).toBe(3);
  });
});

describe('link host limits', () => {
  it('lets an honest phone pair while silent channels hold every handshake slot', async () => {
    // More silent callers than there are slots, each under its own id.
    const silent = Array.from({ length: LINK_LIMITS.maxHandshaking + 4 }, (_, i) => call(`attacker-${i}`));
    expect(host.slots.size).toBe(LINK_LIMITS.maxHandshaking);
    expect(silent.filter((c) => c.closed)).toHaveLength(4);
    // One caller id gets at most its share.
    const greedy = Array.from({ length: 5 }, () => call('greedy'));
    expect(greedy.filter((c) => c.closed)).toHaveLength(5 - LINK_LIMITS.maxHandshakingPerSource);
    expect(host.slots.size).toBeLessThanOrEqual(LINK_LIMITS.maxHandshaking);

    const offer = createOffer({ extensionPublicKey: identity.publicKey, peerId: 'tandem-test', now: Date.now() });
    await store.savePairing(pendingPairingFromOffer(offer));
    const honest = call('tandem-phone-honest');
    await phoneCalls(honest, { device: generateStaticKeyPair(), secret: offer.secret });
    await waitFor(() => gateway.opened.length > 0);
    expect(gateway.opened).toHaveLength(1);
    expect(honest.closed).toBe(false);
    expect(host.slots.size).toBeLessThanOrEqual(LINK_LIMITS.maxHandshaking);
  });

  it('keeps at most the per-device number of sessions, the newest ones', async () => {
    const device = generateStaticKeyPair();
    await store.addDevice(device.publicKey, 'Phone');
    const connections: FakeConnection[] = [];
    for (let i = 0; i < LINK_LIMITS.maxSessionsPerDevice + 2; i++) {
      const connection = call(`tandem-phone-${i}`);
      connections.push(connection);
      await phoneCalls(connection, { device });
    }
    await waitFor(() => connections.filter((c) => c.closed).length >= 2);
    const open = [...host.sessions].filter((s) => s.state === 'open');
    expect(open).toHaveLength(LINK_LIMITS.maxSessionsPerDevice);
    expect(connections.map((c) => c.closed)).toEqual([true, true, false, false]);
  });
});

/**
 * 10,000 fuzzed handshake messages, at every step of both roles: random bytes, and genuine messages
 * with bits flipped, cut, extended, spliced or sent at the wrong step. Each must be refused with a
 * HandshakeError, never accepted and never any other exception; no store callback may run (nothing
 * is consumed or looked up by an unauthenticated message); the failed machine must refuse further
 * input; and the same offer must still pair afterwards.
 *
 * The handshake is fail-closed, so every input needs a machine freshly brought to the step under
 * test. Seeded randomness makes the genuine messages identical every time, so each fresh machine
 * reaches exactly the state the mutated message was derived from.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  createInitiator,
  createOffer,
  createResponder,
  generateStaticKeyPair,
  HandshakeError,
  type HandshakeMode,
  type InitiatorHandshake,
  type PendingPairing,
  pendingPairingFromOffer,
  type RandomBytes,
  type ResponderHandshake,
} from '../../shared/link/index.ts';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const FUZZ_SEED = 0xc0ffee;

/** Deterministic byte stream: sha256(label | counter). */
function seededRandomBytes(label: string): RandomBytes {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let filled = 0; filled < length; filled += 32) {
      const block = sha256(concatBytes(utf8ToBytes(label), Uint8Array.of(counter >>> 8, counter & 0xff)));
      counter += 1;
      out.set(block.subarray(0, Math.min(32, length - filled)), filled);
    }
    return out;
  };
}

/** sfc32: small deterministic PRNG for choosing mutations. */
function prng(seed: number): (n: number) => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  return (n) => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return Math.floor(((t >>> 0) / 4294967296) * n);
  };
}

const fingerprint = (label: string) =>
  `sha-256 ${[...sha256(utf8ToBytes(label))].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

const extensionKeys = generateStaticKeyPair(seededRandomBytes('extension static'));
const phoneKeys = generateStaticKeyPair(seededRandomBytes('phone static'));
const offer = createOffer({
  extensionPublicKey: extensionKeys.publicKey,
  peerId: 'tandem-ext',
  now: NOW,
  randomBytes: seededRandomBytes('offer'),
});
const phoneFingerprint = fingerprint('phone cert');
const extensionFingerprint = fingerprint('extension cert');

class Store {
  readonly pairings = new Map<string, PendingPairing>([
    [pendingPairingFromOffer(offer).secretId, pendingPairingFromOffer(offer)],
  ]);
  readonly devices = new Set([bytesToHex(phoneKeys.publicKey)]);
  readonly used = new Set<string>();
  consumeCalls = 0;
  lookupCalls = 0;

  callbacks() {
    return {
      findPairing: (id: string) => this.pairings.get(id),
      consumeSecret: (id: string) => {
        this.consumeCalls += 1;
        if (this.used.has(id)) return false;
        this.used.add(id);
        return true;
      },
      lookupDevice: (key: Uint8Array) => {
        this.lookupCalls += 1;
        return this.devices.has(bytesToHex(key)) ? { status: 'active' as const } : undefined;
      },
    };
  }
}

function phone(mode: HandshakeMode): InitiatorHandshake {
  const common = {
    extensionPublicKey: extensionKeys.publicKey,
    deviceKeyPair: phoneKeys,
    deviceName: 'Fuzz phone',
    localFingerprint: phoneFingerprint,
    remoteFingerprint: extensionFingerprint,
    randomBytes: seededRandomBytes('phone ephemeral'),
  };
  return mode === 'pair'
    ? createInitiator({ ...common, mode, pairingSecret: offer.secret })
    : createInitiator({ ...common, mode });
}

function extension(store: Store): ResponderHandshake {
  return createResponder({
    staticKeyPair: extensionKeys,
    localFingerprint: extensionFingerprint,
    remoteFingerprint: phoneFingerprint,
    now: () => NOW,
    randomBytes: seededRandomBytes('extension ephemeral'),
    ...store.callbacks(),
  });
}

interface Transcript {
  m1: Uint8Array;
  m2: Uint8Array;
  m3: Uint8Array;
  m4: Uint8Array;
}

async function genuineTranscript(mode: HandshakeMode): Promise<Transcript> {
  const store = new Store();
  const p = phone(mode);
  const e = extension(store);
  const m1 = need(p.next().messageOut);
  const m2 = need((await e.next(m1)).messageOut);
  const m3 = need(p.next(m2).messageOut);
  const m4 = need((await e.next(m3)).messageOut);
  expect(p.next(m4).done).toBeDefined();
  return { m1, m2, m3, m4 };
}

function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

function mutate(base: Uint8Array, others: Uint8Array[], int: (n: number) => number): Uint8Array {
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  let out: Uint8Array;
  switch (int(9)) {
    case 0:
      out = randomBytes(int(200));
      break;
    case 1:
      // Right type byte, random rest of the right length: gets past the first checks.
      out = Uint8Array.from([base[0] ?? 0, ...randomBytes(base.length - 1)]);
      break;
    case 2:
    case 3: {
      out = base.slice();
      for (let flips = 1 + int(3); flips > 0; flips--) {
        const at = int(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << int(8));
      }
      break;
    }
    case 4:
      out = base.slice(0, int(base.length));
      break;
    case 5:
      out = Uint8Array.from([...base, ...randomBytes(1 + int(32))]);
      break;
    case 6:
      // A genuine message from another step.
      out = (others[int(others.length)] ?? base).slice();
      break;
    case 7: {
      const length = Math.min(base.length, 1 + int(32));
      out = base.slice();
      out.set(randomBytes(length), int(base.length - length + 1));
      break;
    }
    default: {
      // A low-order or out-of-range curve point where a public key goes.
      out = base.slice();
      const point = [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31)), new Uint8Array(32).fill(0xff)][
        int(3)
      ];
      const at = Math.max(1, Math.min(out.length - 32, base[0] === 1 ? out.length - 48 : 1));
      if (point && out.length >= 33) out.set(point, at);
      break;
    }
  }
  let same = out.length === base.length;
  for (let i = 0; same && i < out.length; i++) same = out[i] === base[i];
  return same ? Uint8Array.from([...base, 0]) : out;
}

async function expectRefused(run: () => unknown, codes: Map<string, number>, where: string): Promise<void> {
  try {
    const step = (await run()) as { done?: unknown } | undefined;
    throw new Error(`${where}: a fuzzed message was accepted (${step?.done ? 'handshake completed' : 'step taken'})`);
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
  }
}

type Step =
  | 'extension reads message 1'
  | 'phone reads message 2'
  | 'extension reads message 3'
  | 'phone reads message 4';

const plan: [HandshakeMode, Step, number][] = [
  ['pair', 'extension reads message 1', 2500],
  ['reconnect', 'extension reads message 1', 1000],
  ['pair', 'phone reads message 2', 1500],
  ['pair', 'extension reads message 3', 1500],
  ['reconnect', 'extension reads message 3', 1000],
  ['pair', 'phone reads message 4', 1500],
  ['reconnect', 'phone reads message 4', 1000],
];

describe('handshake fuzzing', () => {
  it('plans 10,000 fuzzed messages', () => {
    expect(plan.reduce((sum, [, , n]) => sum + n, 0)).toBe(10_000);
  });

  for (const [mode, step, rounds] of plan) {
    it(`${mode}: ${step}: ${rounds} fuzzed messages are refused with typed errors`, { timeout: 180_000 }, async () => {
      const t = await genuineTranscript(mode);
      const int = prng(FUZZ_SEED ^ rounds ^ step.length);
      const store = new Store();
      const codes = new Map<string, number>();
      const all = [t.m1, t.m2, t.m3, t.m4];

      for (let round = 0; round < rounds; round++) {
        const where = `${mode}/${step} round ${round} (seed ${FUZZ_SEED})`;
        if (step === 'extension reads message 1') {
          const e = extension(store);
          await expectRefused(() => e.next(mutate(t.m1, all, int)), codes, where);
          await expect(e.next(t.m1)).rejects.toMatchObject({ code: 'bad_state' });
        } else if (step === 'phone reads message 2') {
          const p = phone(mode);
          p.next();
          await expectRefused(() => p.next(mutate(t.m2, all, int)), codes, where);
          expect(() => p.next(t.m2)).toThrow(HandshakeError);
        } else if (step === 'extension reads message 3') {
          const e = extension(store);
          await e.next(t.m1);
          // A genuine message 1 proves the secret and consumes it; the fuzzed message 3 reaches nothing.
          const consumedBefore = store.consumeCalls;
          await expectRefused(() => e.next(mutate(t.m3, all, int)), codes, where);
          expect(store.consumeCalls).toBe(consumedBefore);
          await expect(e.next(t.m3)).rejects.toMatchObject({ code: 'bad_state' });
        } else {
          const p = phone(mode);
          p.next();
          p.next(t.m2);
          await expectRefused(() => p.next(mutate(t.m4, all, int)), codes, where);
          expect(() => p.next(t.m4)).toThrow(HandshakeError);
        }
      }

      // No unauthenticated message reached the store (only each round's genuine message 1 did).
      const genuineFirstMessages = mode === 'pair' && step === 'extension reads message 3' ? rounds : 0;
      expect(store.consumeCalls).toBe(genuineFirstMessages);
      store.used.clear();
      expect(store.lookupCalls).toBe(0);
      expect(codes.get('auth_failed') ?? 0).toBeGreaterThan(0);
      expect(codes.get('bad_message') ?? 0).toBeGreaterThan(0);

      // And the offer and device are still good for a genuine handshake.
      const p = phone(mode);
      const e = extension(store);
      const m2 = need((await e.next(need(p.next().messageOut))).messageOut);
      const last = await e.next(need(p.next(m2).messageOut));
      expect(p.next(need(last.messageOut)).done?.keys.sessionId).toBe(last.done?.keys.sessionId);
    });
  }
});

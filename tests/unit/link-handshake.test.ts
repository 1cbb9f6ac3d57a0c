import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  bindFingerprints,
  canonicalPublicKey,
  createInitiator,
  createOffer,
  createResponder,
  type DeviceRecord,
  fingerprintFromSdp,
  generateStaticKeyPair,
  HandshakeError,
  type InitiatorHandshake,
  type InitiatorSession,
  normalizeFingerprint,
  type PairingOffer,
  type PendingPairing,
  pendingPairingFromOffer,
  type ResponderHandshake,
  type ResponderSession,
  SecureChannel,
  type StaticKeyPair,
} from '../../shared/link/index.ts';
import { SymmetricState } from '../../shared/link/symmetric-state.ts';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

function randomFingerprint(): string {
  const digest = crypto.getRandomValues(new Uint8Array(32));
  return `sha-256 ${[...digest].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
}

/** The extension's stores, in memory, recording every call the handshake makes. */
class ExtensionStore {
  readonly pairings = new Map<string, PendingPairing>();
  readonly usedSecrets = new Set<string>();
  readonly devices = new Map<string, DeviceRecord>();
  readonly consumeCalls: string[] = [];
  readonly lookupCalls: string[] = [];

  show(offer: PairingOffer): void {
    const pending = pendingPairingFromOffer(offer);
    this.pairings.set(pending.secretId, pending);
  }

  callbacks() {
    return {
      findPairing: (secretId: string) => this.pairings.get(secretId),
      consumeSecret: (secretId: string) => {
        this.consumeCalls.push(secretId);
        if (this.usedSecrets.has(secretId)) return false;
        this.usedSecrets.add(secretId);
        return true;
      },
      lookupDevice: async (key: Uint8Array) => {
        this.lookupCalls.push(bytesToHex(key));
        return this.devices.get(bytesToHex(key));
      },
    };
  }
}

interface World {
  extension: StaticKeyPair;
  phone: StaticKeyPair;
  store: ExtensionStore;
  offer: PairingOffer;
  phoneFingerprint: string;
  extensionFingerprint: string;
  clock: { now: number };
}

function world(): World {
  const extension = generateStaticKeyPair();
  const store = new ExtensionStore();
  const offer = createOffer({ extensionPublicKey: extension.publicKey, peerId: 'tandem-ext', now: NOW });
  store.show(offer);
  return {
    extension,
    phone: generateStaticKeyPair(),
    store,
    offer,
    phoneFingerprint: randomFingerprint(),
    extensionFingerprint: randomFingerprint(),
    clock: { now: NOW },
  };
}

function pairingPhone(
  w: World,
  overrides: { local?: string; remote?: string; secret?: Uint8Array; phone?: StaticKeyPair } = {},
) {
  return createInitiator({
    mode: 'pair',
    pairingSecret: overrides.secret ?? w.offer.secret,
    extensionPublicKey: w.offer.extensionPublicKey,
    deviceKeyPair: overrides.phone ?? w.phone,
    deviceName: 'Pixel 8',
    localFingerprint: overrides.local ?? w.phoneFingerprint,
    remoteFingerprint: overrides.remote ?? w.extensionFingerprint,
  });
}

function reconnectingPhone(w: World, phone: StaticKeyPair = w.phone, extensionPublicKey = w.extension.publicKey) {
  return createInitiator({
    mode: 'reconnect',
    extensionPublicKey,
    deviceKeyPair: phone,
    deviceName: 'Pixel 8',
    localFingerprint: w.phoneFingerprint,
    remoteFingerprint: w.extensionFingerprint,
  });
}

function extensionSide(w: World, overrides: { local?: string; remote?: string; keys?: StaticKeyPair } = {}) {
  return createResponder({
    staticKeyPair: overrides.keys ?? w.extension,
    localFingerprint: overrides.local ?? w.extensionFingerprint,
    remoteFingerprint: overrides.remote ?? w.phoneFingerprint,
    now: () => w.clock.now,
    ...w.store.callbacks(),
  });
}

async function runHandshake(
  phone: InitiatorHandshake,
  extension: ResponderHandshake,
): Promise<{ phone: InitiatorSession; extension: ResponderSession }> {
  const m1 = phone.next().messageOut;
  const m2 = (await extension.next(required(m1))).messageOut;
  const m3 = phone.next(required(m2)).messageOut;
  const last = await extension.next(required(m3));
  const end = phone.next(required(last.messageOut));
  return { phone: required(end.done), extension: required(last.done) };
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

async function expectHandshakeError(run: () => unknown, code: HandshakeError['code']): Promise<HandshakeError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).code).toBe(code);
    return error as HandshakeError;
  }
  throw new Error(`expected HandshakeError(${code})`);
}

function expectWorkingChannel(phone: InitiatorSession, extension: ResponderSession): void {
  const phoneChannel = new SecureChannel(phone.keys);
  const extensionChannel = new SecureChannel(extension.keys);
  expect(extensionChannel.open(phoneChannel.seal(utf8ToBytes('hello')))).toEqual(utf8ToBytes('hello'));
  expect(phoneChannel.open(extensionChannel.seal(utf8ToBytes('hi')))).toEqual(utf8ToBytes('hi'));
}

/**
 * A phone written from the protocol description in handshake.ts that can claim one device key
 * while holding another, and (when pairing) name one secret while using another. Each test that
 * uses it also runs it with honest inputs and expects success, so a failure is caused by the
 * missing secret or key, not by a bug in this rogue.
 */
function roguePhone(
  w: World,
  claimedPublicKey: Uint8Array,
  heldSecretKey: Uint8Array,
  pairing?: { secretIdFrom: Uint8Array; psk: Uint8Array },
) {
  const binding = bindFingerprints(w.phoneFingerprint, w.extensionFingerprint);
  const secretId = pairing ? required(createInitiatorMessage1(w, pairing.secretIdFrom)).slice(18, 34) : undefined;
  const mode = pairing ? 1 : 2;
  const state = new SymmetricState(
    pairing ? 'Tandem_XKpsk1_25519_ChaChaPoly_SHA256' : 'Tandem_XK_25519_ChaChaPoly_SHA256',
  );
  state.mixHash(
    concatBytes(utf8ToBytes('tandem-link/v1'), Uint8Array.of(mode), secretId ?? new Uint8Array(0), binding),
  );
  state.mixHash(w.extension.publicKey);
  const ephemeral = generateStaticKeyPair();
  const mixEphemeral = (key: Uint8Array) => {
    state.mixHash(key);
    if (pairing) state.mixKey(key);
  };
  return {
    message1(): Uint8Array {
      mixEphemeral(ephemeral.publicKey);
      state.mixKey(x25519.getSharedSecret(ephemeral.secretKey, w.extension.publicKey));
      if (pairing) state.mixKeyAndHash(pairing.psk);
      const tag = state.encryptAndHash(new Uint8Array(0));
      const header = concatBytes(Uint8Array.of(1, mode), binding.slice(0, 16), secretId ?? new Uint8Array(0));
      return concatBytes(header, ephemeral.publicKey, tag);
    },
    message3(message2: Uint8Array): Uint8Array {
      const responderEphemeral = message2.slice(1, 33);
      mixEphemeral(responderEphemeral);
      state.mixKey(x25519.getSharedSecret(ephemeral.secretKey, responderEphemeral));
      state.decryptAndHash(message2.slice(33));
      const encryptedStatic = state.encryptAndHash(claimedPublicKey);
      state.mixKey(x25519.getSharedSecret(heldSecretKey, responderEphemeral));
      const payload = state.encryptAndHash(utf8ToBytes(JSON.stringify({ deviceName: 'Rogue' })));
      return concatBytes(Uint8Array.of(3), encryptedStatic, payload);
    },
  };
}

describe('first pairing', () => {
  it('gives both sides matching keys and the extension the phone key to store', async () => {
    const w = world();
    const { phone, extension } = await runHandshake(pairingPhone(w), extensionSide(w));

    expect(phone.keys.sendKey).toEqual(extension.keys.receiveKey);
    expect(phone.keys.receiveKey).toEqual(extension.keys.sendKey);
    expect(phone.keys.sendKey).not.toEqual(phone.keys.receiveKey);
    expect(phone.keys.sessionId).toBe(extension.keys.sessionId);
    expect(phone.keys.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(extension.mode).toBe('pair');
    expect(extension.devicePublicKey).toEqual(w.phone.publicKey);
    expect(extension.deviceName).toBe('Pixel 8');
    expect(extension.secretId).toBe(pendingPairingFromOffer(w.offer).secretId);
    expect(phone.extensionPublicKey).toEqual(w.extension.publicKey);
    expect(w.store.consumeCalls).toEqual([extension.secretId]);
    expect(w.store.lookupCalls).toEqual([]);
    expectWorkingChannel(phone, extension);
  });

  it('produces different keys for every session', async () => {
    const w = world();
    const first = await runHandshake(pairingPhone(w), extensionSide(w));
    w.store.devices.set(bytesToHex(w.phone.publicKey), { status: 'active' });
    const second = await runHandshake(reconnectingPhone(w), extensionSide(w));
    expect(second.phone.keys.sendKey).not.toEqual(first.phone.keys.sendKey);
    expect(second.phone.keys.sessionId).not.toBe(first.phone.keys.sessionId);
  });

  it('accepts the same fingerprint spelled differently on each side', async () => {
    const w = world();
    const sloppy = w.phoneFingerprint.replace('sha-256', 'SHA-256').replaceAll(':', '').toLowerCase();
    const sdpLine = `a=fingerprint:${w.extensionFingerprint.toLowerCase()}`;
    const { phone, extension } = await runHandshake(
      pairingPhone(w, { remote: sdpLine }),
      extensionSide(w, { remote: sloppy }),
    );
    expect(phone.keys.sessionId).toBe(extension.keys.sessionId);
  });

  it('refuses a wrong pairing secret before anything is consumed', async () => {
    const w = world();
    const wrong = crypto.getRandomValues(new Uint8Array(32));
    const phone = pairingPhone(w, { secret: wrong });
    await expectHandshakeError(() => extensionSide(w).next(required(phone.next().messageOut)), 'unknown_offer');

    // An attacker who saw the secret id in clear (it is public) and pairs under it with a guess.
    const rogue = roguePhone(w, w.phone.publicKey, w.phone.secretKey, { secretIdFrom: w.offer.secret, psk: wrong });
    await expectHandshakeError(() => extensionSide(w).next(rogue.message1()), 'auth_failed');
    expect(w.store.consumeCalls).toEqual([]);

    const control = roguePhone(w, w.phone.publicKey, w.phone.secretKey, {
      secretIdFrom: w.offer.secret,
      psk: w.offer.secret,
    });
    const extension = extensionSide(w);
    const m2 = required((await extension.next(control.message1())).messageOut);
    expect((await extension.next(control.message3(m2))).done?.mode).toBe('pair');
  });

  it('refuses an expired offer', async () => {
    const w = world();
    w.clock.now = w.offer.expiresAt;
    const error = await expectHandshakeError(
      () => extensionSide(w).next(required(pairingPhone(w).next().messageOut)),
      'expired_offer',
    );
    expect(error.message).toMatch(/new QR code/);
    expect(w.store.consumeCalls).toEqual([]);
  });

  it('tells the phone when the offer expired during the handshake', async () => {
    const w = world();
    const phone = pairingPhone(w);
    const extension = extensionSide(w);
    const m2 = required((await extension.next(required(phone.next().messageOut))).messageOut);
    const m3 = required(phone.next(m2).messageOut);
    w.clock.now = w.offer.expiresAt + 1;
    const rejection = await expectHandshakeError(() => extension.next(m3), 'expired_offer');
    const seen = await expectHandshakeError(() => phone.next(required(rejection.reply)), 'expired_offer');
    expect(seen.fromPeer).toBe(true);
    // Message 1 (before the expiry) used the code up: the first attempt consumes it.
    expect(w.store.consumeCalls).toHaveLength(1);
  });

  it('refuses a second pairing with the same secret and tells the phone why', async () => {
    const w = world();
    await runHandshake(pairingPhone(w), extensionSide(w));

    const intruder = generateStaticKeyPair();
    const phone = pairingPhone(w, { phone: intruder });
    const extension = extensionSide(w);
    const m2 = required((await extension.next(required(phone.next().messageOut))).messageOut);
    const rejection = await expectHandshakeError(
      async () => extension.next(required(phone.next(m2).messageOut)),
      'secret_used',
    );
    expect(rejection.reply).toBeInstanceOf(Uint8Array);
    const seen = await expectHandshakeError(() => phone.next(required(rejection.reply)), 'secret_used');
    expect(seen.fromPeer).toBe(true);
    expect(w.store.consumeCalls).toHaveLength(2);
  });

  it('lets only one of two racing phones pair with one secret', async () => {
    const w = world();
    const phones = [pairingPhone(w), pairingPhone(w, { phone: generateStaticKeyPair() })];
    const extensions = [extensionSide(w), extensionSide(w)];
    const m3s: Uint8Array[] = [];
    for (const [i, phone] of phones.entries()) {
      const m2 = required((await required(extensions[i]).next(required(phone.next().messageOut))).messageOut);
      m3s.push(required(phone.next(m2).messageOut));
    }
    const results = await Promise.allSettled(extensions.map((extension, i) => extension.next(required(m3s[i]))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: 'secret_used' });
  });
});

describe('a QR code seen twice (camera app, browser history)', () => {
  it('is consumed by the first handshake attempt, even one that never finishes', async () => {
    const w = world();
    // The first phone proves the secret (message 1) and then vanishes before identifying itself.
    const first = pairingPhone(w);
    const firstExtension = extensionSide(w);
    required((await firstExtension.next(required(first.next().messageOut))).messageOut);

    // Whoever tries the same code later (a second reading of the history entry) is refused.
    const later = pairingPhone(w, { phone: generateStaticKeyPair() });
    const extension = extensionSide(w);
    const m2 = required((await extension.next(required(later.next().messageOut))).messageOut);
    await expectHandshakeError(() => extension.next(required(later.next(m2).messageOut)), 'secret_used');
  });

  it('is not consumed by someone who does not hold the secret', async () => {
    const w = world();
    // The right offer's id, with a guessed secret: the tag fails before anything is consumed.
    const rogue = roguePhone(w, w.phone.publicKey, w.phone.secretKey, {
      secretIdFrom: w.offer.secret,
      psk: crypto.getRandomValues(new Uint8Array(32)),
    });
    await expectHandshakeError(() => extensionSide(w).next(rogue.message1()), 'auth_failed');
    expect(w.store.consumeCalls).toHaveLength(0);
    await runHandshake(pairingPhone(w), extensionSide(w));
  });
});

describe('canonical device keys', () => {
  it('treats a device key with bit 255 set as the same device', async () => {
    const w = world();
    const { extension: done } = await runHandshake(pairingPhone(w), extensionSide(w));
    w.store.devices.set(bytesToHex(done.devicePublicKey), { status: 'active' });

    // X25519 ignores bit 255: the same private key works with the flipped public key.
    const flipped = w.phone.publicKey.slice();
    flipped[31] = (flipped[31] ?? 0) | 0x80;
    const rogue = roguePhone(w, flipped, w.phone.secretKey);
    const target = extensionSide(w);
    const m2 = required((await target.next(rogue.message1())).messageOut);
    const accepted = await target.next(rogue.message3(m2));
    expect(accepted.done?.devicePublicKey).toEqual(w.phone.publicKey);
    expect(w.store.lookupCalls.at(-1)).toBe(bytesToHex(w.phone.publicKey));
  });

  it('reduces every encoding of a key to one', () => {
    const key = generateStaticKeyPair().publicKey;
    const flipped = key.slice();
    flipped[31] = (flipped[31] ?? 0) ^ 0x80;
    expect(canonicalPublicKey(flipped)).toEqual(canonicalPublicKey(key));
    expect(canonicalPublicKey(key)).toEqual(key);
    // u = p + 2 (p = 2^255 - 19) is the same point as u = 2.
    const pPlus2 = new Uint8Array(32).fill(0xff);
    pPlus2[0] = 0xed + 2;
    pPlus2[31] = 0x7f;
    const two = new Uint8Array(32);
    two[0] = 2;
    expect(canonicalPublicKey(pPlus2)).toEqual(two);
  });
});

/** A genuine message 1, for its secret id (bytes 18..34). */
function createInitiatorMessage1(w: World, secret: Uint8Array = w.offer.secret): Uint8Array | undefined {
  return pairingPhone(w, { secret }).next().messageOut;
}

describe('a signaling server in the middle', () => {
  // The server replaces each side's view of the other's certificate with its own, so each DTLS
  // connection ends at the attacker, who relays handshake messages between them.
  function swapped(w: World) {
    const towardPhone = randomFingerprint();
    const towardExtension = randomFingerprint();
    return {
      phone: pairingPhone(w, { remote: towardPhone }),
      extension: extensionSide(w, { remote: towardExtension }),
      towardPhone,
      towardExtension,
    };
  }

  it('is detected by the extension on the first message and nothing is accepted', async () => {
    const w = world();
    const { phone, extension } = swapped(w);
    const m1 = required(phone.next().messageOut);
    const error = await expectHandshakeError(() => extension.next(m1), 'fingerprint_mismatch');
    expect(error.reply).toBeUndefined();
    await expectHandshakeError(() => extension.next(m1), 'bad_state');
    expect(w.store.consumeCalls).toEqual([]);
  });

  it('still fails when the attacker rewrites the diagnostic fingerprint check', async () => {
    const w = world();
    const { phone, extension, towardExtension } = swapped(w);
    const m1 = required(phone.next().messageOut);
    const forged = m1.slice();
    forged.set(bindFingerprints(towardExtension, w.extensionFingerprint).slice(0, 16), 2);
    await expectHandshakeError(() => extension.next(forged), 'auth_failed');
    expect(w.store.consumeCalls).toEqual([]);
  });

  it('cannot answer the phone in place of the extension, even knowing the QR code', async () => {
    const w = world();
    const { phone, towardPhone } = swapped(w);
    // The attacker answers the phone itself: its own static key, the stolen secret, its own view
    // of the fingerprints matching the phone's, so only the extension's private key is missing.
    const attackerKeys = generateStaticKeyPair();
    const attackerStore = new ExtensionStore();
    attackerStore.show(w.offer);
    const attacker = createResponder({
      staticKeyPair: attackerKeys,
      localFingerprint: towardPhone,
      remoteFingerprint: w.phoneFingerprint,
      now: () => NOW,
      ...attackerStore.callbacks(),
    });
    const m1 = required(phone.next().messageOut);
    await expectHandshakeError(() => attacker.next(m1), 'auth_failed');

    // Nor by sending the phone any message 2 of its own making.
    const fakeM2 = concatBytes(Uint8Array.of(2), generateStaticKeyPair().publicKey, new Uint8Array(16));
    await expectHandshakeError(() => phone.next(fakeM2), 'auth_failed');
    await expectHandshakeError(() => phone.next(fakeM2), 'bad_state');
  });

  it('fails when only one side sees a substituted fingerprint', async () => {
    const w = world();
    const phone = pairingPhone(w);
    const extension = extensionSide(w, { remote: randomFingerprint() });
    await expectHandshakeError(() => extension.next(required(phone.next().messageOut)), 'fingerprint_mismatch');
  });

  it('cannot downgrade a pairing to a reconnect or alter the header', async () => {
    const w = world();
    const m1 = required(pairingPhone(w).next().messageOut);
    const downgraded = concatBytes(Uint8Array.of(1, 2), m1.slice(2, 18), m1.slice(34));
    await expectHandshakeError(() => extensionSide(w).next(downgraded), 'auth_failed');
    const otherId = m1.slice();
    otherId[20] = (otherId[20] ?? 0) ^ 1;
    await expectHandshakeError(() => extensionSide(w).next(otherId), 'unknown_offer');
  });
});

describe('reconnect without a QR code', () => {
  async function paired(): Promise<World> {
    const w = world();
    const { extension } = await runHandshake(pairingPhone(w), extensionSide(w));
    w.store.devices.set(bytesToHex(extension.devicePublicKey), { status: 'active' });
    w.store.consumeCalls.length = 0;
    return w;
  }

  it('authenticates both long-term keys and yields matching session keys', async () => {
    const w = await paired();
    const { phone, extension } = await runHandshake(reconnectingPhone(w), extensionSide(w));
    expect(extension.mode).toBe('reconnect');
    expect(extension.devicePublicKey).toEqual(w.phone.publicKey);
    expect(extension.secretId).toBeUndefined();
    expect(w.store.lookupCalls).toEqual([bytesToHex(w.phone.publicKey)]);
    expect(w.store.consumeCalls).toEqual([]);
    expectWorkingChannel(phone, extension);
  });

  it('refuses a revoked device and tells the phone', async () => {
    const w = await paired();
    w.store.devices.set(bytesToHex(w.phone.publicKey), { status: 'revoked' });
    const phone = reconnectingPhone(w);
    const extension = extensionSide(w);
    const m2 = required((await extension.next(required(phone.next().messageOut))).messageOut);
    const rejection = await expectHandshakeError(
      () => extension.next(required(phone.next(m2).messageOut)),
      'revoked_device',
    );
    const seen = await expectHandshakeError(() => phone.next(required(rejection.reply)), 'revoked_device');
    expect(seen.message).toMatch(/removed/);
  });

  it('refuses an unknown device', async () => {
    const w = await paired();
    const stranger = generateStaticKeyPair();
    const phone = reconnectingPhone(w, stranger);
    const extension = extensionSide(w);
    const m2 = required((await extension.next(required(phone.next().messageOut))).messageOut);
    const rejection = await expectHandshakeError(
      () => extension.next(required(phone.next(m2).messageOut)),
      'unknown_device',
    );
    await expectHandshakeError(() => phone.next(required(rejection.reply)), 'unknown_device');
  });

  it('fails when the extension identity is not the one the phone stored', async () => {
    const w = await paired();
    const impostor = generateStaticKeyPair();
    const phone = reconnectingPhone(w);
    await expectHandshakeError(
      () => extensionSide(w, { keys: impostor }).next(required(phone.next().messageOut)),
      'auth_failed',
    );
  });

  it('refuses an attacker who has the QR code but not the device key', async () => {
    const w = await paired();

    // The used QR code no longer pairs.
    const withQr = pairingPhone(w, { phone: generateStaticKeyPair() });
    const extension = extensionSide(w);
    const m2 = required((await extension.next(required(withQr.next().messageOut))).messageOut);
    await expectHandshakeError(() => extension.next(required(withQr.next(m2).messageOut)), 'secret_used');

    // Claiming the real device's public key without its private key fails authentication; the
    // same rogue with the real key succeeds, so it is the key that is missing, not the protocol.
    const attackerKey = generateStaticKeyPair().secretKey;
    const lookupsBefore = w.store.lookupCalls.length;
    const rogue = roguePhone(w, w.phone.publicKey, attackerKey);
    const target = extensionSide(w);
    const rogueM2 = required((await target.next(rogue.message1())).messageOut);
    await expectHandshakeError(() => target.next(rogue.message3(rogueM2)), 'auth_failed');
    expect(w.store.lookupCalls.length).toBe(lookupsBefore);

    const control = roguePhone(w, w.phone.publicKey, w.phone.secretKey);
    const controlTarget = extensionSide(w);
    const controlM2 = required((await controlTarget.next(control.message1())).messageOut);
    const accepted = await controlTarget.next(control.message3(controlM2));
    expect(accepted.done?.devicePublicKey).toEqual(w.phone.publicKey);
  });

  it('refuses a replayed identity message in a new handshake', async () => {
    const w = await paired();
    const phone = reconnectingPhone(w);
    const extension = extensionSide(w);
    const m1 = required(phone.next().messageOut);
    const m2 = required((await extension.next(m1)).messageOut);
    const m3 = required(phone.next(m2).messageOut);
    await extension.next(m3);

    const replayTarget = extensionSide(w);
    await replayTarget.next(m1);
    await expectHandshakeError(() => replayTarget.next(m3), 'auth_failed');
  });
});

describe('state machine', () => {
  it('refuses out-of-turn calls and anything after completion or failure', async () => {
    const w = world();
    const phone = pairingPhone(w);
    await expectHandshakeError(() => phone.next(new Uint8Array(10)), 'bad_state');
    await expectHandshakeError(() => phone.next(), 'bad_state');

    const phone2 = pairingPhone(w);
    const extension = extensionSide(w);
    const m1 = required(phone2.next().messageOut);
    const busy = extension.next(m1);
    await expectHandshakeError(() => extension.next(m1), 'bad_state');
    await busy;

    const done = world();
    const p = pairingPhone(done);
    const e = extensionSide(done);
    await runHandshake(p, e);
    await expectHandshakeError(() => p.next(new Uint8Array(18)), 'bad_state');
    await expectHandshakeError(() => e.next(new Uint8Array(18)), 'bad_state');
  });

  it('passes errors from the extension store through unchanged', async () => {
    const w = world();
    const failure = new Error('IndexedDB is closed');
    const extension = createResponder({
      staticKeyPair: w.extension,
      localFingerprint: w.extensionFingerprint,
      remoteFingerprint: w.phoneFingerprint,
      findPairing: () => {
        throw failure;
      },
      consumeSecret: () => true,
      lookupDevice: () => undefined,
    });
    await expect(extension.next(required(pairingPhone(w).next().messageOut))).rejects.toBe(failure);
  });

  it('validates its options', () => {
    const w = world();
    expect(() => pairingPhone(w, { secret: new Uint8Array(16) })).toThrow(RangeError);
    expect(() => pairingPhone(w, { phone: { ...w.phone, publicKey: w.extension.publicKey } })).toThrow(RangeError);
    expect(() => pairingPhone(w, { local: 'sha-1 AA:BB' })).toThrow(HandshakeError);
    expect(() =>
      createInitiator({
        mode: 'reconnect',
        extensionPublicKey: w.extension.publicKey,
        deviceKeyPair: w.phone,
        deviceName: 'evil\u202Eemanelif',
        localFingerprint: w.phoneFingerprint,
        remoteFingerprint: w.extensionFingerprint,
      }),
    ).toThrow(RangeError);
  });
});

describe('fingerprints', () => {
  it('normalises case, colons and the SDP prefix', () => {
    const canonical = normalizeFingerprint(`sha-256 ${'ab:'.repeat(31)}ab`);
    expect(canonical).toBe(`sha-256 ${'AB:'.repeat(31)}AB`);
    expect(normalizeFingerprint(`a=fingerprint:SHA-256 ${'ab'.repeat(32)}`)).toBe(canonical);
    for (const bad of [
      '',
      'sha-256',
      `sha-1 ${'AB:'.repeat(19)}AB`,
      `sha-256 ${'AB:'.repeat(30)}AB`,
      `sha-256 ${'A:B'.repeat(32)}`,
    ]) {
      expect(() => normalizeFingerprint(bad)).toThrow(HandshakeError);
    }
  });

  it('reads the fingerprint from an SDP and refuses ambiguous ones', () => {
    const fp = randomFingerprint();
    const sdp = [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      `a=fingerprint:${fp}`,
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      `a=fingerprint:${fp}`,
      '',
    ].join('\r\n');
    expect(fingerprintFromSdp(sdp)).toBe(fp);
    expect(() => fingerprintFromSdp('v=0\r\n')).toThrow(HandshakeError);
    expect(() => fingerprintFromSdp(`a=fingerprint:${fp}\na=fingerprint:${randomFingerprint()}`)).toThrow(
      HandshakeError,
    );
  });

  it('refuses an SDP that lists a second algorithm beside the certificate it uses', () => {
    // Firefox accepts DTLS if ANY listed fingerprint matches: a signaling server that adds its own
    // SHA-384 line next to the peer's SHA-256 must not get a binding of only one of them.
    const fp = randomFingerprint();
    const extra = `sha-384 ${[...crypto.getRandomValues(new Uint8Array(48))].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
    const sdp = [
      'v=0',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      `a=fingerprint:${fp}`,
      `a=fingerprint:${extra}`,
      '',
    ];
    expect(() => fingerprintFromSdp(sdp.join('\r\n'))).toThrow(/several/);
    expect(() => fingerprintFromSdp(`a=fingerprint:${extra}\r\na=fingerprint:${fp}`)).toThrow(HandshakeError);
    // One certificate repeated (session and media level) is one fingerprint.
    expect(fingerprintFromSdp(`a=fingerprint:${extra}\r\na=fingerprint:${extra.toLowerCase()}`)).toBe(extra);
  });
});

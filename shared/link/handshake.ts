/**
 * Mutual authentication of the phone (initiator) and the extension (responder) over a WebRTC data
 * channel whose signaling server is untrusted.
 *
 * The pattern is Noise XK (the phone knows the extension's static key in advance: from the QR code
 * when pairing, from its own storage when reconnecting), with the pairing secret mixed in as a PSK
 * at the end of the first message when pairing (Noise_XKpsk1_25519_ChaChaPoly_SHA256), plus a
 * fourth "verdict" message so the phone learns whether the extension accepted it. SymmetricState
 * (see symmetric-state.ts) carries the transcript; every tag below is an AEAD tag over an empty or
 * small payload with the whole transcript so far as associated data, so it is a MAC of everything.
 *
 * Notation: I = phone, R = extension; s = static key, e = ephemeral key; es = DH(e_I, s_R),
 * ee = DH(e_I, e_R), se = DH(s_I, e_R); psk = pairing secret from the QR code.
 *
 *   prologue = "tandem-link/v1" | mode | secretId (pair only) | H(phone DTLS fp, extension DTLS fp)
 *   pre-message: s_R (the phone already has it)
 *
 *   1. I → R   0x01 | mode | fpCheck | secretId (pair) | e_I | tag        tokens: e, es, (psk)
 *   2. R → I   0x02 | e_R | tag                                           tokens: e, ee
 *   3. I → R   0x03 | encrypted s_I | encrypted {deviceName}              tokens: s, se
 *   4. R → I   0x04 | encrypted verdict (accepted, or why not)
 *
 * Why each element is there, and what it stops:
 * - Both DTLS fingerprints in the prologue: each side takes them from its own local and remote SDP.
 *   A signaling server that swapped the `a=fingerprint` lines to sit in the middle of DTLS leaves
 *   the two sides with different prologues, so the tag of message 1 fails at the extension and the
 *   phone never gets a valid message 2: the man in the middle gets nothing to relay. Once the
 *   handshake succeeds, the DTLS channel is known to end at the authenticated peer.
 * - fpCheck (first 16 bytes of the fingerprint hash, in clear): diagnostics only, so a naive
 *   swap is reported as `fingerprint_mismatch` rather than a generic failure. Rewriting it gains
 *   the attacker nothing: the prologue still differs and the tag fails (`auth_failed`).
 * - mode and secretId in the prologue: they travel in clear so the extension knows which keys to
 *   use, and the prologue makes any change to them break the tag (no downgrade from pairing to
 *   reconnect or the reverse). secretId is a one-way hash of the secret and reveals nothing.
 * - es (message 1) and the pre-known s_R: only the holder of the extension's static private key can
 *   compute es, so only the real extension can produce message 2's tag. A signaling server that
 *   answers in the extension's place (PeerJS ids have been hijackable) fails here, as does an
 *   extension whose identity key changed since pairing.
 * - psk (pairing only): message 1's tag proves the phone scanned the QR code; message 2's tag
 *   proves the extension created it. Someone who only knows the extension's public key (it is in
 *   every old QR code) cannot pair.
 * - e_I, e_R and ee: fresh keys on both sides give forward secrecy (a later theft of static keys
 *   does not decrypt recorded sessions) and make every transcript unique, so recorded messages
 *   cannot be replayed into a new handshake.
 * - s_I encrypted in message 3: the phone's long-term key is hidden from everyone but the
 *   authenticated extension (XK's identity hiding).
 * - se (message 3): proves the phone holds the device private key, bound to this handshake's fresh
 *   e_R, so it cannot be replayed and it holds even if the extension's static key leaked (no key
 *   compromise impersonation of phones). Someone with the QR code but not the device key cannot
 *   reconnect; someone with only a device's public key cannot either.
 * - Authorisation after authentication: the extension consumes the single-use secret (pairing)
 *   as soon as message 1's tag proves the phone holds it, so the first attempt uses the code up
 *   whatever happens next (a second reading of the same code, from a camera app's history entry,
 *   is refused), while no one without the secret can burn it; it looks up the device (reconnect)
 *   only once message 3 has verified, so a replayed or forged message never reaches the store.
 *   Either refusal is told to the phone only in message 4, authenticated.
 * - Message 4: the phone is told the outcome under the handshake keys, so a forged "accepted" or
 *   "revoked" cannot be injected, and the phone does not believe it paired when the secret had
 *   already been used by someone else.
 *
 * Each side is a small state machine. Any failure is final (the machine refuses further input,
 * like Noise's "delete the HandshakeState"): on an ordered, reliable channel a bad message means
 * a broken or hostile peer, and giving it more tries would only give it an oracle. The caller
 * closes the connection; the phone starts a new handshake on a new connection.
 */

import { equalBytes } from '@noble/ciphers/utils.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod/mini';
import { HandshakeError, type HandshakeErrorCode } from './errors.ts';
import { bindFingerprints } from './fingerprint.ts';
import {
  PAIRING_SECRET_BYTES,
  type PendingPairing,
  PUBLIC_KEY_BYTES,
  pairingSecretId,
  secretIdBytes,
} from './pairing-offer.ts';
import { type RandomBytes, secureRandomBytes } from './random.ts';
import { AEAD_TAG_BYTES, SymmetricState, TagMismatch } from './symmetric-state.ts';
import { x25519 } from './x25519.ts';

export type HandshakeMode = 'pair' | 'reconnect';

export interface StaticKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** Keys for the secure channel, from the point of view of the side that holds them. */
export interface SessionKeys {
  sendKey: Uint8Array;
  receiveKey: Uint8Array;
  /** Hex of the first 16 bytes of the handshake hash: identical on both sides, unique per session. */
  sessionId: string;
  /** The full transcript hash, for channel binding. */
  handshakeHash: Uint8Array;
}

export interface InitiatorSession {
  mode: HandshakeMode;
  keys: SessionKeys;
  /** The extension's static key the phone authenticated (store it after pairing). */
  extensionPublicKey: Uint8Array;
}

export interface ResponderSession {
  mode: HandshakeMode;
  keys: SessionKeys;
  /** The phone's long-term key, proven held by the phone (store it after pairing). */
  devicePublicKey: Uint8Array;
  deviceName: string;
  /** The consumed pairing secret's id (pairing only). */
  secretId?: string;
}

export interface HandshakeStep<Done> {
  /** Send this to the peer, if present. */
  messageOut?: Uint8Array;
  /** Present once the handshake is complete. */
  done?: Done;
}

export interface DeviceRecord {
  status: 'active' | 'revoked';
}

type MaybePromise<T> = T | Promise<T>;

interface InitiatorCommonOptions {
  /** The phone's long-term key; a new one for a first pairing. */
  deviceKeyPair: StaticKeyPair;
  /** Shown in the extension's device list. */
  deviceName: string;
  /** The extension's static key: from the QR code when pairing, from storage when reconnecting. */
  extensionPublicKey: Uint8Array;
  /** From the phone's local SDP (`a=fingerprint:...`). */
  localFingerprint: string;
  /** From the remote SDP, as received through signaling. */
  remoteFingerprint: string;
  randomBytes?: RandomBytes;
}

export type InitiatorOptions = InitiatorCommonOptions &
  ({ mode: 'pair'; pairingSecret: Uint8Array } | { mode: 'reconnect' });

export interface ResponderOptions {
  /** The extension's long-term identity key. */
  staticKeyPair: StaticKeyPair;
  /** From the extension's local SDP. */
  localFingerprint: string;
  /** From the remote SDP, as received through signaling. */
  remoteFingerprint: string;
  /**
   * The offer currently shown under this secret id, if any (expired ones included). Called on the
   * phone's first, not yet authenticated message (the secret is needed to check it), so it must be
   * a read-only lookup.
   */
  findPairing(secretId: string): MaybePromise<PendingPairing | undefined>;
  /**
   * Atomically marks the secret used; false if it already was. Called once per attempt, as soon as
   * the phone has proven it holds the secret (message 1), before it identifies itself.
   */
  consumeSecret(secretId: string): MaybePromise<boolean>;
  /** The stored device with this public key, if any. Called only after the phone proved holding it. */
  lookupDevice(devicePublicKey: Uint8Array): MaybePromise<DeviceRecord | undefined>;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  now?: () => number;
  randomBytes?: RandomBytes;
}

export interface InitiatorHandshake {
  readonly mode: HandshakeMode;
  /**
   * First call without input: returns message 1. Then pass each message from the extension.
   * Throws `HandshakeError`; after a throw the handshake is dead.
   */
  next(messageIn?: Uint8Array): HandshakeStep<InitiatorSession>;
}

export interface ResponderHandshake {
  /**
   * Pass each message from the phone. Throws `HandshakeError`; after a throw the handshake is dead.
   * A rejection after the phone authenticated carries `reply` to send before closing. Errors thrown
   * by the store callbacks propagate unchanged.
   */
  next(messageIn: Uint8Array): Promise<HandshakeStep<ResponderSession>>;
}

const PROLOGUE_LABEL = utf8ToBytes('tandem-link/v1');
const PROTOCOL_NAMES: Record<HandshakeMode, string> = {
  pair: 'Tandem_XKpsk1_25519_ChaChaPoly_SHA256',
  reconnect: 'Tandem_XK_25519_ChaChaPoly_SHA256',
};
const MODE_BYTES: Record<HandshakeMode, number> = { pair: 1, reconnect: 2 };

const MESSAGE_1 = 0x01;
const MESSAGE_2 = 0x02;
const MESSAGE_3 = 0x03;
const MESSAGE_4 = 0x04;
const FINGERPRINT_CHECK_BYTES = 16;
const SECRET_ID_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds message 3 before any work: a device name and a little JSON fit many times over. */
const MAX_PAYLOAD_BYTES = 512;

/** Outcomes message 4 can carry. Only codes for decisions taken after authentication. */
const VERDICTS: readonly (HandshakeErrorCode | 'accepted')[] = [
  'accepted',
  'unknown_device',
  'revoked_device',
  'secret_used',
  'expired_offer',
];

/** Names are shown in the extension's device list: no control or bidirectional-override characters. */
const deviceNameSchema = z.string().check(
  z.trim(),
  z.minLength(1),
  z.maxLength(64),
  z.refine((name) => !/[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(name), 'control characters'),
);

/** Message 3's encrypted payload. Unknown fields are ignored, so later versions can add some. */
const identityPayloadSchema = z.object({ deviceName: deviceNameSchema });

export function generateStaticKeyPair(randomBytes: RandomBytes = secureRandomBytes): StaticKeyPair {
  const secretKey = randomBytes(KEY_BYTES);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

const CURVE25519_P = (1n << 255n) - 19n;

/**
 * The one encoding of an X25519 public key: bit 255 cleared and the value reduced mod p. X25519
 * ignores bit 255 and reduces u mod p (RFC 7748 §5), so up to four byte strings name the same key;
 * stored and compared raw, one phone could pair as two device records and survive the revocation
 * of one. Every device key is canonicalised before it is stored, looked up or reported.
 */
export function canonicalPublicKey(publicKey: Uint8Array): Uint8Array {
  let u = 0n;
  for (let i = publicKey.length - 1; i >= 0; i--) u = (u << 8n) | BigInt(publicKey[i] ?? 0);
  u &= (1n << 255n) - 1n;
  if (u >= CURVE25519_P) u -= CURVE25519_P;
  const out = new Uint8Array(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** The phone's side. Throws `RangeError` for invalid options, `HandshakeError` for unusable fingerprints. */
export function createInitiator(options: InitiatorOptions): InitiatorHandshake {
  return new Initiator(options);
}

/** The extension's side. Throws `RangeError` for invalid options, `HandshakeError` for unusable fingerprints. */
export function createResponder(options: ResponderOptions): ResponderHandshake {
  return new Responder(options);
}

type InitiatorPhase = 'start' | 'awaiting_response' | 'awaiting_verdict' | 'done' | 'failed';

class Initiator implements InitiatorHandshake {
  readonly mode: HandshakeMode;
  // Copies, so a caller mutating its options object mid-handshake cannot change what is proven.
  readonly #deviceKeyPair: StaticKeyPair;
  readonly #deviceName: string;
  readonly #extensionPublicKey: Uint8Array;
  readonly #pairingSecret: Uint8Array | undefined;
  readonly #random: RandomBytes;
  readonly #fingerprintBinding: Uint8Array;
  readonly #secretId: Uint8Array | undefined;
  readonly #state: SymmetricState;
  #phase: InitiatorPhase = 'start';
  #ephemeral: StaticKeyPair | undefined;

  constructor(options: InitiatorOptions) {
    assertKeyPair(options.deviceKeyPair, 'deviceKeyPair');
    assertLength(options.extensionPublicKey, PUBLIC_KEY_BYTES, 'extensionPublicKey');
    if (!deviceNameSchema.safeParse(options.deviceName).success) {
      throw new RangeError('deviceName must be 1 to 64 characters without control characters.');
    }
    if (options.mode === 'pair') assertLength(options.pairingSecret, PAIRING_SECRET_BYTES, 'pairingSecret');
    this.mode = options.mode;
    this.#deviceKeyPair = copyKeyPair(options.deviceKeyPair);
    this.#deviceName = options.deviceName.trim();
    this.#extensionPublicKey = options.extensionPublicKey.slice();
    this.#pairingSecret = options.mode === 'pair' ? options.pairingSecret.slice() : undefined;
    this.#random = options.randomBytes ?? secureRandomBytes;
    this.#fingerprintBinding = bindFingerprints(options.localFingerprint, options.remoteFingerprint);
    this.#secretId = this.#pairingSecret ? secretIdBytes(this.#pairingSecret) : undefined;
    this.#state = initialState(this.mode, this.#secretId, this.#fingerprintBinding, this.#extensionPublicKey);
  }

  next(messageIn?: Uint8Array): HandshakeStep<InitiatorSession> {
    const phase = this.#phase;
    if (phase === 'done' || phase === 'failed') throw badState(phase);
    if ((phase === 'start') !== (messageIn === undefined)) {
      this.#phase = 'failed';
      throw new HandshakeError('bad_state', phase === 'start' ? 'The phone speaks first.' : 'Expected a message.');
    }
    try {
      if (phase === 'start') return this.#writeMessage1();
      if (phase === 'awaiting_response') return this.#readMessage2(messageIn ?? new Uint8Array(0));
      return this.#readMessage4(messageIn ?? new Uint8Array(0));
    } catch (error) {
      this.#phase = 'failed';
      throw asHandshakeError(error);
    }
  }

  #writeMessage1(): HandshakeStep<InitiatorSession> {
    const ephemeral = generateStaticKeyPair(this.#random);
    this.#ephemeral = ephemeral;
    mixEphemeral(this.#state, this.mode, ephemeral.publicKey);
    this.#state.mixKey(diffieHellman(ephemeral.secretKey, this.#extensionPublicKey, 'the extension key'));
    if (this.#pairingSecret) this.#state.mixKeyAndHash(this.#pairingSecret);
    const tag = this.#state.encryptAndHash(new Uint8Array(0));
    this.#phase = 'awaiting_response';
    const header = Uint8Array.of(MESSAGE_1, MODE_BYTES[this.mode]);
    const fingerprintCheck = this.#fingerprintBinding.slice(0, FINGERPRINT_CHECK_BYTES);
    return {
      messageOut: concatBytes(header, fingerprintCheck, this.#secretId ?? new Uint8Array(0), ephemeral.publicKey, tag),
    };
  }

  #readMessage2(message: Uint8Array): HandshakeStep<InitiatorSession> {
    const ephemeral = this.#ephemeral;
    if (!ephemeral) throw badState('start');
    expectMessage(message, MESSAGE_2, 1 + KEY_BYTES + AEAD_TAG_BYTES);
    const responderEphemeral = message.slice(1, 1 + KEY_BYTES);
    mixEphemeral(this.#state, this.mode, responderEphemeral);
    this.#state.mixKey(diffieHellman(ephemeral.secretKey, responderEphemeral, "the extension's ephemeral key"));
    decrypt(
      this.#state,
      message.slice(1 + KEY_BYTES),
      this.mode === 'pair'
        ? 'The extension could not prove it created this QR code: a different device answered, or the connection was intercepted. Pair again from the side panel.'
        : 'The extension could not prove its identity: a different device answered, or the connection was intercepted.',
    );

    const encryptedStatic = this.#state.encryptAndHash(this.#deviceKeyPair.publicKey);
    this.#state.mixKey(
      diffieHellman(this.#deviceKeyPair.secretKey, responderEphemeral, "the extension's ephemeral key"),
    );
    const payload = this.#state.encryptAndHash(utf8ToBytes(JSON.stringify({ deviceName: this.#deviceName })));
    this.#phase = 'awaiting_verdict';
    return { messageOut: concatBytes(Uint8Array.of(MESSAGE_3), encryptedStatic, payload) };
  }

  #readMessage4(message: Uint8Array): HandshakeStep<InitiatorSession> {
    expectMessage(message, MESSAGE_4, 1 + 1 + AEAD_TAG_BYTES);
    const [verdictByte] = decrypt(this.#state, message.slice(1), 'The reply to the phone was not authentic.');
    const verdict = VERDICTS[verdictByte ?? 0xff];
    if (verdict === undefined) throw new HandshakeError('bad_message', 'The extension sent an unknown verdict.');
    if (verdict !== 'accepted') {
      throw new HandshakeError(verdict, rejectionMessage(verdict), { fromPeer: true });
    }
    this.#phase = 'done';
    const [initiatorToResponder, responderToInitiator] = this.#state.split();
    return {
      done: {
        mode: this.mode,
        keys: sessionKeys(this.#state, initiatorToResponder, responderToInitiator),
        extensionPublicKey: this.#extensionPublicKey.slice(),
      },
    };
  }
}

type ResponderPhase = 'awaiting_hello' | 'busy' | 'awaiting_identity' | 'done' | 'failed';

interface ResponderHandshakeContext {
  mode: HandshakeMode;
  state: SymmetricState;
  ephemeral: StaticKeyPair;
  pairing: PendingPairing | undefined;
  /** Pairing: whether this attempt's message 1 was the one that consumed the secret. */
  consumed: boolean;
}

class Responder implements ResponderHandshake {
  readonly #options: ResponderOptions;
  readonly #staticKeyPair: StaticKeyPair;
  readonly #random: RandomBytes;
  readonly #now: () => number;
  readonly #fingerprintBinding: Uint8Array;
  #phase: ResponderPhase = 'awaiting_hello';
  #context: ResponderHandshakeContext | undefined;

  constructor(options: ResponderOptions) {
    assertKeyPair(options.staticKeyPair, 'staticKeyPair');
    this.#options = options;
    this.#staticKeyPair = copyKeyPair(options.staticKeyPair);
    this.#random = options.randomBytes ?? secureRandomBytes;
    this.#now = options.now ?? Date.now;
    // Role order, not local/remote order: the phone's certificate is always first.
    this.#fingerprintBinding = bindFingerprints(options.remoteFingerprint, options.localFingerprint);
  }

  async next(messageIn: Uint8Array): Promise<HandshakeStep<ResponderSession>> {
    const phase = this.#phase;
    if (phase !== 'awaiting_hello' && phase !== 'awaiting_identity') throw badState(phase);
    this.#phase = 'busy';
    try {
      const step =
        phase === 'awaiting_hello' ? await this.#readMessage1(messageIn) : await this.#readMessage3(messageIn);
      this.#phase = step.done ? 'done' : 'awaiting_identity';
      return step;
    } catch (error) {
      this.#phase = 'failed';
      if (error instanceof StoreFailure) throw error.cause;
      throw asHandshakeError(error);
    }
  }

  async #readMessage1(message: Uint8Array): Promise<HandshakeStep<ResponderSession>> {
    if (!(message instanceof Uint8Array) || message.length < 2 || message[0] !== MESSAGE_1) {
      throw new HandshakeError('bad_message', 'Expected the first handshake message from the phone.');
    }
    const mode =
      message[1] === MODE_BYTES.pair ? 'pair' : message[1] === MODE_BYTES.reconnect ? 'reconnect' : undefined;
    if (mode === undefined) throw new HandshakeError('bad_message', 'Unknown handshake mode.');
    const secretIdLength = mode === 'pair' ? SECRET_ID_BYTES : 0;
    expectMessage(message, MESSAGE_1, 2 + FINGERPRINT_CHECK_BYTES + secretIdLength + KEY_BYTES + AEAD_TAG_BYTES);

    let offset = 2;
    const take = (length: number) => {
      const part = message.slice(offset, offset + length);
      offset += length;
      return part;
    };
    const fingerprintCheck = take(FINGERPRINT_CHECK_BYTES);
    const secretId = mode === 'pair' ? take(SECRET_ID_BYTES) : undefined;
    const initiatorEphemeral = take(KEY_BYTES);
    const tag = take(AEAD_TAG_BYTES);

    if (!equalBytes(fingerprintCheck, this.#fingerprintBinding.slice(0, FINGERPRINT_CHECK_BYTES))) {
      throw new HandshakeError(
        'fingerprint_mismatch',
        'The phone and the extension see different connection certificates: the signaling server or the network is interfering. Nothing was accepted.',
      );
    }

    let pairing: PendingPairing | undefined;
    if (secretId) {
      const id = bytesToHex(secretId);
      const found = await callStore(() => this.#options.findPairing(id));
      // The lookup is by a public handle; check that the stored secret really is the one it names.
      if (!found || !equalBytes(secretIdBytes(found.secret), secretId)) {
        throw new HandshakeError('unknown_offer', rejectionMessage('unknown_offer'));
      }
      if (this.#now() >= found.expiresAt) throw new HandshakeError('expired_offer', rejectionMessage('expired_offer'));
      pairing = found;
    }

    const staticKeyPair = this.#staticKeyPair;
    const state = initialState(mode, secretId, this.#fingerprintBinding, staticKeyPair.publicKey);
    mixEphemeral(state, mode, initiatorEphemeral);
    state.mixKey(diffieHellman(staticKeyPair.secretKey, initiatorEphemeral, "the phone's ephemeral key"));
    if (pairing) state.mixKeyAndHash(pairing.secret);
    decrypt(
      state,
      tag,
      mode === 'pair'
        ? "The phone does not hold this QR code's pairing secret, or the connection was intercepted."
        : 'The phone is not talking to this extension, or the connection was intercepted.',
    );

    // The first attempt that proves the secret consumes it, whether it then finishes or not: a
    // code read again later (from the browser history of a camera-app scan) is dead. The refusal
    // itself waits for message 3, where it can be sent authenticated.
    const consumed = pairing
      ? await callStore(() => this.#options.consumeSecret(pairingSecretId(pairing.secret)))
      : false;

    const ephemeral = generateStaticKeyPair(this.#random);
    mixEphemeral(state, mode, ephemeral.publicKey);
    state.mixKey(diffieHellman(ephemeral.secretKey, initiatorEphemeral, "the phone's ephemeral key"));
    const replyTag = state.encryptAndHash(new Uint8Array(0));
    this.#context = { mode, state, ephemeral, pairing, consumed };
    return { messageOut: concatBytes(Uint8Array.of(MESSAGE_2), ephemeral.publicKey, replyTag) };
  }

  async #readMessage3(message: Uint8Array): Promise<HandshakeStep<ResponderSession>> {
    const context = this.#context;
    if (!context) throw badState('awaiting_hello');
    const { mode, state, ephemeral, pairing, consumed } = context;
    const staticLength = KEY_BYTES + AEAD_TAG_BYTES;
    if (
      !(message instanceof Uint8Array) ||
      message[0] !== MESSAGE_3 ||
      message.length < 1 + staticLength + AEAD_TAG_BYTES + 1 ||
      message.length > 1 + staticLength + AEAD_TAG_BYTES + MAX_PAYLOAD_BYTES
    ) {
      throw new HandshakeError('bad_message', "Expected the phone's identity message.");
    }
    const deviceAuthFailure = 'The phone could not prove it holds its device key, or the connection was intercepted.';
    const claimedKey = decrypt(state, message.slice(1, 1 + staticLength), deviceAuthFailure);
    state.mixKey(diffieHellman(ephemeral.secretKey, claimedKey, "the phone's device key"));
    const devicePublicKey = canonicalPublicKey(claimedKey);
    const payloadBytes = decrypt(state, message.slice(1 + staticLength), deviceAuthFailure);
    const { deviceName } = parseIdentityPayload(payloadBytes);

    // Authorisation, only now that the phone is authenticated.
    const reject = (code: HandshakeErrorCode): never => {
      const verdict = state.encryptAndHash(Uint8Array.of(VERDICTS.indexOf(code)));
      throw new HandshakeError(code, rejectionMessage(code), {
        reply: concatBytes(Uint8Array.of(MESSAGE_4), verdict),
      });
    };
    let secretId: string | undefined;
    if (mode === 'pair' && pairing) {
      if (this.#now() >= pairing.expiresAt) reject('expired_offer');
      secretId = pairingSecretId(pairing.secret);
      if (!consumed) reject('secret_used');
    } else {
      const device = await callStore(() => this.#options.lookupDevice(devicePublicKey.slice()));
      if (!device) reject('unknown_device');
      else if (device.status !== 'active') reject('revoked_device');
    }

    const verdict = state.encryptAndHash(Uint8Array.of(VERDICTS.indexOf('accepted')));
    const [initiatorToResponder, responderToInitiator] = state.split();
    return {
      messageOut: concatBytes(Uint8Array.of(MESSAGE_4), verdict),
      done: {
        mode,
        keys: sessionKeys(state, responderToInitiator, initiatorToResponder),
        devicePublicKey,
        deviceName,
        ...(secretId === undefined ? {} : { secretId }),
      },
    };
  }
}

function initialState(
  mode: HandshakeMode,
  secretId: Uint8Array | undefined,
  fingerprintBinding: Uint8Array,
  extensionPublicKey: Uint8Array,
): SymmetricState {
  const state = new SymmetricState(PROTOCOL_NAMES[mode]);
  state.mixHash(
    concatBytes(PROLOGUE_LABEL, Uint8Array.of(MODE_BYTES[mode]), secretId ?? new Uint8Array(0), fingerprintBinding),
  );
  state.mixHash(extensionPublicKey); // pre-message: <- s
  return state;
}

/** Noise's `e` token; with a PSK the ephemeral key also feeds the keys (Noise §9.2). */
function mixEphemeral(state: SymmetricState, mode: HandshakeMode, publicKey: Uint8Array): void {
  state.mixHash(publicKey);
  if (mode === 'pair') state.mixKey(publicKey);
}

/** X25519, refusing low-order points (noble does; the all-zero shared secret would be public). */
function diffieHellman(secretKey: Uint8Array, publicKey: Uint8Array, what: string): Uint8Array {
  try {
    return x25519.getSharedSecret(secretKey, publicKey);
  } catch (cause) {
    throw new HandshakeError('bad_message', `The handshake offered an invalid public key (${what}).`, { cause });
  }
}

function decrypt(state: SymmetricState, ciphertext: Uint8Array, failure: string): Uint8Array {
  try {
    return state.decryptAndHash(ciphertext);
  } catch (cause) {
    if (cause instanceof TagMismatch) throw new HandshakeError('auth_failed', failure, { cause });
    throw cause;
  }
}

function expectMessage(message: Uint8Array, type: number, length: number): void {
  if (!(message instanceof Uint8Array) || message.length !== length || message[0] !== type) {
    throw new HandshakeError('bad_message', `Expected handshake message ${type} of ${length} bytes.`);
  }
}

function parseIdentityPayload(bytes: Uint8Array): z.infer<typeof identityPayloadSchema> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new HandshakeError('bad_message', "The phone's identity message is not valid JSON.", { cause });
  }
  const parsed = identityPayloadSchema.safeParse(json);
  if (!parsed.success) throw new HandshakeError('bad_message', "The phone's device name is missing or invalid.");
  return parsed.data;
}

function sessionKeys(state: SymmetricState, sendKey: Uint8Array, receiveKey: Uint8Array): SessionKeys {
  const handshakeHash = state.handshakeHash;
  return { sendKey, receiveKey, sessionId: bytesToHex(handshakeHash.slice(0, 16)), handshakeHash };
}

function rejectionMessage(code: HandshakeErrorCode): string {
  switch (code) {
    case 'unknown_device':
      return 'The extension does not know this phone. Pair it again by scanning the QR code in the side panel.';
    case 'revoked_device':
      return 'This phone was removed from the extension. Pair it again by scanning a new QR code in the side panel.';
    case 'secret_used':
      return 'This QR code was already used to pair a device. Show a new QR code in the side panel and scan it.';
    case 'expired_offer':
      return 'This QR code has expired. Show a new QR code in the side panel and scan it.';
    case 'unknown_offer':
      return 'The extension is not showing this QR code any more. Show a new QR code in the side panel and scan it.';
    default:
      return 'The phone link handshake failed.';
  }
}

function badState(phase: string): HandshakeError {
  const why = phase === 'done' ? 'is already complete' : phase === 'failed' ? 'has failed' : 'is busy or out of turn';
  return new HandshakeError('bad_state', `This handshake ${why}; start a new connection.`);
}

/** Anything unexpected thrown by parsing or crypto is still a typed failure for the caller. */
function asHandshakeError(error: unknown): HandshakeError {
  if (error instanceof HandshakeError) return error;
  return new HandshakeError('bad_message', 'The handshake message could not be processed.', { cause: error });
}

/** Wraps errors from the caller's store so they are passed through, not disguised as protocol failures. */
class StoreFailure extends Error {
  override readonly name = 'StoreFailure';
}

async function callStore<T>(call: () => MaybePromise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new StoreFailure('store callback failed', { cause });
  }
}

function assertLength(bytes: Uint8Array, length: number, name: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes.`);
  }
}

function copyKeyPair(pair: StaticKeyPair): StaticKeyPair {
  return { secretKey: pair.secretKey.slice(), publicKey: pair.publicKey.slice() };
}

function assertKeyPair(pair: StaticKeyPair, name: string): void {
  assertLength(pair.secretKey, KEY_BYTES, `${name}.secretKey`);
  assertLength(pair.publicKey, KEY_BYTES, `${name}.publicKey`);
  if (!equalBytes(x25519.getPublicKey(pair.secretKey), pair.publicKey)) {
    throw new RangeError(`${name}.publicKey does not match its secret key.`);
  }
}

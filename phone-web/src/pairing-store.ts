/**
 * What the phone remembers about the extension it is paired with, in localStorage: the extension's
 * identity key and PeerJS id, the signaling and ICE servers, and this phone's own device key.
 *
 * The device key is created before the first handshake and stored as a pending pairing, so a page
 * reloaded in the middle of pairing retries with the same key (and, if the extension had already
 * accepted it, simply reconnects). Everything read back is validated: a damaged entry is dropped
 * and the phone asks to be paired again rather than failing in odd ways.
 *
 * The device key in localStorage is readable by any script on the phone page's origin; that is why
 * the page must be served from an origin of its own (see phone-web/README.md).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod/mini';
import type { StaticKeyPair } from '../../shared/link/handshake.ts';
import type { PairingOffer } from '../../shared/link/pairing-offer.ts';
import { IceServer, SignalingServer } from '../../shared/protocol/link';

const STORAGE_KEY = 'tandem.phone.pairing.v1';

const Hex32 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const Common = {
  extensionPublicKey: Hex32,
  peerId: z.string().check(z.minLength(1), z.maxLength(64)),
  signaling: SignalingServer,
  iceServers: z.array(IceServer).check(z.maxLength(8)),
  deviceSecretKey: Hex32,
  devicePublicKey: Hex32,
  deviceName: z.string().check(z.minLength(1), z.maxLength(64)),
};

const StoredPairing = z.discriminatedUnion('kind', [
  /**
   * Scanned, handshake not yet accepted. The secret itself is never stored (see the class
   * comment); `secret` is only read so entries written by older versions still load.
   */
  z.object({ kind: z.literal('pending'), ...Common, secret: z.optional(Hex32), expiresAt: z.number() }),
  z.object({ kind: z.literal('paired'), ...Common, pairedAt: z.number() }),
  /** The extension said this phone was revoked: kept only to say so until the user pairs again. */
  z.object({ kind: z.literal('revoked'), ...Common, pairedAt: z.number() }),
]);
type StoredPairing = z.infer<typeof StoredPairing>;

/** The pairing in usable form. */
export interface Pairing {
  kind: StoredPairing['kind'];
  extensionPublicKey: Uint8Array;
  peerId: string;
  signaling: SignalingServer;
  iceServers: IceServer[];
  deviceKeyPair: StaticKeyPair;
  deviceName: string;
  /** Pending only. */
  secret?: Uint8Array;
  expiresAt?: number;
}

/** The part of Storage used (a Map-backed fake in unit tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class PairingStore {
  /**
   * The scanned secret, in this page's memory only: whatever reaches localStorage ends up in the
   * profile's LevelDB files on disk (and old values linger there until compaction). It is worth
   * nothing after the first attempt anyway (that attempt consumes it), so a reload mid-pairing
   * simply tries to reconnect with the device key.
   */
  private pendingSecret: { devicePublicKey: string; secret: Uint8Array } | undefined;

  constructor(private readonly storage: KeyValueStorage) {}

  load(): Pairing | undefined {
    let raw: string | null;
    try {
      raw = this.storage.getItem(STORAGE_KEY);
    } catch {
      return undefined;
    }
    if (!raw) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.forget();
      return undefined;
    }
    const parsed = StoredPairing.safeParse(json);
    if (!parsed.success) {
      this.forget();
      return undefined;
    }
    const stored = parsed.data;
    return {
      kind: stored.kind,
      extensionPublicKey: hexToBytes(stored.extensionPublicKey),
      peerId: stored.peerId,
      signaling: stored.signaling,
      iceServers: stored.iceServers,
      deviceKeyPair: { secretKey: hexToBytes(stored.deviceSecretKey), publicKey: hexToBytes(stored.devicePublicKey) },
      deviceName: stored.deviceName,
      ...(stored.kind === 'pending' ? this.pendingFields(stored) : {}),
    };
  }

  /** A freshly scanned offer, with the device key that will be proven in the handshake. */
  savePending(
    offer: PairingOffer & { signaling: SignalingServer },
    iceServers: IceServer[],
    deviceKeyPair: StaticKeyPair,
    deviceName: string,
  ): Pairing {
    this.write({
      kind: 'pending',
      extensionPublicKey: bytesToHex(offer.extensionPublicKey),
      peerId: offer.peerId,
      signaling: offer.signaling,
      iceServers,
      deviceSecretKey: bytesToHex(deviceKeyPair.secretKey),
      devicePublicKey: bytesToHex(deviceKeyPair.publicKey),
      deviceName,
      expiresAt: offer.expiresAt,
    });
    this.pendingSecret = { devicePublicKey: bytesToHex(deviceKeyPair.publicKey), secret: offer.secret.slice() };
    const loaded = this.load();
    if (!loaded) throw new Error('This browser did not keep the pairing (is storage disabled?).');
    return loaded;
  }

  /** The extension accepted this phone. */
  private pendingFields(stored: Extract<StoredPairing, { kind: 'pending' }>): Pick<Pairing, 'secret' | 'expiresAt'> {
    const held = this.pendingSecret?.devicePublicKey === stored.devicePublicKey ? this.pendingSecret.secret : undefined;
    const secret = held ?? (stored.secret ? hexToBytes(stored.secret) : undefined);
    return { ...(secret ? { secret } : {}), expiresAt: stored.expiresAt };
  }

  markPaired(pairing: Pairing, now: number): Pairing {
    this.pendingSecret = undefined;
    this.write({ ...this.common(pairing), kind: 'paired', pairedAt: now });
    return { ...pairing, kind: 'paired', secret: undefined, expiresAt: undefined };
  }

  markRevoked(pairing: Pairing, now: number): void {
    this.write({ ...this.common(pairing), kind: 'revoked', pairedAt: now });
  }

  forget(): void {
    this.pendingSecret = undefined;
    try {
      this.storage.removeItem(STORAGE_KEY);
    } catch {
      // Storage unavailable: nothing to forget.
    }
  }

  private common(pairing: Pairing) {
    return {
      extensionPublicKey: bytesToHex(pairing.extensionPublicKey),
      peerId: pairing.peerId,
      signaling: pairing.signaling,
      iceServers: pairing.iceServers,
      deviceSecretKey: bytesToHex(pairing.deviceKeyPair.secretKey),
      devicePublicKey: bytesToHex(pairing.deviceKeyPair.publicKey),
      deviceName: pairing.deviceName,
    };
  }

  private write(value: StoredPairing): void {
    this.storage.setItem(STORAGE_KEY, JSON.stringify(value));
  }
}

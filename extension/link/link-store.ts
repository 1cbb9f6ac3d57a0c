/**
 * What the phone link keeps in the extension's IndexedDB: its identity (X25519 key pair, PeerJS id
 * and the signaling token that gets that id back), its settings, the pairing secrets of QR codes
 * shown, and the paired devices.
 *
 * Both the runtime (service worker: pairing, the Devices view) and the link host (offscreen
 * document or Firefox background page: the handshake) use this one class over the same database;
 * IndexedDB serialises their read-write transactions, which is what makes `consumeSecret` a true
 * single use and identity creation happen once.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalPublicKey, generateStaticKeyPair, type StaticKeyPair } from '../../shared/link/handshake.ts';
import type { PendingPairing } from '../../shared/link/pairing-offer.ts';
import { secureRandomBytes } from '../../shared/link/random.ts';
import {
  DEFAULT_LINK_SETTINGS,
  type DeviceSummary,
  LinkSettings,
  type LinkSettingsPatch,
} from '../../shared/protocol/link';
import type { DeviceRecord, TandemDatabase } from '../storage/db';

const IDENTITY_KEY = 'link.identity';
const SETTINGS_KEY = 'link.settings';
/** Used or expired pairing secrets are kept a while (a late phone is told "already used"), then pruned. */
const PAIRING_MEMORY_MS = 60 * 60 * 1000;

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/);
const StoredIdentity = z.object({
  secretKey: Hex32,
  publicKey: Hex32,
  peerId: z.string().regex(/^tandem-[0-9a-f]{24}$/),
  token: z.string().regex(/^[0-9a-f]{32}$/),
});

export interface LinkIdentity {
  keyPair: StaticKeyPair;
  /** The extension's PeerJS id: stable, so a paired phone always knows where to call. */
  peerId: string;
  /**
   * The PeerJS token this extension registers with. A PeerServer hands an id still registered
   * (its old socket not yet noticed dead, peers/peerjs#224 "ID is taken") to a client presenting
   * the same token, so reusing it gets the id back at once instead of after the server's timeout.
   */
  token: string;
}

export class LinkStore {
  /** Told after a device was revoked (push deletes its subscription). */
  private readonly revokedListeners = new Set<(deviceId: string) => Promise<void> | void>();

  constructor(
    private readonly db: TandemDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  /** The extension's identity, created on first use. */
  async identity(): Promise<LinkIdentity> {
    const stored = await this.db.transaction('rw', this.db.kv, async () => {
      const row = await this.db.kv.get(IDENTITY_KEY);
      const parsed = StoredIdentity.safeParse(row?.value);
      if (parsed.success) return parsed.data;
      const keyPair = generateStaticKeyPair();
      const fresh = {
        secretKey: bytesToHex(keyPair.secretKey),
        publicKey: bytesToHex(keyPair.publicKey),
        peerId: `tandem-${bytesToHex(secureRandomBytes(12))}`,
        token: bytesToHex(secureRandomBytes(16)),
      };
      await this.db.kv.put({ key: IDENTITY_KEY, value: fresh });
      return fresh;
    });
    return {
      keyPair: { secretKey: hexToBytes(stored.secretKey), publicKey: hexToBytes(stored.publicKey) },
      peerId: stored.peerId,
      token: stored.token,
    };
  }

  async settings(): Promise<LinkSettings> {
    const row = await this.db.kv.get(SETTINGS_KEY);
    const parsed = LinkSettings.safeParse({ ...DEFAULT_LINK_SETTINGS, ...(isRecord(row?.value) ? row.value : {}) });
    return parsed.success ? parsed.data : DEFAULT_LINK_SETTINGS;
  }

  async updateSettings(patch: LinkSettingsPatch): Promise<LinkSettings> {
    const next = LinkSettings.parse({ ...(await this.settings()), ...patch });
    await this.db.kv.put({ key: SETTINGS_KEY, value: next });
    return next;
  }

  async savePairing(pending: PendingPairing): Promise<void> {
    await this.db.pairings.put({
      secretId: pending.secretId,
      secret: pending.secret,
      createdAt: this.now(),
      expiresAt: pending.expiresAt,
    });
    await this.pruneOldPairings();
  }

  /** The QR code shown under this id, used and expired ones included (the handshake says why it refuses). */
  async findPairing(secretId: string): Promise<PendingPairing | undefined> {
    const row = await this.db.pairings.get(secretId);
    if (!row || !(row.secret instanceof Uint8Array)) return undefined;
    return { secretId: row.secretId, secret: row.secret, expiresAt: row.expiresAt };
  }

  /** Marks the secret used; false if it already was (or is unknown). One read-write transaction. */
  async consumeSecret(secretId: string): Promise<boolean> {
    return this.db.transaction('rw', this.db.pairings, async () => {
      const row = await this.db.pairings.get(secretId);
      if (!row || row.usedAt !== undefined) return false;
      await this.db.pairings.update(secretId, { usedAt: this.now() });
      return true;
    });
  }

  async cancelPairing(secretId: string): Promise<void> {
    await this.db.pairings.delete(secretId);
  }

  /** Cancels every code not used yet (used ones stay, so a late phone is told "already used"). */
  async cancelUnusedPairings(): Promise<void> {
    await this.db.pairings.filter((row) => row.usedAt === undefined).delete();
  }

  /** A QR code is shown and still usable: the link must be online for it. */
  async hasLivePairing(): Promise<boolean> {
    const live = await this.db.pairings.where('expiresAt').above(this.now()).toArray();
    return live.some((row) => row.usedAt === undefined);
  }

  async device(id: string): Promise<DeviceRecord | undefined> {
    return this.db.devices.get(id);
  }

  /** For the handshake: the device with this key (in any of its encodings), if the extension knows it. */
  async lookupDevice(publicKey: Uint8Array): Promise<{ status: 'active' | 'revoked' } | undefined> {
    const row = await this.db.devices.get(deviceIdOf(publicKey));
    return row ? { status: row.status } : undefined;
  }

  /** Records a newly paired phone (a phone pairing again with the same key becomes active again). */
  async addDevice(publicKey: Uint8Array, name: string): Promise<DeviceRecord> {
    const at = this.now();
    const record: DeviceRecord = { id: deviceIdOf(publicKey), name, pairedAt: at, lastSeenAt: at, status: 'active' };
    await this.db.devices.put(record);
    return record;
  }

  async touchDevice(id: string): Promise<void> {
    await this.db.devices.update(id, { lastSeenAt: this.now() });
  }

  async activeDevices(): Promise<DeviceRecord[]> {
    const rows = await this.db.devices.where('status').equals('active').toArray();
    return rows.sort((a, b) => b.pairedAt - a.pairedAt);
  }

  async deviceSummaries(connected: ReadonlySet<string>): Promise<DeviceSummary[]> {
    return (await this.activeDevices()).map((d) => ({
      id: d.id,
      name: d.name,
      pairedAt: d.pairedAt,
      lastSeenAt: d.lastSeenAt,
      connected: connected.has(d.id),
    }));
  }

  /** False if there was no such active device. */
  async revokeDevice(id: string): Promise<boolean> {
    const revoked = await this.db.transaction('rw', this.db.devices, async () => {
      const row = await this.db.devices.get(id);
      if (row?.status !== 'active') return false;
      await this.db.devices.update(id, { status: 'revoked' });
      return true;
    });
    if (revoked) for (const listener of this.revokedListeners) await listener(id);
    return revoked;
  }

  onDeviceRevoked(listener: (deviceId: string) => Promise<void> | void): void {
    this.revokedListeners.add(listener);
  }

  /** Whether the link host should be registered at the signaling server at all. */
  async needsLink(): Promise<boolean> {
    if ((await this.db.devices.where('status').equals('active').count()) > 0) return true;
    return this.hasLivePairing();
  }

  private async pruneOldPairings(): Promise<void> {
    await this.db.pairings
      .where('expiresAt')
      .below(this.now() - PAIRING_MEMORY_MS)
      .delete();
  }
}

/** A device's id is its canonical key (see canonicalPublicKey): one phone, one record. */
function deviceIdOf(publicKey: Uint8Array): string {
  return bytesToHex(canonicalPublicKey(publicKey));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

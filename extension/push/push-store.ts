/**
 * What push keeps in the extension's IndexedDB (small documents in `kv`, so no schema version is
 * needed): the VAPID key pair, created once; the push settings; and one subscription per paired
 * device, deleted when the device is revoked or the phone turns notifications off.
 */
import { z } from 'zod';
import { PushSettings, type PushSettingsPatch } from '../../shared/protocol/push';
import type { TandemDatabase } from '../storage/db';
import { generateVapidKeys, type VapidKeys, vapidKeysFromJwk } from './vapid';

const VAPID_KEY = 'push.vapid';
const SETTINGS_KEY = 'push.settings';
const SUBSCRIPTION_PREFIX = 'push.subscription.';
/** Loopback origins a test rig allows as push services besides the real ones (see endpoint-policy.ts). */
const EXTRA_ORIGINS_KEY = 'push.extraServiceOrigins';
/** Decisions a notice went out for, newest last: kept in the database because a decision outlives the MV3 worker. */
const PUSHED_DECISIONS_KEY = 'push.pushedDecisions';
const MAX_PUSHED_DECISIONS = 500;

const StoredVapid = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  d: z.string(),
});

export const StoredSubscription = z.object({
  deviceId: z.string(),
  endpoint: z.string(),
  p256dh: z.string(),
  auth: z.string(),
  createdAt: z.number(),
});
export type StoredSubscription = z.infer<typeof StoredSubscription>;

export class PushStore {
  private vapid: Promise<VapidKeys> | undefined;

  constructor(private readonly db: TandemDatabase) {}

  /** The extension's VAPID keys, created on first use and kept from then on (a new key would orphan every subscription). */
  vapidKeys(): Promise<VapidKeys> {
    this.vapid ??= this.loadOrCreateVapid().catch((error: unknown) => {
      this.vapid = undefined;
      throw error;
    });
    return this.vapid;
  }

  private async loadOrCreateVapid(): Promise<VapidKeys> {
    const stored = StoredVapid.safeParse((await this.db.kv.get(VAPID_KEY))?.value);
    if (stored.success) return vapidKeysFromJwk(stored.data);
    const fresh = await generateVapidKeys();
    // Two contexts racing to create keys: the first write wins and both use it.
    const winner = await this.db.transaction('rw', this.db.kv, async () => {
      const again = StoredVapid.safeParse((await this.db.kv.get(VAPID_KEY))?.value);
      if (again.success) return again.data;
      await this.db.kv.put({ key: VAPID_KEY, value: fresh.privateJwk });
      return fresh.privateJwk;
    });
    return winner === fresh.privateJwk ? fresh.keys : vapidKeysFromJwk(winner);
  }

  async settings(): Promise<PushSettings> {
    const parsed = PushSettings.safeParse((await this.db.kv.get(SETTINGS_KEY))?.value ?? {});
    return parsed.success ? parsed.data : PushSettings.parse({});
  }

  async updateSettings(patch: PushSettingsPatch): Promise<PushSettings> {
    const next = PushSettings.parse({ ...(await this.settings()), ...patch });
    await this.db.kv.put({ key: SETTINGS_KEY, value: next });
    return next;
  }

  async subscription(deviceId: string): Promise<StoredSubscription | undefined> {
    const parsed = StoredSubscription.safeParse((await this.db.kv.get(SUBSCRIPTION_PREFIX + deviceId))?.value);
    return parsed.success ? parsed.data : undefined;
  }

  async saveSubscription(subscription: StoredSubscription): Promise<void> {
    await this.db.kv.put({ key: SUBSCRIPTION_PREFIX + subscription.deviceId, value: subscription });
  }

  async deleteSubscription(deviceId: string): Promise<void> {
    await this.db.kv.delete(SUBSCRIPTION_PREFIX + deviceId);
  }

  /** Deletes the device's subscription only if it is still this endpoint (a 410 for an old one must not drop a new one). */
  async deleteIfEndpoint(deviceId: string, endpoint: string): Promise<void> {
    await this.db.transaction('rw', this.db.kv, async () => {
      if ((await this.subscription(deviceId))?.endpoint === endpoint) await this.deleteSubscription(deviceId);
    });
  }

  async rememberPushedDecision(decisionId: string): Promise<void> {
    await this.db.transaction('rw', this.db.kv, async () => {
      const ids = (await this.pushedDecisions()).filter((id) => id !== decisionId);
      ids.push(decisionId);
      await this.db.kv.put({ key: PUSHED_DECISIONS_KEY, value: ids.slice(-MAX_PUSHED_DECISIONS) });
    });
  }

  /** True (once) if a notice went out for this decision: its answer must then withdraw it. */
  async takePushedDecision(decisionId: string): Promise<boolean> {
    return this.db.transaction('rw', this.db.kv, async () => {
      const ids = await this.pushedDecisions();
      if (!ids.includes(decisionId)) return false;
      await this.db.kv.put({ key: PUSHED_DECISIONS_KEY, value: ids.filter((id) => id !== decisionId) });
      return true;
    });
  }

  private async pushedDecisions(): Promise<string[]> {
    const parsed = z.array(z.string()).safeParse((await this.db.kv.get(PUSHED_DECISIONS_KEY))?.value);
    return parsed.success ? parsed.data : [];
  }

  async extraServiceOrigins(): Promise<string[]> {
    const parsed = z.array(z.string()).safeParse((await this.db.kv.get(EXTRA_ORIGINS_KEY))?.value);
    return parsed.success ? parsed.data : [];
  }

  /** Test rigs only (set from the worker's console): lets a loopback stand-in act as a push service. */
  async allowServiceOrigins(origins: string[]): Promise<void> {
    await this.db.kv.put({ key: EXTRA_ORIGINS_KEY, value: origins });
  }
}

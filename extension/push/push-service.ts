/**
 * The push room's face to the runtime: the phone-side commands (status, subscribe, unsubscribe),
 * the computer-side privacy setting, the device-revoked hook, and the notifier other features call
 * (`notifyUser`). Built once by the composition root (runtime/assemble.ts).
 */
import { decodeBase64url } from '../../shared/link/base64url';
import type { PushSettings, PushSettingsPatch, PushStatus, PushSubscriptionInput } from '../../shared/protocol';
import type { TandemDatabase } from '../storage/db';
import { isAllowedPushEndpoint } from './endpoint-policy';
import type { UserNotice } from './push-notices';
import { PushNotifier, type PushNotifierDeps } from './push-notifier';
import { PushSender } from './push-sender';
import { PushStore } from './push-store';

export class PushRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushRefusal';
  }
}

export interface PushServiceOptions extends Omit<PushNotifierDeps, 'store' | 'sender'> {
  db: TandemDatabase;
  fetch?: typeof fetch;
}

export class PushService {
  readonly store: PushStore;
  readonly notifier: PushNotifier;
  private readonly now: () => number;

  constructor(options: PushServiceOptions) {
    this.store = new PushStore(options.db);
    this.now = options.now ?? Date.now;
    const sender = new PushSender({
      keys: () => this.store.vapidKeys(),
      now: this.now,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.notifier = new PushNotifier({ ...options, store: this.store, sender });
  }

  /** For other rooms (the scheduler's run results): tell the user on their phones and desktop. */
  notifyUser(notice: UserNotice, options: { desktop?: boolean } = {}): Promise<void> {
    return this.notifier.notifyUser(notice, options);
  }

  async status(deviceId: string): Promise<PushStatus> {
    const keys = await this.store.vapidKeys();
    return { vapidPublicKey: keys.publicKeyText, subscribed: (await this.store.subscription(deviceId)) !== undefined };
  }

  async subscribe(deviceId: string, subscription: PushSubscriptionInput): Promise<PushStatus> {
    if (!isAllowedPushEndpoint(subscription.endpoint, await this.store.extraServiceOrigins())) {
      throw new PushRefusal("That subscription's address is not a known push service.");
    }
    const p256dh = decodeBase64url(subscription.keys.p256dh);
    const auth = decodeBase64url(subscription.keys.auth);
    if (p256dh?.length !== 65 || p256dh[0] !== 0x04 || auth?.length !== 16) {
      throw new PushRefusal('The subscription keys are not a P-256 key and a 16-byte secret.');
    }
    await this.store.saveSubscription({
      deviceId,
      endpoint: subscription.endpoint,
      p256dh: subscription.keys.p256dh,
      auth: subscription.keys.auth,
      createdAt: this.now(),
    });
    return this.status(deviceId);
  }

  async unsubscribe(deviceId: string): Promise<PushStatus> {
    await this.store.deleteSubscription(deviceId);
    return this.status(deviceId);
  }

  /** A revoked phone gets no more pushes: its subscription goes with it. */
  deviceRevoked(deviceId: string): Promise<void> {
    return this.store.deleteSubscription(deviceId);
  }

  settings(): Promise<PushSettings> {
    return this.store.settings();
  }

  updateSettings(patch: PushSettingsPatch): Promise<PushSettings> {
    return this.store.updateSettings(patch);
  }
}

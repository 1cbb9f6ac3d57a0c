/**
 * Turns durable thread events into notifications: a Web Push message to every paired phone that
 * subscribed, and a desktop notification when a decision waits and no client is looking at its
 * thread. Runs beside the runtime (it is told of every event batch once it is in IndexedDB) and
 * never holds the runtime up: sends happen in the background and failures are only recorded.
 */

import { utf8ToBytes } from '@noble/hashes/utils.js';
import { decodeBase64url, encodeBase64url } from '../../shared/link/base64url';
import type { PushNotice, ThreadEvent } from '../../shared/protocol';
import { isAllowedPushEndpoint } from './endpoint-policy';
import { PushCoalescer } from './push-coalescer';
import { applyPrivacy, NEEDS_YOU, noticeFor, noticeForUser, type UserNotice } from './push-notices';
import type { PushOptions, PushOutcome, PushSender } from './push-sender';
import type { PushStore, StoredSubscription } from './push-store';

export interface PushNotifierDeps {
  store: PushStore;
  sender: PushSender;
  /** Ids of the paired devices that are active now (a revoked phone gets nothing, whatever is stored). */
  activeDevices(): Promise<string[]>;
  threadTitle(threadId: string): Promise<string | undefined>;
  /** A client (panel or phone page) is showing this thread right now. */
  lookingAt(threadId: string): boolean;
  desktop?(title: string, message: string): Promise<void>;
  now?(): number;
  windowMs?: number;
}

/** One send, for tests, diagnostics and the benchmark. */
export interface PushDelivery {
  deviceId: string;
  notice: PushNotice;
  outcome: PushOutcome | { kind: 'refused_endpoint' } | { kind: 'error'; message: string };
}

/** A decision waits for hours; a result is news for a day. */
const TTL_S: Record<PushNotice['kind'], number> = {
  decision: 12 * 3600,
  paused: 12 * 3600,
  withdrawn: 12 * 3600,
  finished: 24 * 3600,
  failed: 24 * 3600,
  notice: 24 * 3600,
};

export class PushNotifier {
  private readonly coalescer: PushCoalescer;
  private readonly now: () => number;
  private readonly inflight = new Set<Promise<void>>();
  private readonly listeners = new Set<(delivery: PushDelivery) => void>();
  /** Serialises event batches so a decision's withdrawal is never handled before the decision. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: PushNotifierDeps) {
    this.now = deps.now ?? Date.now;
    this.coalescer = new PushCoalescer((notice) => this.track(this.deliver(notice)), this.now, deps.windowMs);
  }

  /** Every batch of events once it is durable. */
  observe(events: readonly ThreadEvent[]): void {
    const worth = events.filter(isWorthANotice);
    if (worth.length === 0) return;
    this.chain = this.chain
      .then(() => this.handle(worth))
      .catch((error: unknown) => {
        console.warn('Tandem: push notice failed', error);
      });
    this.track(this.chain);
  }

  /**
   * For other features (a scheduled run's result): one notice to every subscribed phone, and to
   * the desktop when no client is looking at its thread.
   */
  async notifyUser(user: UserNotice, options: { desktop?: boolean } = {}): Promise<void> {
    const notice = noticeForUser(user, this.now());
    if (notice.threadId) this.coalescer.offer(notice.threadId, notice);
    else this.track(this.deliver(notice));
    if (options.desktop === false) return;
    if (!notice.threadId || !this.deps.lookingAt(notice.threadId)) await this.desktop(notice);
  }

  onDelivery(listener: (delivery: PushDelivery) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when nothing is being sent (notices still inside a coalescing window are not waited for). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async handle(events: readonly ThreadEvent[]): Promise<void> {
    for (const event of events) {
      const title = (await this.deps.threadTitle(event.threadId)) ?? 'Conversation';
      const notice = noticeFor(event, title);
      if (!notice) continue;
      if (event.kind === 'decision_resolved') {
        if (this.coalescer.withdrawPending(event.threadId, event.decisionId)) continue;
        // Read from the database: the MV3 worker that pushed the decision has usually been stopped since.
        if (!(await this.deps.store.takePushedDecision(event.decisionId))) continue;
        this.coalescer.offer(event.threadId, notice, true);
        continue;
      }
      if (notice.decisionId) await this.deps.store.rememberPushedDecision(notice.decisionId);
      this.coalescer.offer(event.threadId, notice);
      if (event.kind === 'decision_requested' && !this.deps.lookingAt(event.threadId)) await this.desktop(notice);
    }
  }

  private async desktop(notice: PushNotice): Promise<void> {
    if (!this.deps.desktop || notice.kind === 'withdrawn') return;
    const title =
      notice.kind === 'decision' || notice.kind === 'paused'
        ? `${NEEDS_YOU}: ${notice.title}`
        : `Tandem: ${notice.title}`;
    await this.deps.desktop(title, notice.body).catch(() => {});
  }

  private async deliver(notice: PushNotice): Promise<void> {
    const [devices, settings, extraOrigins] = await Promise.all([
      this.deps.activeDevices(),
      this.deps.store.settings(),
      this.deps.store.extraServiceOrigins(),
    ]);
    const sent = applyPrivacy(notice, settings);
    const options: PushOptions = {
      ttlSeconds: TTL_S[notice.kind],
      urgency: notice.kind === 'decision' || notice.kind === 'paused' ? 'high' : 'normal',
      ...(notice.threadId ? { topic: await topicOf(notice.threadId) } : {}),
    };
    await Promise.all(
      devices.map(async (deviceId) => {
        const subscription = await this.deps.store.subscription(deviceId);
        if (!subscription) return;
        this.emit({ deviceId, notice: sent, outcome: await this.sendOne(subscription, sent, options, extraOrigins) });
      }),
    );
  }

  private async sendOne(
    subscription: StoredSubscription,
    notice: PushNotice,
    options: PushOptions,
    extraOrigins: readonly string[],
  ): Promise<PushDelivery['outcome']> {
    if (!isAllowedPushEndpoint(subscription.endpoint, extraOrigins)) return { kind: 'refused_endpoint' };
    try {
      const outcome = await this.deps.sender.send(
        {
          endpoint: subscription.endpoint,
          p256dh: decode(subscription.p256dh),
          auth: decode(subscription.auth),
        },
        notice,
        options,
      );
      // Too big for the push service (its limit may be below the 4096 bytes RFC 8291 asks for): say less.
      if (outcome.kind === 'too_large' && (notice.title !== NEEDS_YOU || notice.body !== '')) {
        return this.sendOne(subscription, applyPrivacy(notice, { details: false }), options, extraOrigins);
      }
      // RFC 8030 §7.3: the subscription expired or was removed; it will never work again.
      if (outcome.kind === 'gone') await this.deps.store.deleteIfEndpoint(subscription.deviceId, subscription.endpoint);
      return outcome;
    } catch (error) {
      return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    }
  }

  private emit(delivery: PushDelivery): void {
    for (const listener of this.listeners) listener(delivery);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => console.warn('Tandem: push failed', error));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }
}

function isWorthANotice(event: ThreadEvent): boolean {
  return event.kind === 'decision_requested' || event.kind === 'decision_resolved' || event.kind === 'task_finished';
}

/** RFC 8030 §5.4: a topic is at most 32 base64url characters; a hash keeps thread ids out of it. */
async function topicOf(threadId: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', utf8ToBytes(threadId) as Uint8Array<ArrayBuffer>),
  );
  return encodeBase64url(digest).slice(0, 32);
}

function decode(text: string): Uint8Array {
  // Stored keys were validated when the phone subscribed (shared/protocol/push.ts); a damaged one fails this send only.
  const bytes = decodeBase64url(text);
  if (!bytes) throw new Error('A stored push key is not base64url.');
  return bytes;
}

/**
 * Delivers each thread's events to the clients subscribed to it: exactly once,
 * in seq order, with no gaps, across (re)subscriptions.
 *
 * Each subscription remembers the last seq it delivered. A live event that is
 * the next one is sent at once; anything else (the subscription is still
 * catching up, or events were published out of its reach) makes it read the
 * durable log from where it is. The log, not the live stream, is the source of truth.
 */

import type { Actor, ClientKind, RuntimeMessage, ThreadEvent } from '../../shared/protocol';
import type { EventLog } from '../storage/event-log';
import { withinPageBudget } from './page-budget';

export interface ClientConnection {
  readonly id: string;
  readonly kind: ClientKind;
  /** Command ids are recorded per scope (see client-identity.ts): one client's ids never answer another's. */
  readonly scope: string;
  /** Who this client is in the event and audit logs (with the phone's device, for a phone). */
  readonly actor: Actor;
  send(message: RuntimeMessage): void;
}

/** A page is one message; the phone link splits messages into ≤16 KiB frames below this layer. */
export const PAGE_SIZE = 500;

interface Subscription {
  lastSent: number;
  catchingUp: boolean;
  /** A live event arrived while catching up: read the log once more before going live. */
  dirty: boolean;
}

export class ClientHub {
  private readonly clients = new Map<string, { connection: ClientConnection; subs: Map<string, Subscription> }>();

  constructor(private readonly log: EventLog) {}

  add(connection: ClientConnection): void {
    this.clients.set(connection.id, { connection, subs: new Map() });
  }

  remove(clientId: string): void {
    this.clients.delete(clientId);
  }

  get size(): number {
    return this.clients.size;
  }

  broadcast(message: RuntimeMessage, filter: (c: ClientConnection) => boolean = () => true): void {
    for (const { connection } of this.clients.values()) if (filter(connection)) safeSend(connection, message);
  }

  /** Subscribes a client: first the requested history, then live events. */
  async subscribe(clientId: string, threadId: string, opts: { afterSeq?: number; tail: number }): Promise<void> {
    const client = this.clients.get(clientId);
    if (!client) return;
    const sub: Subscription = { lastSent: 0, catchingUp: true, dirty: false };
    client.subs.set(threadId, sub);
    if (opts.afterSeq === undefined) {
      const head = withinPageBudget(await this.log.before(threadId, Number.MAX_SAFE_INTEGER, opts.tail), 'newest');
      const first = head[0];
      safeSend(client.connection, {
        type: 'thread.page',
        threadId,
        reason: 'subscribe',
        events: head,
        hasOlder: first !== undefined && first.seq > 1,
      });
      sub.lastSent = head.at(-1)?.seq ?? 0;
    } else {
      sub.lastSent = opts.afterSeq;
    }
    await this.catchUp(client.connection, threadId, sub, opts.afterSeq === undefined ? 'catchup' : 'subscribe');
  }

  unsubscribe(clientId: string, threadId: string): void {
    this.clients.get(clientId)?.subs.delete(threadId);
  }

  /** Drops every subscription to a deleted thread. */
  forgetThread(threadId: string): void {
    for (const client of this.clients.values()) client.subs.delete(threadId);
  }

  isSubscribed(threadId: string): boolean {
    for (const client of this.clients.values()) if (client.subs.has(threadId)) return true;
    return false;
  }

  publish(events: readonly ThreadEvent[]): void {
    const threadId = events[0]?.threadId;
    if (!threadId) return;
    for (const client of this.clients.values()) {
      const sub = client.subs.get(threadId);
      if (!sub) continue;
      if (sub.catchingUp) {
        sub.dirty = true;
        continue;
      }
      for (const event of events) {
        if (event.seq <= sub.lastSent) continue;
        if (event.seq !== sub.lastSent + 1) {
          // A gap: never send out of order; fetch what is missing from the log.
          sub.catchingUp = true;
          void this.catchUp(client.connection, threadId, sub, 'catchup');
          break;
        }
        safeSend(client.connection, { type: 'thread.event', threadId, event });
        sub.lastSent = event.seq;
      }
    }
  }

  private async catchUp(
    connection: ClientConnection,
    threadId: string,
    sub: Subscription,
    reason: 'subscribe' | 'catchup',
  ): Promise<void> {
    sub.catchingUp = true;
    let sentAny = false;
    try {
      for (;;) {
        sub.dirty = false;
        const events = withinPageBudget(await this.log.after(threadId, sub.lastSent, PAGE_SIZE), 'oldest');
        if (!this.clients.get(connection.id)?.subs.has(threadId)) return; // unsubscribed meanwhile
        if (events.length === 0) {
          if (sub.dirty) continue;
          // An empty first page still tells a resubscribing client "you have everything".
          if (!sentAny && reason === 'subscribe') {
            safeSend(connection, { type: 'thread.page', threadId, reason, events: [], hasOlder: sub.lastSent > 0 });
          }
          return;
        }
        safeSend(connection, { type: 'thread.page', threadId, reason, events, hasOlder: sub.lastSent > 0 });
        sentAny = true;
        sub.lastSent = events.at(-1)?.seq ?? sub.lastSent;
      }
    } finally {
      sub.catchingUp = false;
    }
  }
}

function safeSend(connection: ClientConnection, message: RuntimeMessage): void {
  try {
    connection.send(message);
  } catch {
    // A client whose link just died; it resubscribes with afterSeq when it is back.
  }
}

/**
 * The durable, per-thread event log. `append` assigns seqs and writes the events
 * and the thread's new head in one IndexedDB transaction: an event a client sees
 * has always reached the database first, and seqs never repeat or skip.
 */
import { Dexie } from 'dexie';
import type { AuditEntry, EventBody, ThreadEvent } from '../../shared/protocol';
import type { TandemDatabase, ThreadRecord } from './db';

export class UnknownThreadError extends Error {
  constructor(readonly threadId: string) {
    super(`No thread with id ${threadId}`);
    this.name = 'UnknownThreadError';
  }
}

export class EventLog {
  constructor(
    private readonly db: TandemDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Appends events to a thread. `update` may change the thread row in the same
   * transaction (status, cost), so the summary never disagrees with the log.
   */
  append(
    threadId: string,
    bodies: readonly EventBody[],
    update?: (thread: ThreadRecord, events: readonly ThreadEvent[]) => void,
    /** Audit rows written in the same transaction: a tool result and its audit entry land together. */
    audit: readonly AuditEntry[] = [],
  ): Promise<ThreadEvent[]> {
    return this.write(threadId, bodies, update, audit, undefined) as Promise<ThreadEvent[]>;
  }

  /**
   * Appends events on behalf of a client command, exactly once per command id:
   * the command's record is written in the same transaction, so a re-sent command
   * (after a dropped link) finds it and appends nothing. Returns null for a repeat.
   */
  appendOnce(
    threadId: string,
    commandId: string,
    bodies: readonly EventBody[],
    update?: (thread: ThreadRecord, events: readonly ThreadEvent[]) => void,
  ): Promise<ThreadEvent[] | null> {
    return this.write(threadId, bodies, update, [], commandId);
  }

  /**
   * The hot path of every task step, so it talks to IndexedDB directly (Dexie is used
   * for the schema and every other query): one native transaction whose requests are
   * issued from callbacks without a promise hop between them. Measured in Chromium's
   * service worker: ~0.7 ms per append instead of ~2.8 ms through Dexie's transaction
   * wrapper, and a tool step makes two of them.
   */
  private async write(
    threadId: string,
    bodies: readonly EventBody[],
    update: ((thread: ThreadRecord, events: readonly ThreadEvent[]) => void) | undefined,
    audit: readonly AuditEntry[],
    commandId: string | undefined,
  ): Promise<ThreadEvent[] | null> {
    // Open lazily like Dexie does, but never reopen a database someone closed on purpose.
    if (!this.db.isOpen()) {
      if (this.db.hasBeenClosed()) throw new Error('The database has been closed.');
      await this.db.open();
    }
    const idb = this.db.backendDB();
    const stores = ['threads', 'events', 'audit', ...(commandId ? ['commands'] : [])];
    return new Promise<ThreadEvent[] | null>((resolve, reject) => {
      const tx = idb.transaction(stores, 'readwrite', { durability: 'relaxed' });
      let result: ThreadEvent[] | null = null;
      let failure: unknown;
      const fail = (error: unknown) => {
        failure = error;
        tx.abort();
      };
      const appendEvents = () => {
        const threads = tx.objectStore('threads');
        const read = threads.get(threadId);
        read.onsuccess = () => {
          const thread = read.result as ThreadRecord | undefined;
          if (!thread) return fail(new UnknownThreadError(threadId));
          const at = this.now();
          const events = bodies.map(
            (body, i) => ({ ...body, threadId, seq: thread.lastSeq + 1 + i, at }) as ThreadEvent,
          );
          const eventStore = tx.objectStore('events');
          for (const event of events) eventStore.add(event);
          thread.lastSeq += events.length;
          thread.updatedAt = at;
          try {
            update?.(thread, events);
          } catch (error) {
            return fail(error);
          }
          threads.put(thread);
          const auditStore = tx.objectStore('audit');
          for (const entry of audit) auditStore.add(entry);
          if (commandId) tx.objectStore('commands').put({ id: commandId, at, ok: true, threadId });
          result = events;
        };
      };
      if (commandId) {
        const seen = tx.objectStore('commands').get(commandId);
        seen.onsuccess = () => (seen.result ? undefined : appendEvents());
      } else {
        appendEvents();
      }
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => reject(failure ?? tx.error ?? new Error('The event log transaction was aborted'));
    });
  }

  /** Events with seq > afterSeq, oldest first, at most `limit`. */
  after(threadId: string, afterSeq: number, limit = Number.POSITIVE_INFINITY): Promise<ThreadEvent[]> {
    const query = this.db.events.where('[threadId+seq]').between([threadId, afterSeq], [threadId, Dexie.maxKey], false);
    return (Number.isFinite(limit) ? query.limit(limit) : query).toArray();
  }

  /** The `limit` events just before `beforeSeq`, oldest first. */
  async before(threadId: string, beforeSeq: number, limit: number): Promise<ThreadEvent[]> {
    const events = await this.db.events
      .where('[threadId+seq]')
      .between([threadId, Dexie.minKey], [threadId, beforeSeq], true, false)
      .reverse()
      .limit(limit)
      .toArray();
    return events.reverse();
  }

  all(threadId: string): Promise<ThreadEvent[]> {
    return this.after(threadId, 0);
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.db.transaction('rw', this.db.threads, this.db.events, async () => {
      await this.db.events.where('[threadId+seq]').between([threadId, Dexie.minKey], [threadId, Dexie.maxKey]).delete();
      await this.db.threads.delete(threadId);
    });
  }
}

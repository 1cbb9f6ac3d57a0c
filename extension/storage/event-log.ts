/**
 * The durable, per-thread event log. `append` assigns seqs and writes the events
 * and the thread's new head in one IndexedDB transaction: an event a client sees
 * has always reached the database first, and seqs never repeat or skip.
 */
import { Dexie } from 'dexie';
import type { AuditEntry, EventBody, ThreadEvent } from '../../shared/protocol';
import { appendAuditRows } from './audit-log';
import type { TandemDatabase, ThreadRecord } from './db';
import { type AppendPlan, appendDirect, MissingThreadRow, planEvents, StaleThreadRow } from './direct-append';

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
   * Each thread's row as this log last committed it, so the next append need not wait for a read
   * (direct-append.ts checks it against the stored row in the same transaction: never trusted blindly).
   */
  private readonly heads = new Map<string, ThreadRecord>();

  /**
   * Appends events to a thread. `update` may change the thread row in the same
   * transaction (status, cost), so the summary never disagrees with the log.
   */
  async append(
    threadId: string,
    bodies: readonly EventBody[],
    update?: (thread: ThreadRecord, events: readonly ThreadEvent[]) => void,
    /** Audit rows written in the same transaction: a tool result and its audit entry land together. */
    audit: readonly AuditEntry[] = [],
  ): Promise<ThreadEvent[]> {
    const plan: AppendPlan = { threadId, bodies, update, audit, at: this.now() };
    // Inside a caller's Dexie transaction (appendOnce) the append must join it; a transaction of
    // its own would wait for the caller's to end, and the caller waits for it.
    if (!Dexie.currentTransaction && this.db.isOpen()) {
      const direct = await this.appendDirectly(plan);
      if (direct) return direct;
    }
    this.heads.delete(threadId);
    return this.appendInDexie(plan);
  }

  /** The fast path: one plain IndexedDB transaction. Undefined when it wrote nothing and Dexie should try. */
  private async appendDirectly(plan: AppendPlan): Promise<ThreadEvent[] | undefined> {
    const { threadId } = plan;
    const known = this.heads.get(threadId);
    this.heads.delete(threadId);
    try {
      const written = await appendDirect(this.db.backendDB(), plan, known).catch((error: unknown) => {
        // Someone else changed the row: nothing was written; redo from the stored row.
        if (error instanceof StaleThreadRow) return appendDirect(this.db.backendDB(), plan);
        throw error;
      });
      this.heads.set(threadId, written.thread);
      return written.events;
    } catch (error) {
      if (error instanceof MissingThreadRow) throw new UnknownThreadError(threadId);
      // Nothing was written (the transaction aborted, or the connection is closing): the Dexie
      // path retries, and reports a failure exactly as it always has (quota, a closed database).
      return undefined;
    }
  }

  private appendInDexie(plan: AppendPlan): Promise<ThreadEvent[]> {
    const { threadId, audit } = plan;
    return this.db.transaction('rw', this.db.threads, this.db.events, this.db.audit, async () => {
      const stored = await this.db.threads.get(threadId);
      if (!stored) throw new UnknownThreadError(threadId);
      const { events, thread } = planEvents(plan, stored);
      // Issued together, not one after another: each awaited request is a round trip to the
      // database process on every event's path to the clients. Still one transaction: if any
      // write fails, none of them lands.
      await Promise.all([
        this.db.events.bulkAdd(events),
        this.db.threads.put(thread),
        appendAuditRows(this.db, audit), // chained to the last audit row, in this transaction
      ]);
      return events;
    });
  }

  /**
   * Appends events on behalf of a client command, exactly once per command id:
   * the command's record is written in the same transaction, so a re-sent command
   * (after a dropped link) finds it and appends nothing. Returns null for a repeat.
   */
  async appendOnce(
    threadId: string,
    commandId: string,
    bodies: readonly EventBody[],
    update?: (thread: ThreadRecord, events: readonly ThreadEvent[]) => void,
    audit: readonly AuditEntry[] = [],
  ): Promise<ThreadEvent[] | null> {
    return this.db.transaction('rw', this.db.threads, this.db.events, this.db.commands, this.db.audit, async () => {
      if (await this.db.commands.get(commandId)) return null;
      const events = await this.append(threadId, bodies, update, audit);
      await this.db.commands.put({ id: commandId, at: this.now(), ok: true, threadId });
      return events;
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
    this.heads.delete(threadId);
    await this.db.transaction('rw', this.db.threads, this.db.events, async () => {
      await this.db.events.where('[threadId+seq]').between([threadId, Dexie.minKey], [threadId, Dexie.maxKey]).delete();
      await this.db.threads.delete(threadId);
    });
  }
}

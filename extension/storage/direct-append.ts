/**
 * The event log's append as one plain IndexedDB transaction, without Dexie in between: every event
 * a client sees goes through here first, and on that path Dexie's promise and zone machinery and
 * the wait for the thread row cost more than the write itself (see bench/relay-delivery.ts).
 *
 * The thread row is not read before writing when the log already knows it: the writes are issued
 * together with a read of the row, and the transaction is aborted (nothing lands) unless the row
 * read is exactly the one the writes were computed from. A row changed by anyone else (another
 * writer in this worker, another context, a restored backup) is therefore never overwritten: the
 * append is redone from the row as stored. IndexedDB runs a transaction's requests in order, so
 * the read sees the row as it was before this transaction's own writes.
 *
 * Requests are issued from callbacks only, never after an `await`, so the transaction cannot
 * commit half-way. Audit rows are chained to the last audit row read in the same transaction.
 */
import { GENESIS, linkRows } from '../../shared/audit/audit-chain';
import type { AuditEntry, EventBody, ThreadEvent } from '../../shared/protocol';
import type { AuditRecord, ThreadRecord } from './db';

export interface AppendPlan {
  threadId: string;
  bodies: readonly EventBody[];
  update: ((thread: ThreadRecord, events: readonly ThreadEvent[]) => void) | undefined;
  audit: readonly AuditEntry[];
  at: number;
}

export interface AppendResult {
  events: ThreadEvent[];
  /** The thread row as written (the log keeps it to skip the read next time). */
  thread: ThreadRecord;
}

/** The thread row was not the one the writes assumed: nothing was written; redo from the stored row. */
export class StaleThreadRow extends Error {
  constructor() {
    super('The thread row changed since the log last wrote it.');
    this.name = 'StaleThreadRow';
  }
}

/** The thread does not exist: nothing was written. */
export class MissingThreadRow extends Error {
  constructor() {
    super('No such thread.');
    this.name = 'MissingThreadRow';
  }
}

/** The events and the new thread row computed from `thread` (which is not changed). */
export function planEvents(plan: AppendPlan, stored: ThreadRecord): AppendResult {
  const thread = structuredClone(stored);
  const events = plan.bodies.map(
    (body, i) => ({ ...body, threadId: plan.threadId, seq: stored.lastSeq + 1 + i, at: plan.at }) as ThreadEvent,
  );
  thread.lastSeq += events.length;
  thread.updatedAt = plan.at;
  plan.update?.(thread, events);
  return { events, thread };
}

/**
 * Appends in one relaxed read-write transaction over threads, events and audit. With `known`, the
 * writes are computed from it and issued at once, and the transaction aborts with StaleThreadRow
 * unless the stored row equals it; without, the row is read first.
 */
export function appendDirect(idb: IDBDatabase, plan: AppendPlan, known?: ThreadRecord): Promise<AppendResult> {
  const stores = plan.audit.length > 0 ? ['threads', 'events', 'audit'] : ['threads', 'events'];
  // The same durability as the Dexie database (extension/storage/db.ts explains the choice).
  const tx = idb.transaction(stores, 'readwrite', { durability: 'relaxed' });
  return new Promise<AppendResult>((resolve, reject) => {
    let result: AppendResult | undefined;
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
      try {
        tx.abort();
      } catch {
        // Already finished or aborting.
      }
    };
    const write = (computed: AppendResult) => {
      result = computed;
      const events = tx.objectStore('events');
      for (const event of computed.events) events.add(event);
      tx.objectStore('threads').put(computed.thread);
      if (plan.audit.length > 0) appendAudit(tx, plan.audit);
    };
    const read = tx.objectStore('threads').get(plan.threadId);
    if (known) {
      const expected = JSON.stringify(known);
      try {
        write(planEvents(plan, known));
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
      read.onsuccess = () => {
        if (read.result === undefined) fail(new MissingThreadRow());
        else if (JSON.stringify(read.result) !== expected) fail(new StaleThreadRow());
      };
    } else {
      read.onsuccess = () => {
        const stored = read.result as ThreadRecord | undefined;
        if (!stored) return fail(new MissingThreadRow());
        try {
          write(planEvents(plan, stored));
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      };
    }
    tx.oncomplete = () => {
      if (result && !failure) resolve(result);
      else reject(failure ?? new Error('The append transaction completed without writing.'));
    };
    tx.onabort = () => reject(failure ?? tx.error ?? new Error('The append transaction was aborted.'));
  });
}

/** Audit rows linked after the last stored row, added in `tx` once that row is read. */
function appendAudit(tx: IDBTransaction, entries: readonly AuditEntry[]): void {
  const audit = tx.objectStore('audit');
  const last = audit.openCursor(null, 'prev');
  last.onsuccess = () => {
    const previous = last.result?.value as AuditRecord | undefined;
    let id = previous?.id ?? 0;
    // The id is part of what is hashed, so it is assigned here rather than by auto-increment.
    const rows = linkRows(
      entries.map(({ id: _given, ...entry }) => ({ ...entry, id: ++id })),
      previous?.hash ?? GENESIS,
    );
    for (const row of rows) audit.add(row);
  };
}

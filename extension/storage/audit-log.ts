/**
 * The audit trail: one row per tool call, kept apart from the conversation so it outlives deleted
 * threads. Rows are hash-chained as they are written (shared/audit/audit-chain.ts): each stores the
 * previous row's hash and its own, so an export repeats the chain as it stood when each event
 * happened instead of vouching for whatever the table holds at export time.
 */
import { GENESIS, linkRows } from '../../shared/audit/audit-chain';
import { type AuditExport, buildAuditExport } from '../../shared/audit/audit-export';
import type { AuditEntry } from '../../shared/protocol';
import type { AuditRecord, TandemDatabase } from './db';

export interface AuditChainHead {
  rows: number;
  /** The last row's hash (`GENESIS` for an empty log). */
  head: string;
}

/**
 * Appends `entries` to the chain. Must run inside a read-write transaction over `db.audit` (it opens
 * one of its own otherwise): the last row is read and the new rows added in the same transaction, so
 * two writers can never link to the same previous row. Hashing is synchronous, so nothing awaited
 * here lets IndexedDB commit the transaction half-way.
 */
export async function appendAuditRows(db: TandemDatabase, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.transaction('rw', db.audit, async () => {
    const last = await db.audit.orderBy(':id').last();
    let id = last?.id ?? 0;
    // The id is part of what is hashed, so it is assigned here rather than by auto-increment.
    const rows = linkRows(
      entries.map(({ id: _given, ...entry }) => ({ ...entry, id: ++id })),
      last?.hash ?? GENESIS,
    );
    await db.audit.bulkAdd(rows);
  });
}

export class AuditLog {
  constructor(
    private readonly db: TandemDatabase,
    private readonly extensionVersion = 'unknown',
    private readonly now: () => number = Date.now,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await appendAuditRows(this.db, [entry]);
  }

  async list(threadId: string | undefined, limit: number): Promise<AuditEntry[]> {
    const query = threadId
      ? this.db.audit.where('threadId').equals(threadId).reverse()
      : this.db.audit.orderBy('at').reverse();
    return query.limit(limit).toArray();
  }

  async head(): Promise<AuditChainHead> {
    return this.db.transaction('r', this.db.audit, async () => {
      const last = await this.db.audit.orderBy(':id').last();
      return { rows: await this.db.audit.count(), head: last?.hash ?? GENESIS };
    });
  }

  /** The whole log as JSON Lines (shared/audit/audit-export.ts), oldest row first. */
  async exportJsonLines(): Promise<AuditExport> {
    const rows: AuditRecord[] = await this.db.audit.orderBy(':id').toArray();
    return buildAuditExport(rows, { extensionVersion: this.extensionVersion, exportedAt: new Date(this.now()) });
  }
}

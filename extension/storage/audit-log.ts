/** The audit trail: one row per tool call, kept apart from the conversation so it outlives deleted threads. */
import type { AuditEntry } from '../../shared/protocol';
import type { TandemDatabase } from './db';

export class AuditLog {
  constructor(private readonly db: TandemDatabase) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.audit.add(entry);
  }

  async list(threadId: string | undefined, limit: number): Promise<AuditEntry[]> {
    const query = threadId
      ? this.db.audit.where('threadId').equals(threadId).reverse()
      : this.db.audit.orderBy('at').reverse();
    return query.limit(limit).toArray();
  }
}

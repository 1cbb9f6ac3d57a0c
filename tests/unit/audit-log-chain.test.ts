/**
 * The audit table chains its rows as they are written: the export repeats that chain, concurrent
 * writers never fork it, and a database from before the chain is linked when it is upgraded.
 */
import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../extension/storage/audit-log';
import { TandemDatabase } from '../../extension/storage/db';
import { EventLog } from '../../extension/storage/event-log';
import { GENESIS } from '../../shared/audit/audit-chain';
import { verifyAuditExport } from '../../shared/audit/verify-audit-export';
import type { AuditEntry } from '../../shared/protocol';

let counter = 0;
const open: TandemDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function database(name = `audit-chain-${process.pid}-${++counter}`): TandemDatabase {
  const db = new TandemDatabase(name);
  open.push(db);
  return db;
}

function entry(n: number, threadId = 't1'): AuditEntry {
  return {
    threadId,
    taskId: 'task',
    toolUseId: `toolu_${n}`,
    at: 1_000 + n,
    tool: n % 2 ? 'get_time' : 'write_file',
    input: { n },
    decision: n % 2 ? 'auto' : 'allowed',
    ...(n % 2 ? {} : { decidedBy: 'panel' as const }),
    outcome: 'ok',
  };
}

describe('audit log hash chain', () => {
  it('links each row as it is written, from record and from the event log alike', async () => {
    const db = database();
    const audit = new AuditLog(db, '1.2.3', () => Date.UTC(2026, 11, 1));
    const log = new EventLog(db, () => 5);
    expect(await audit.head()).toEqual({ rows: 0, head: GENESIS });
    await db.threads.put({ id: 't1', title: 'x', createdAt: 1, updatedAt: 1, lastSeq: 0, status: 'idle' } as never);
    await audit.record(entry(1));
    await log.append('t1', [{ kind: 'task_started', taskId: 'task' } as never], undefined, [entry(2), entry(3)]);

    const rows = await db.audit.orderBy(':id').toArray();
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
    expect(rows[0]?.prev).toBe(GENESIS);
    expect(rows[1]?.prev).toBe(rows[0]?.hash);
    expect(rows[2]?.prev).toBe(rows[1]?.hash);
    expect(await audit.head()).toEqual({ rows: 3, head: rows[2]?.hash });

    const file = await audit.exportJsonLines();
    expect(verifyAuditExport(file.text)).toMatchObject({ ok: true, rows: 3, head: rows[2]?.hash });
    expect(file.text.split('\n')[0]).toContain('"extensionVersion":"1.2.3"');
    expect(file.fileName).toBe('tandem-audit-2026-12-01T00-00-00-000Z.jsonl');
  });

  it('keeps one chain when many writers append at once', async () => {
    const db = database();
    const audit = new AuditLog(db);
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.record(entry(i + 1, `t${i % 3}`))));
    const file = await audit.exportJsonLines();
    expect(verifyAuditExport(file.text)).toMatchObject({ ok: true, rows: 40 });
  });

  it('an export shows a row edited in the database afterwards (the chain was fixed at write time)', async () => {
    const db = database();
    const audit = new AuditLog(db);
    for (let n = 1; n <= 3; n++) await audit.record(entry(n));
    await db.audit.update(2, { decision: 'denied' });
    expect(verifyAuditExport((await audit.exportJsonLines()).text)).toMatchObject({ ok: false, line: 3 });
  });

  it('links the rows of a version-3 database when it is upgraded past version 4', async () => {
    const name = `audit-upgrade-${process.pid}`;
    const old = new Dexie(name);
    old.version(1).stores({
      threads: 'id, updatedAt',
      events: '[threadId+seq]',
      audit: '++id, threadId, at',
      commands: 'id, at',
      kv: 'key',
    });
    old.version(2).stores({ devices: 'id, status', pairings: 'secretId, expiresAt' });
    old.version(3).stores({
      schedules: 'id, threadId, nextRunAt',
      scheduleRuns: 'id, scheduleId, threadId, status',
      shortcuts: 'name',
    });
    await old.open();
    await old.table('audit').bulkAdd([entry(1), entry(2)]);
    old.close();

    const db = database(name);
    const audit = new AuditLog(db);
    await audit.record(entry(3));
    expect(db.verno).toBeGreaterThanOrEqual(4); // v5 (the search index) stacks on top
    const rows = await db.audit.orderBy(':id').toArray();
    expect(rows.map((row) => [row.id, row.toolUseId])).toEqual([
      [1, 'toolu_1'],
      [2, 'toolu_2'],
      [3, 'toolu_3'],
    ]);
    expect(verifyAuditExport((await audit.exportJsonLines()).text)).toMatchObject({ ok: true, rows: 3 });
  });
});

/**
 * The event log's fast path (extension/storage/direct-append.ts): one plain IndexedDB transaction
 * whose writes may be computed from the thread row the log remembers. It must stay exactly as
 * correct as reading the row first: a row changed by anyone else is never overwritten, seqs never
 * repeat or skip across several writers (a restarted worker beside one still finishing), and an
 * append resolves only once its transaction has committed, so nothing is published before it is
 * durable.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { TandemDatabase } from '../../extension/storage/db';
import { EventLog } from '../../extension/storage/event-log';
import { GENESIS, hashWithoutHash } from '../../shared/audit/audit-chain';
import { auditRow, emptyThread, text } from './support/event-log-rows';

let counter = 0;

async function freshDb(): Promise<{ db: TandemDatabase; name: string }> {
  counter += 1;
  const name = `direct-append-test-${counter}`;
  const db = new TandemDatabase(name);
  const thread = emptyThread();
  await db.threads.put(thread);
  return { db, name };
}

const texts = async (log: EventLog) => (await log.all('t1')).map((e) => (e.kind === 'text' ? e.text : e.kind));

describe('EventLog.append, direct path', () => {
  it('keeps a change another writer made to the thread row between two appends', async () => {
    const { db } = await freshDb();
    const log = new EventLog(db, () => 1_000);
    await log.append('t1', [text(1)]);
    // The log now remembers the row; someone else renames the thread meanwhile.
    await db.threads.update('t1', { title: 'Renamed elsewhere' });
    const [event] = await log.append('t1', [text(2)]);
    expect(event?.seq).toBe(2);
    const thread = await db.threads.get('t1');
    expect(thread?.title).toBe('Renamed elsewhere');
    expect(thread?.lastSeq).toBe(2);
    expect(await texts(log)).toEqual(['e1', 'e2']);
    db.close();
  });

  it('never repeats, skips or reorders seqs with two logs writing one thread (a restarted worker beside the old one)', async () => {
    const { db, name } = await freshDb();
    const other = new TandemDatabase(name);
    await other.open();
    const oldWorker = new EventLog(db, () => 1_000);
    const newWorker = new EventLog(other, () => 2_000);
    const written: number[] = [];
    const appends: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      const log = i % 3 === 0 ? newWorker : oldWorker;
      appends.push(
        log.append('t1', [text(i), text(i + 100)]).then((events) => {
          written.push(...events.map((e) => e.seq));
        }),
      );
      if (i % 4 === 0) await Promise.all(appends.splice(0));
    }
    await Promise.all(appends);
    expect([...written].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const stored = await oldWorker.all('t1');
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // Each append's two events are adjacent: one transaction each.
    for (let i = 0; i < stored.length; i += 2) {
      const first = stored[i];
      const second = stored[i + 1];
      expect(first?.kind === 'text' && second?.kind === 'text' && `e${Number(first.text.slice(1)) + 100}`).toBe(
        second?.kind === 'text' ? second.text : undefined,
      );
    }
    expect((await db.threads.get('t1'))?.lastSeq).toBe(40);
    other.close();
    db.close();
  });

  it('resolves only after its transaction has committed', async () => {
    const { db } = await freshDb();
    const log = new EventLog(db, () => 1_000);
    const idb = db.backendDB();
    const open = idb.transaction.bind(idb);
    const order: string[] = [];
    idb.transaction = ((...args: Parameters<IDBDatabase['transaction']>) => {
      const tx = open(...args);
      if (tx.mode === 'readwrite') tx.addEventListener('complete', () => order.push('committed'));
      return tx;
    }) as IDBDatabase['transaction'];
    for (let i = 1; i <= 3; i++) {
      await log.append('t1', [text(i)]);
      order.push('resolved');
    }
    expect(order).toEqual(['committed', 'resolved', 'committed', 'resolved', 'committed', 'resolved']);
    db.close();
  });

  it('chains audit rows to the last stored row, and a failed append chains nothing', async () => {
    const { db } = await freshDb();
    const log = new EventLog(db, () => 1_000);
    await log.append('t1', [text(1)], undefined, [auditRow('a1')]);
    await log.append('t1', [text(2)], undefined, [auditRow('a2'), auditRow('a3')]);
    await db.events.add({ ...text(99), threadId: 't1', seq: 4, at: 5 } as never);
    await expect(log.append('t1', [text(3), text(4)], undefined, [auditRow('a4')])).rejects.toThrow();
    await log.append('t1', [text(5)], undefined, [auditRow('a5')]);
    const rows = await db.audit.orderBy(':id').toArray();
    expect(rows.map((row) => [row.id, row.toolUseId])).toEqual([
      [1, 'a1'],
      [2, 'a2'],
      [3, 'a3'],
      [4, 'a5'],
    ]);
    rows.forEach((row, i) => {
      expect(row.prev).toBe(rows[i - 1]?.hash ?? GENESIS);
      expect(row.hash).toBe(hashWithoutHash(row));
    });
    // e5 takes seq 3, the first free one: the failed append held 3 and 4, and e99 sits at 4.
    expect(await texts(log)).toEqual(['e1', 'e2', 'e5', 'e99']);
    db.close();
  });

  it('reports a missing thread as before', async () => {
    const { db } = await freshDb();
    const log = new EventLog(db, () => 1_000);
    await expect(log.append('nope', [text(1)])).rejects.toThrow(/No thread with id nope/);
    await log.append('t1', [text(1)]);
    await db.threads.delete('t1');
    await expect(log.append('t1', [text(2)])).rejects.toThrow(/No thread with id t1/);
    db.close();
  });
});

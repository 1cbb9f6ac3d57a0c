/**
 * The event log's append is one transaction: its events, the thread's new head and its audit rows
 * land together or not at all, however its writes are issued.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { TandemDatabase, type ThreadRecord } from '../../extension/storage/db';
import { EventLog } from '../../extension/storage/event-log';
import { auditRow, emptyThread, text } from './support/event-log-rows';

let counter = 0;

async function freshLog(): Promise<{ db: TandemDatabase; log: EventLog; thread: ThreadRecord }> {
  counter += 1;
  const db = new TandemDatabase(`event-log-test-${counter}`);
  const thread = emptyThread();
  await db.threads.put(thread);
  return { db, log: new EventLog(db, () => 1_000), thread };
}

describe('EventLog.append', () => {
  it('writes the events, the thread head, the update and the audit rows together', async () => {
    const { db, log } = await freshLog();
    const events = await log.append(
      't1',
      [text(1), text(2)],
      (thread) => {
        thread.title = 'Renamed in the same transaction';
      },
      [auditRow('a1')],
    );
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect((await log.all('t1')).map((e) => e.seq)).toEqual([1, 2]);
    const thread = await db.threads.get('t1');
    expect(thread?.lastSeq).toBe(2);
    expect(thread?.title).toBe('Renamed in the same transaction');
    expect(await db.audit.count()).toBe(1);
    db.close();
  });

  it('lands nothing when one of its writes fails', async () => {
    const { db, log } = await freshLog();
    await log.append('t1', [text(1)]);
    // A stray row where the next event goes: the events' write fails (the key exists).
    await db.events.add({ ...text(99), threadId: 't1', seq: 2, at: 5 } as never);
    await expect(
      log.append(
        't1',
        [text(2)],
        (thread) => {
          thread.title = 'Must not land';
        },
        [auditRow('a2')],
      ),
    ).rejects.toThrow();
    const thread = await db.threads.get('t1');
    expect(thread?.lastSeq).toBe(1);
    expect(thread?.title).toBe('Log');
    expect(await db.audit.count()).toBe(0);
    expect((await log.all('t1')).map((e) => (e.kind === 'text' ? e.text : e.kind))).toEqual(['e1', 'e99']);
    db.close();
  });
});

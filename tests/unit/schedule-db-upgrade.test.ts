import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { TandemDatabase } from '../../extension/storage/db';

describe('database upgrade for schedules', () => {
  it('opens a version-2 database as version 3 with every existing row kept and the new tables empty', async () => {
    const name = `schedule-upgrade-${process.pid}`;
    // The schema exactly as main shipped it before schedules (versions 1 and 2).
    const old = new Dexie(name);
    old.version(1).stores({
      threads: 'id, updatedAt',
      events: '[threadId+seq]',
      audit: '++id, threadId, at',
      commands: 'id, at',
      kv: 'key',
    });
    old.version(2).stores({ devices: 'id, status', pairings: 'secretId, expiresAt' });
    await old.open();
    await old.table('threads').put({ id: 't1', title: 'Kept', updatedAt: 1, lastSeq: 1 });
    await old.table('events').put({ threadId: 't1', seq: 1, at: 1, kind: 'task_started', taskId: 'a' });
    await old.table('devices').put({ id: 'd1', name: 'Phone', status: 'active' });
    await old.table('kv').put({ key: 'settings', value: { model: 'm' } });
    old.close();

    const db = new TandemDatabase(name);
    await db.open();
    // Later versions (the audit chain v4, the search index v5) stack on top; what this proves is that v3 arrived intact.
    expect(db.verno).toBeGreaterThanOrEqual(3);
    expect(await db.threads.get('t1')).toMatchObject({ title: 'Kept' });
    expect(await db.events.count()).toBe(1);
    expect(await db.devices.get('d1')).toMatchObject({ name: 'Phone' });
    expect(await db.kv.get('settings')).toMatchObject({ value: { model: 'm' } });
    expect(await db.schedules.count()).toBe(0);
    expect(await db.scheduleRuns.count()).toBe(0);
    expect(await db.shortcuts.count()).toBe(0);
    db.close();
  });
});

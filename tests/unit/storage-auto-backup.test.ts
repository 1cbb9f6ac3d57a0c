/** The automatic backup outside IndexedDB keeps up with the database without exporting on every step. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AutoBackup, type Snapshot } from '../../extension/storage/auto-backup';
import { Backup } from '../../extension/storage/backup';
import { TandemDatabase } from '../../extension/storage/db';
import { ZERO_USAGE } from '../../shared/pricing';
import { waitUntil } from '../support/runtime-harness';

let counter = 0;

function thread(id: string) {
  return {
    id,
    title: id,
    createdAt: 1,
    updatedAt: 1,
    archived: false,
    lastSeq: 0,
    status: 'idle' as const,
    pendingDecisions: 0,
    usage: ZERO_USAGE,
    costUsd: 0,
  };
}

describe('automatic backup', () => {
  it('defers a snapshot asked for too soon instead of dropping it, and never saves an empty database', async () => {
    const db = new TandemDatabase(`tandem-auto-backup-${process.pid}-${++counter}`);
    let stored: Snapshot | undefined;
    const store = {
      get: async () => stored,
      getAt: async () => stored?.at,
      set: async (s: Snapshot) => {
        stored = s;
      },
    };
    const auto = new AutoBackup(new Backup(db), store, Date.now, 200);

    await auto.snapshotSoon();
    expect(stored).toBeUndefined(); // nothing to keep yet: an empty export never replaces a snapshot

    await db.threads.add(thread('first'));
    await auto.snapshotSoon();
    expect(stored?.json).toContain('"first"');

    await db.threads.add(thread('second'));
    await auto.snapshotSoon(); // too soon: deferred
    expect(stored?.json).not.toContain('"second"');
    await waitUntil(() => stored?.json.includes('"second"') ?? false, 3_000, 'the deferred snapshot');

    // The browser empties the database: the snapshot keeps the threads.
    await db.threads.clear();
    await auto.snapshotSoon(true);
    expect(stored?.json).toContain('"second"');
    expect((await auto.latestAt()) ?? 0).toBeGreaterThan(0);
  });
});

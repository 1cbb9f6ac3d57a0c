import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { StorageMonitor } from '../../extension/runtime/storage-monitor';
import type { AutoBackup } from '../../extension/storage/auto-backup';
import { TandemDatabase } from '../../extension/storage/db';
import { StorageGuard } from '../../extension/storage/storage-guard';
import { type DurableMarker, StorageWatch } from '../../extension/storage/storage-watch';
import type { StorageStatus, ThreadSummary } from '../../shared/protocol';

describe('the storage monitor, once the database was found emptied', () => {
  it('keeps saying so when a thread list read before the loss arrives while the status is being built', async () => {
    const db = new TandemDatabase(`tandem-monitor-stale-${process.pid}`);
    await db.open();
    // The marker outlived the database: it counted one conversation, the database has none.
    let marker: DurableMarker | undefined = { schemaVersion: db.verno, threadCount: 1, lastEventAt: 1, updatedAt: 1 };
    const watch = new StorageWatch({
      estimator: undefined,
      marker: {
        get: async () => marker,
        set: async (value) => {
          marker = value;
        },
      },
      schemaVersion: db.verno,
      now: () => 2,
    });
    // A thread-list broadcast that read the old database (one thread) just before the browser
    // deleted it lands while the monitor, having noticed the loss, builds the status it publishes.
    const stale = [{ id: 't1', updatedAt: 1 }] as unknown as ThreadSummary[];
    let staleArrived = false;
    const autoBackup = {
      latestAt: async () => {
        if (watch.isLost && !staleArrived) {
          staleArrived = true;
          await monitor.noteThreads(stale, false);
        }
        return undefined;
      },
      diskInfo: async () => undefined,
    } as unknown as AutoBackup;
    const published: StorageStatus[] = [];
    const monitor: StorageMonitor = new StorageMonitor({
      db,
      guard: new StorageGuard(db),
      watch,
      autoBackup,
      publish: (status) => published.push(status),
      lost: () => {},
    });
    await monitor.check();
    expect(staleArrived).toBe(true);
    expect(monitor.current.state).toBe('lost');
    expect(published.at(-1)?.state).toBe('lost');
    expect(marker).toMatchObject({ threadCount: 1 });
    db.close();
  });
});

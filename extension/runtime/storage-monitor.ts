/**
 * What panels are told about storage, kept in one place: a write failing now (from the guard), a
 * database found empty where the durable marker counted threads (at start, after any reopen, after
 * a loop that lost its thread), space running out, and when the automatic backup was taken (in the
 * browser's storage and, with the file host installed, in its folder on the computer).
 */
import type { StorageStatus, ThreadSummary } from '../../shared/protocol';
import type { AutoBackup } from '../storage/auto-backup';
import type { TandemDatabase } from '../storage/db';
import type { StorageGuard } from '../storage/storage-guard';
import { type StorageWatch, storageStatusOf } from '../storage/storage-watch';

export class StorageMonitor {
  private status: StorageStatus = { state: 'ok' };
  private failing: string | undefined;
  private started: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      db: TandemDatabase;
      guard: StorageGuard;
      watch: StorageWatch | undefined;
      autoBackup: AutoBackup | undefined;
      /** Sends a changed status to the panels. */
      publish(status: StorageStatus): void;
      /** The database was found emptied: in-memory thread states describe threads it no longer has. */
      lost(): void;
    },
  ) {
    deps.guard.onHealth((health) => {
      this.failing = health.ok ? undefined : health.failure.message;
      void this.check().catch(() => {});
    });
    // Every open counts, Dexie's own automatic reopen after the browser closed the database included
    // (a sticky 'ready' fires on each). Not awaited by Dexie: the check itself reads the database.
    deps.db.on('ready', () => void setTimeout(() => void this.checkForLoss().catch(() => {}), 0), true);
  }

  get current(): StorageStatus {
    return this.status;
  }

  /** Refreshes the status (the first call also starts the watch: persistence, the marker). */
  async check(): Promise<StorageStatus> {
    const watch = this.deps.watch;
    if (watch) {
      this.started ??= (async () => {
        const threads = await this.deps.db.threads.toArray();
        await watch.start({
          threadCount: threads.length,
          lastEventAt: threads.reduce((latest, t) => Math.max(latest, t.updatedAt), 0),
        });
      })().catch(() => {
        this.started = undefined; // the database could not be read: try again next time
      });
      await this.started;
      await this.checkForLoss().catch(() => {});
    }
    const autoBackupAt = await this.deps.autoBackup?.latestAt();
    const diskBackup = await this.deps.autoBackup?.diskInfo();
    const status = watch
      ? await watch.status(this.failing, autoBackupAt, diskBackup)
      : storageStatusOf({ failing: this.failing, autoBackupAt, diskBackup });
    if (JSON.stringify(status) !== JSON.stringify(this.status)) {
      this.status = status;
      this.deps.publish(status);
    }
    return status;
  }

  /** Records what the database holds (the durable marker), after the thread list changed. */
  async noteThreads(threads: readonly ThreadSummary[], emptiedByUser: boolean): Promise<void> {
    const watch = this.deps.watch;
    if (!watch) return;
    // A list read before the loss was noticed (a broadcast in flight while the browser deleted the
    // database) must not clear the warning: while lost, only what the database holds now counts.
    const current: readonly { updatedAt: number }[] = watch.isLost ? await this.deps.db.threads.toArray() : threads;
    const lastEventAt = current.reduce((latest, t) => Math.max(latest, t.updatedAt), 0);
    await watch.note({ threadCount: current.length, lastEventAt }, false, emptiedByUser);
    if (this.status.state === 'lost' && current.length > 0) await this.check();
  }

  /** Keeps the automatic backup fresh (after a finished task), then shows its time. */
  async snapshot(): Promise<void> {
    await this.deps.autoBackup?.snapshotSoon();
    await this.check();
  }

  /**
   * Did the database come back empty where the marker counted threads? Then the browser deleted it
   * (its corruption handling after a failed write): say so at once, not at the next start.
   */
  private async checkForLoss(): Promise<void> {
    const watch = this.deps.watch;
    if (!watch || watch.isLost) return;
    const threadCount = await this.deps.db.threads.count();
    if (threadCount > 0 || !watch.recheck({ threadCount }, await watch.marker())) return;
    this.deps.lost();
    await this.check();
  }
}

/**
 * Watches the browser storage Tandem lives in, so data is never lost silently:
 * - space: `navigator.storage.estimate()`; the panel warns before it runs out (a full disk makes
 *   writes fail, and Chromium's corruption handling has been seen deleting the whole database
 *   after a second disk-full episode);
 * - persistence: `navigator.storage.persist()` where the browser grants it, so it never evicts
 *   Tandem's data under storage pressure on its own;
 * - a durable marker outside IndexedDB (`storage.local`: schema version, thread count, last event
 *   time), so a start that finds an empty database where one existed says so plainly.
 */
import type { StorageStatus } from '../../shared/protocol';

/** The parts of `navigator.storage` used (absent in some contexts: then nothing is watched). */
export interface StorageEstimator {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

/** One small JSON document outside IndexedDB (the extension's `storage.local`). */
export interface MarkerStore {
  get(): Promise<unknown>;
  set(value: DurableMarker): Promise<void>;
}

export interface DurableMarker {
  schemaVersion: number;
  threadCount: number;
  lastEventAt: number;
  updatedAt: number;
}

/** Used share of the quota from which the panel warns that space is running out. */
export const LOW_SPACE_SHARE = 0.9;

function parseMarker(raw: unknown): DurableMarker | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { schemaVersion, threadCount, lastEventAt, updatedAt } = raw as Record<string, unknown>;
  if (typeof threadCount !== 'number' || typeof lastEventAt !== 'number') return undefined;
  return {
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 0,
    threadCount,
    lastEventAt,
    updatedAt: typeof updatedAt === 'number' ? updatedAt : 0,
  };
}

function restoreAdvice(input: { autoBackupAt?: number | undefined; diskBackup?: { at: number } | undefined }): string {
  const newest =
    input.autoBackupAt !== undefined && (input.diskBackup === undefined || input.autoBackupAt >= input.diskBackup.at)
      ? `the automatic backup of ${new Date(input.autoBackupAt).toLocaleString()}`
      : input.diskBackup !== undefined
        ? `the automatic backup of ${new Date(input.diskBackup.at).toLocaleString()} from the computer's backup folder`
        : undefined;
  return newest === undefined
    ? 'Restore a backup in Settings → Backup & storage.'
    : `Restore ${newest} in Settings → Backup & storage.`;
}

/** Pure: what the panel should say about the storage. */
export function storageStatusOf(input: {
  usage?: number | undefined;
  quota?: number | undefined;
  persisted?: boolean | undefined;
  lost?: DurableMarker | undefined;
  failing?: string | undefined;
  autoBackupAt?: number | undefined;
  /** The newest automatic backup in the file host's folder on the computer. */
  diskBackup?: { at: number; folder: string } | undefined;
}): StorageStatus {
  const base = {
    ...(input.autoBackupAt === undefined ? {} : { autoBackupAt: input.autoBackupAt }),
    ...(input.diskBackup === undefined
      ? {}
      : { diskBackupAt: input.diskBackup.at, diskBackupFolder: input.diskBackup.folder }),
    ...(input.usage === undefined ? {} : { usageBytes: input.usage }),
    ...(input.quota === undefined ? {} : { quotaBytes: input.quota }),
    ...(input.persisted === undefined ? {} : { persisted: input.persisted }),
  };
  // Lost comes first: it is the graver fact and says how to restore, and a reopen that found the
  // database emptied leaves the failure that led there standing until the next successful write.
  if (input.lost) {
    const when = new Date(input.lost.lastEventAt).toLocaleString();
    return {
      state: 'lost',
      ...base,
      message: `Tandem's database is empty, but it held ${input.lost.threadCount} conversation${
        input.lost.threadCount === 1 ? '' : 's'
      } (last activity ${when}). The browser may have deleted it after a storage failure. ${restoreAdvice(input)}`,
    };
  }
  if (input.failing) return { state: 'failing', ...base, message: input.failing };
  if (input.usage !== undefined && input.quota && input.usage / input.quota >= LOW_SPACE_SHARE) {
    const freeMb = Math.max(0, (input.quota - input.usage) / 1_048_576);
    return {
      state: 'low',
      ...base,
      message: `Storage is almost full (${freeMb.toFixed(1)} MB left for Tandem). Free disk space or delete old conversations, and export a backup in Settings → Backup.`,
    };
  }
  return { state: 'ok', ...base };
}

export class StorageWatch {
  private lost: DurableMarker | undefined;
  private persisted: boolean | undefined;
  private lastWrite = 0;
  private lastCount = 0;

  constructor(
    private readonly deps: {
      estimator: StorageEstimator | undefined;
      marker: MarkerStore | undefined;
      schemaVersion: number;
      now(): number;
      /** Minimum time between marker writes (it changes on most steps of a task). */
      markerEveryMs?: number;
    },
  ) {}

  /**
   * At start: compares the marker with what the database has, and asks for persistence.
   * `threadCount` and `lastEventAt` come from the database as it is now.
   */
  async start(current: { threadCount: number; lastEventAt: number }): Promise<void> {
    const previous = parseMarker(await this.deps.marker?.get().catch(() => undefined));
    if (previous && previous.threadCount > 0 && current.threadCount === 0) {
      // Keep the marker as it is: the warning stays until threads exist again (created or restored).
      this.lost = previous;
    } else {
      this.lastCount = previous?.threadCount ?? 0;
      await this.note(current, true, true);
    }
    const estimator = this.deps.estimator;
    try {
      this.persisted = (await estimator?.persisted?.()) ?? undefined;
      if (this.persisted === false && estimator?.persist) this.persisted = await estimator.persist();
    } catch {
      this.persisted = undefined; // not offered in this context
    }
  }

  get isLost(): boolean {
    return this.lost !== undefined;
  }

  /** After a reopen: a database that came back empty where the marker counted threads was lost. */
  recheck(current: { threadCount: number }, previous: DurableMarker | undefined): boolean {
    if (current.threadCount === 0 && previous && previous.threadCount > 0) this.lost = previous;
    return this.lost !== undefined;
  }

  async marker(): Promise<DurableMarker | undefined> {
    return parseMarker(await this.deps.marker?.get().catch(() => undefined));
  }

  /** Records what the database holds now (throttled unless `force`). */
  async note(
    current: { threadCount: number; lastEventAt: number },
    force = false,
    /** The user deleted the last thread: an empty database is then expected. */
    emptiedByUser = false,
  ): Promise<void> {
    if (current.threadCount > 0) this.lost = undefined;
    if (this.lost || !this.deps.marker) return;
    // Never let an emptied database overwrite the evidence, unless the user emptied it.
    if (current.threadCount === 0 && this.lastCount > 0 && !emptiedByUser) return;
    const now = this.deps.now();
    // A new count is written at once (it is what proves a loss); only the time is throttled.
    const countChanged = current.threadCount !== this.lastCount;
    if (!force && !countChanged && now - this.lastWrite < (this.deps.markerEveryMs ?? 5_000)) return;
    this.lastCount = current.threadCount;
    this.lastWrite = now;
    await this.deps.marker
      .set({
        schemaVersion: this.deps.schemaVersion,
        threadCount: current.threadCount,
        lastEventAt: current.lastEventAt,
        updatedAt: now,
      })
      .catch(() => {});
  }

  async status(
    failing?: string,
    autoBackupAt?: number,
    diskBackup?: { at: number; folder: string },
  ): Promise<StorageStatus> {
    let usage: number | undefined;
    let quota: number | undefined;
    try {
      const estimate = await this.deps.estimator?.estimate();
      usage = estimate?.usage;
      quota = estimate?.quota;
    } catch {
      // No estimate in this context: the status says what it can.
    }
    return storageStatusOf({
      usage,
      quota,
      persisted: this.persisted,
      lost: this.lost,
      failing,
      autoBackupAt,
      diskBackup,
    });
  }
}

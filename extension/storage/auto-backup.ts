/**
 * An automatic backup outside IndexedDB. Chromium's corruption handling has been seen deleting an
 * extension's whole IndexedDB after a write failed on a full disk (and Dexie then opens a fresh,
 * empty one); the browser's other store (`storage.local`, its own files) keeps this snapshot, so the
 * user restores with one click and loses at most what happened since the last snapshot.
 *
 * When the file host is installed the same snapshot also goes to its own folder on the computer
 * (files/host-backups.ts), outside the browser profile: a browser that loses its storage wholesale
 * (or a new profile) can still restore from there. Each copy is written on its own; neither failing
 * (a full disk, no host) stops the other or the snapshot.
 */
import type { Backup } from './backup';

export interface Snapshot {
  at: number;
  json: string;
}

/** Where the snapshot lives (the extension's `storage.local` in the browser). */
export interface SnapshotStore {
  get(): Promise<unknown>;
  /** Only the time of the snapshot (cheap: the snapshot itself can be tens of MB). */
  getAt(): Promise<unknown>;
  set(snapshot: Snapshot): Promise<void>;
}

/** The copy on the computer (the file host's backup folder): where it is, too. */
export interface DiskSnapshotStore extends SnapshotStore {
  latestInfo(): Promise<{ at: number; folder: string } | undefined>;
}

/** A snapshot larger than this is not taken automatically (the manual export still works). */
export const MAX_SNAPSHOT_CHARS = 32 * 1024 * 1024;

function parseSnapshot(raw: unknown): Snapshot | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { at, json } = raw as Record<string, unknown>;
  return typeof at === 'number' && typeof json === 'string' ? { at, json } : undefined;
}

export class AutoBackup {
  private lastAt = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly backup: Backup,
    private readonly store: SnapshotStore,
    private readonly now: () => number,
    /**
     * At least this long between snapshots; and at least 20 times as long as the last export took,
     * so a large history is not exported after every task (a small one is, nearly).
     */
    private readonly minIntervalMs = 10_000,
    private readonly disk?: DiskSnapshotStore,
  ) {}

  private lastCostMs = 0;
  private trailing: ReturnType<typeof setTimeout> | undefined;
  private again = false;

  async latest(): Promise<Snapshot | undefined> {
    return parseSnapshot(await this.store.get().catch(() => undefined));
  }

  async latestAt(): Promise<number | undefined> {
    const at = await this.store.getAt().catch(() => undefined);
    return typeof at === 'number' ? at : undefined;
  }

  /** The newest copy on the computer, read back from the file host. */
  async latestOnDisk(): Promise<Snapshot | undefined> {
    return parseSnapshot(await this.disk?.get());
  }

  /** When the newest copy on the computer was saved, and where; undefined without one (or without a host). */
  async diskInfo(): Promise<{ at: number; folder: string } | undefined> {
    return this.disk?.latestInfo().catch(() => undefined);
  }

  /** Takes a snapshot unless one was taken recently; never throws (a full disk just keeps the old one). */
  snapshotSoon(force = false): Promise<void> {
    if (this.running) {
      // Whatever changed while this one was being taken is in the next one.
      this.again = true;
      return this.running;
    }
    // A slow export (a large history, or storage that stalled) spaces snapshots out, up to a minute.
    const interval = Math.max(this.minIntervalMs, Math.min(60_000, 20 * this.lastCostMs));
    const wait = this.lastAt + interval - this.now();
    if (!force && wait > 0) {
      // Not dropped, deferred: the newest state is saved once the interval is over.
      this.trailing ??= setTimeout(() => {
        this.trailing = undefined;
        void this.snapshotSoon();
      }, wait);
      return Promise.resolve();
    }
    this.running = (async () => {
      try {
        // Never the secrets: the snapshot sits in the browser profile, like the database itself.
        const started = Date.now();
        const { json } = await this.backup.export({ includeApiKey: false });
        if (json.length > MAX_SNAPSHOT_CHARS) return;
        // An export of an empty database must not replace a snapshot that still has the threads.
        if (json.includes('"threads":[]')) return;
        const snapshot = { at: this.now(), json };
        const [local, disk] = await Promise.allSettled([
          this.store.set(snapshot),
          this.disk ? this.disk.set(snapshot) : Promise.resolve(),
        ]);
        if (local.status === 'rejected' && (disk.status === 'rejected' || !this.disk)) return;
        this.lastAt = this.now();
        this.lastCostMs = Date.now() - started;
      } catch {
        // Storage full or failing: the previous snapshot stays, which is the point.
      } finally {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.snapshotSoon(true); // the one just written may already be stale
        }
      }
    })();
    return this.running;
  }
}

/**
 * Storage that fails safe. A failed IndexedDB write on a full disk makes Chromium close the
 * database under Dexie; Dexie's automatic reopen then fails while the disk is still full and
 * remembers that failure, so every later operation finds a dead database until the worker
 * restarts. `run` turns that into: reopen (close and open) and retry once; if that fails too, a
 * typed `StorageFailure` the caller reports (a command error, a paused task), never a silence.
 */
import type { Dexie } from 'dexie';

/** Error names IndexedDB and Dexie use for a storage that refused or lost the operation. */
const STORAGE_ERROR_NAMES = new Set([
  'QuotaExceededError',
  'DatabaseClosedError',
  'OpenFailedError',
  'UnknownError',
  'AbortError',
  'InvalidStateError',
  'TransactionInactiveError',
  'PrematureCommitError',
  'DataCloneError',
  'VersionError',
]);

export class StorageFailure extends Error {
  constructor(
    message: string,
    /** The disk (or the browser's quota for Tandem) is full: freeing space fixes it. */
    readonly full: boolean,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StorageFailure';
  }
}

function errorNames(error: unknown): string[] {
  const names: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const { name, inner } = current as { name?: unknown; inner?: unknown };
    if (typeof name === 'string') names.push(name);
    current = inner;
  }
  return names;
}

export function isStorageError(error: unknown): boolean {
  return error instanceof StorageFailure || errorNames(error).some((name) => STORAGE_ERROR_NAMES.has(name));
}

export function storageFailureFrom(error: unknown): StorageFailure {
  if (error instanceof StorageFailure) return error;
  const full = errorNames(error).includes('QuotaExceededError');
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageFailure(
    full
      ? 'The browser has no storage space left for Tandem. Free some disk space, then retry: nothing you already had is lost.'
      : `The browser's storage failed (${detail}). Retry; if it keeps failing, restart the browser.`,
    full,
    error,
  );
}

export type StorageHealth = { ok: true } | { ok: false; failure: StorageFailure };

export class StorageGuard {
  private readonly listeners = new Set<(health: StorageHealth) => void>();
  private healthy = true;

  constructor(private readonly db: Dexie) {}

  /** Called with every change between healthy and failing. */
  onHealth(listener: (health: StorageHealth) => void): void {
    this.listeners.add(listener);
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  /**
   * Runs a storage operation; on a storage error reopens the database and runs it once more.
   * Errors that are not about storage (an unknown thread, a refused command) pass through untouched.
   * A database closed on purpose (shutdown, a test killing the "worker") is never reopened.
   */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      this.report({ ok: true });
      return result;
    } catch (error) {
      if (!isStorageError(error) || this.db.hasBeenClosed()) throw error;
      try {
        await this.reopen();
        const result = await operation();
        this.report({ ok: true });
        return result;
      } catch (retryError) {
        if (!isStorageError(retryError) || this.db.hasBeenClosed()) throw retryError;
        const failure = storageFailureFrom(retryError);
        this.report({ ok: false, failure });
        throw failure;
      }
    }
  }

  private async reopen(): Promise<void> {
    // `disableAutoOpen: false` keeps Dexie's auto-open; the close forgets the remembered open failure.
    this.db.close({ disableAutoOpen: false });
    await this.db.open();
  }

  private report(health: StorageHealth): void {
    if (health.ok === this.healthy && health.ok) return;
    this.healthy = health.ok;
    for (const listener of this.listeners) listener(health);
  }
}

/**
 * The phone's durable outbox (shared/client/command-outbox.ts) in the page's own IndexedDB: what
 * the user sent while the computer was unreachable survives a closed or killed tab and goes out,
 * once, when the link returns. IndexedDB, not localStorage: a message may carry photos of a megabyte
 * or more each, and localStorage's 5 MB overflowed with two or three. Plain IndexedDB, no wrapper
 * library: the phone page's size matters. Read back through the protocol's own schema, so a
 * damaged or foreign entry is dropped rather than sent. Holds commands only, never keys: the
 * pairing store keeps those. An outbox left in localStorage by an earlier version moves in once.
 *
 * `load()` is the snapshot read when the page opened the outbox; `keep` writes through and rejects
 * when the command could not be stored (storage full), so the client can hand the message back to
 * the composer instead of losing it.
 */
import type { CommandOutbox } from '../../shared/client/command-outbox';
import { ClientCommand } from '../../shared/protocol/commands';

export const OUTBOX_DB = 'tandem-phone';
export const OUTBOX_STORE = 'outbox';
/** Where versions before IndexedDB kept it. */
const LEGACY_KEY = 'tandem.outbox.v1';
/** A phone offline for a long time must not fill the page's storage. */
const MAX_COMMANDS = 100;
/** The command error code when a command could not be kept (see ConversationClient.send). */
export const OUTBOX_FULL_CODE = 'storage_full';

/** One stored row: the command and its place in the queue (oldest first). */
interface Row {
  id: string;
  order: number;
  command: unknown;
}

export class OutboxWriteError extends Error {
  readonly code = OUTBOX_FULL_CODE;
}

export class PageOutbox implements CommandOutbox {
  private readonly order = new Map<string, number>();
  private nextOrder: number;
  private writes: Promise<unknown> = Promise.resolve();

  private readonly commands: ClientCommand[];

  private constructor(
    private readonly db: IDBDatabase | undefined,
    kept: { command: ClientCommand; order: number }[],
  ) {
    this.commands = kept.map((entry) => entry.command);
    for (const { command, order } of kept) this.order.set(command.id, order);
    this.nextOrder = Math.max(0, ...kept.map((entry) => entry.order)) + 1;
  }

  /** Opens the page's outbox (moving an old localStorage one in); never rejects. */
  static async open(options: { indexedDB: IDBFactory; legacy: Storage; openTimeoutMs?: number }): Promise<PageOutbox> {
    let db: IDBDatabase | undefined;
    try {
      db = await openDatabase(options.indexedDB, options.openTimeoutMs ?? OUTBOX_OPEN_TIMEOUT_MS);
    } catch {
      // Blocked (a private mode of an old browser): `keep` says so when it matters.
      return new PageOutbox(undefined, []);
    }
    let rows = await readRows(db).catch(() => [] as Row[]);
    const legacy = readLegacy(options.legacy);
    if (legacy.length > 0) {
      const start = Math.max(0, ...rows.map((row) => row.order)) + 1;
      const moved = legacy.map((command, i) => ({ id: command.id, order: start + i, command }));
      try {
        await write(db, (store) => {
          for (const row of moved) store.put(row);
        });
        options.legacy.removeItem(LEGACY_KEY);
        rows = [...rows, ...moved];
      } catch {
        // Left where it was: the next load tries again, and this one still sends it.
        rows = [...rows, ...moved];
      }
    } else if (options.legacy.getItem(LEGACY_KEY) !== null) {
      options.legacy.removeItem(LEGACY_KEY); // damaged: nothing to move
    }
    return new PageOutbox(db, validRows(rows));
  }

  load(): ClientCommand[] {
    return [...this.commands];
  }

  /** What the database holds now (another tab may have added to it), read after this page's own writes. */
  stored(): Promise<ClientCommand[]> {
    const db = this.db;
    if (!db) return Promise.resolve([]);
    return this.queue(() => readRows(db)).then((rows) => validRows(rows).map((entry) => entry.command));
  }

  keep(command: ClientCommand): Promise<void> {
    const db = this.db;
    if (!db) return Promise.reject(new OutboxWriteError(UNAVAILABLE_MESSAGE));
    const order = this.nextOrder++;
    this.order.set(command.id, order);
    const overflow = [...this.order.entries()].sort((a, b) => a[1] - b[1]).slice(0, -MAX_COMMANDS);
    for (const [id] of overflow) this.order.delete(id);
    return this.queue(() =>
      write(db, (store) => {
        store.put({ id: command.id, order, command } satisfies Row);
        for (const [id] of overflow) store.delete(id);
      }),
    ).catch((error: unknown) => {
      this.order.delete(command.id);
      throw new OutboxWriteError(isQuotaError(error) ? FULL_MESSAGE : UNAVAILABLE_MESSAGE);
    });
  }

  drop(commandId: string): void {
    const db = this.db;
    this.order.delete(commandId);
    if (!db) return;
    void this.queue(() => write(db, (store) => store.delete(commandId))).catch(() => {
      // Left behind: sent again on the next load, and the runtime applies a command id once.
    });
  }

  clear(): void {
    const db = this.db;
    this.order.clear();
    if (!db) return;
    void this.queue(() => write(db, (store) => store.clear())).catch(() => {
      // The database failed: the rows stay, as a failed drop leaves its row.
    });
  }

  /** Resolves when every write so far has finished (tests; a page about to reload). */
  async settled(): Promise<void> {
    await this.writes.catch(() => {});
  }

  /** Writes run one after the other, in the order the client asked for them. */
  private queue<T>(next: () => Promise<T>): Promise<T> {
    const run = this.writes.then(next, next);
    this.writes = run.catch(() => {});
    return run;
  }
}

const FULL_MESSAGE =
  'This phone’s storage is full: the message was not kept. Free some space, or send it when your computer is back.';
const UNAVAILABLE_MESSAGE = 'This browser lets the page keep nothing: send the message when your computer is back.';

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

/** An open that never answers (seen in old Safari) must not leave the page blank: it waits this long. */
export const OUTBOX_OPEN_TIMEOUT_MS = 5_000;

function openDatabase(factory: IDBFactory, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => settle(() => reject(new Error('The outbox database did not open.'))), timeoutMs);
    const request = factory.open(OUTBOX_DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(OUTBOX_STORE, { keyPath: 'id' });
    };
    request.onsuccess = () => {
      if (settled) request.result.close(); // too late: the page already runs without it
      settle(() => resolve(request.result));
    };
    request.onerror = () => settle(() => reject(request.error));
    request.onblocked = () => settle(() => reject(new Error('The outbox database is blocked by another tab.')));
  });
}

/** Rows read back through the protocol's schema, oldest first: a damaged or foreign entry is dropped. */
function validRows(rows: readonly Row[]): { command: ClientCommand; order: number }[] {
  const valid = rows.flatMap((row) => {
    const parsed = ClientCommand.safeParse(row.command);
    return parsed.success && parsed.data.id === row.id ? [{ command: parsed.data, order: row.order }] : [];
  });
  return valid.sort((a, b) => a.order - b.order);
}

function readRows(db: IDBDatabase): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const request = db.transaction(OUTBOX_STORE, 'readonly').objectStore(OUTBOX_STORE).getAll();
    request.onsuccess = () => resolve((request.result as unknown[]).filter(isRow));
    request.onerror = () => reject(request.error);
  });
}

/** One read-write transaction; resolves when it is committed, rejects with why it was not. */
function write(db: IDBDatabase, change: (store: IDBObjectStore) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let transaction: IDBTransaction;
    try {
      transaction = db.transaction(OUTBOX_STORE, 'readwrite');
      change(transaction.objectStore(OUTBOX_STORE));
    } catch (error) {
      reject(error);
      return;
    }
    transaction.oncomplete = () => resolve();
    // A full disk shows as an aborted transaction whose error is a QuotaExceededError.
    transaction.onabort = () => reject(transaction.error ?? new Error('The outbox write was aborted.'));
    transaction.onerror = (event) => event.preventDefault();
  });
}

function isRow(value: unknown): value is Row {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Partial<Row>;
  return typeof row.id === 'string' && typeof row.order === 'number';
}

function readLegacy(storage: Storage): ClientCommand[] {
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(LEGACY_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry) => {
    const parsed = ClientCommand.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

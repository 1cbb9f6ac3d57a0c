/**
 * What a notification tap leaves for the page: open this thread, and maybe answer this decision.
 * The service worker writes it (it cannot reach the computer: the link lives in the page) and the
 * page carries it out once connected. The command id is made at the tap and kept until the
 * runtime answered, so a page that reconnects and sends it again is applied once.
 *
 * The same database layout is written by phone-web/public/sw.js (plain JS): keep them in step.
 */
export const PENDING_DB = 'tandem-push';
export const PENDING_STORE = 'pending';

export interface PendingTap {
  /** The command id the answer is sent with (once-only on the runtime). */
  commandId: string;
  threadId?: string;
  decisionId?: string;
  /** Set when an action button was used ("Allow once" or "Deny"); a plain tap only opens. */
  optionId?: 'allow_once' | 'deny';
  at: number;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(PENDING_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(PENDING_STORE, { keyPath: 'commandId' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(PENDING_STORE, mode);
      const request = work(tx.objectStore(PENDING_STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export async function pendingTaps(): Promise<PendingTap[]> {
  const rows = await run('readonly', (store) => store.getAll() as IDBRequest<unknown[]>);
  return rows.filter(isPendingTap).sort((a, b) => a.at - b.at);
}

export async function removePendingTap(commandId: string): Promise<void> {
  await run('readwrite', (store) => store.delete(commandId));
}

export async function addPendingTap(tap: PendingTap): Promise<void> {
  await run('readwrite', (store) => store.put(tap));
}

function isPendingTap(value: unknown): value is PendingTap {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.commandId === 'string' &&
    typeof v.at === 'number' &&
    (v.threadId === undefined || typeof v.threadId === 'string') &&
    (v.decisionId === undefined || typeof v.decisionId === 'string') &&
    (v.optionId === undefined || v.optionId === 'allow_once' || v.optionId === 'deny')
  );
}

/**
 * Open write transfers and cancellable long operations (search, move, trash) of one host process.
 *
 * Requests run concurrently, but the steps of one write transfer must not:
 * `exclusive` chains them. A cancelled or aborted id is remembered (bounded) so
 * a late chunk gets `cancelled` instead of a puzzling `not_found`.
 */
import { type Hash, randomBytes } from 'node:crypto';
import { MAX_OPEN_TRANSFERS } from '../../shared/protocol/native-host';
import { HostError } from './errors';
import { discardTempFile, type TempFile } from './fs/atomic-write';
import type { VerifiedDir } from './fs/verified-dir';

export interface WriteTransfer {
  id: string;
  dir: VerifiedDir;
  temp: TempFile;
  name: string;
  display: string;
  realPath: string;
  overwrite: boolean;
  created: boolean;
  expectedSize: number | undefined;
  received: number;
  hash: Hash;
  lastActivity: number;
  chain: Promise<unknown>;
}

export interface Cancellable {
  signal: AbortSignal;
  checkpoint: () => Promise<void>;
  done: () => void;
}

type Ending = 'cancelled' | 'aborted' | 'committed' | 'failed' | 'expired';
const REMEMBERED_ENDINGS = 512;

export class TransferRegistry {
  private readonly writes = new Map<string, WriteTransfer>();
  private readonly searches = new Map<string, AbortController>();
  private readonly cancelledEarly = new Set<string>();
  private readonly endings = new Map<string, Ending>();

  newId(): string {
    return `w${randomBytes(12).toString('hex')}`;
  }

  reserveSlot(): void {
    if (this.writes.size >= MAX_OPEN_TRANSFERS) {
      throw new HostError(
        'busy',
        `${MAX_OPEN_TRANSFERS} write transfers are already open; commit or abort one before starting another`,
      );
    }
  }

  addWrite(transfer: WriteTransfer): void {
    this.reserveSlot();
    this.writes.set(transfer.id, transfer);
  }

  getWrite(id: string): WriteTransfer {
    const transfer = this.writes.get(id);
    if (transfer) return transfer;
    const ending = this.endings.get(id);
    if (ending === 'cancelled' || ending === 'expired') {
      throw new HostError('cancelled', `transfer ${id} was cancelled`);
    }
    if (ending) throw new HostError('not_found', `transfer ${id} is already ${ending}`);
    throw new HostError('not_found', `no open transfer ${id}`);
  }

  /** Runs the steps of one transfer one after another. */
  exclusive<T>(transfer: WriteTransfer, step: () => Promise<T>): Promise<T> {
    const run = transfer.chain.then(step);
    transfer.chain = run.catch(() => undefined);
    return run;
  }

  private remember(id: string, ending: Ending): void {
    this.endings.set(id, ending);
    if (this.endings.size > REMEMBERED_ENDINGS) {
      const oldest = this.endings.keys().next().value;
      if (oldest !== undefined) this.endings.delete(oldest);
    }
  }

  /** Forgets the transfer; unless it was committed, its temp file is removed. */
  async endWrite(transfer: WriteTransfer, ending: Ending): Promise<void> {
    if (this.writes.get(transfer.id) !== transfer) return;
    this.writes.delete(transfer.id);
    this.remember(transfer.id, ending);
    if (ending !== 'committed') await discardTempFile(transfer.dir, transfer.temp);
    await transfer.dir.close();
  }

  /**
   * A cancel for a long operation that is still waiting to start (queued behind
   * other work, or read in the same chunk as its cancel): it starts cancelled.
   * The session notes only ids of requests it holds, so this cannot grow.
   */
  cancelBeforeStart(id: string): void {
    this.cancelledEarly.add(id);
  }

  registerCancellable(id: string, controller: AbortController): void {
    if (this.searches.has(id) || this.writes.has(id)) {
      throw new HostError('bad_request', `transfer id ${id} is already in use`);
    }
    this.searches.set(id, controller);
  }

  unregisterCancellable(id: string, controller: AbortController): void {
    if (this.searches.get(id) === controller) this.searches.delete(id);
  }

  /**
   * A cancellable long operation: its `signal`, and a checkpoint that throws
   * `cancelled` once it was cancelled. Registered at once (before any await),
   * so a cancel sent right after the request finds it. Call `done` at the end.
   */
  startCancellable(id: string | undefined, what: string): Cancellable {
    const controller = new AbortController();
    if (id !== undefined) {
      this.registerCancellable(id, controller);
      if (this.cancelledEarly.delete(id)) controller.abort();
    }
    return {
      signal: controller.signal,
      checkpoint: async () => {
        if (controller.signal.aborted) throw new HostError('cancelled', `the ${what} was cancelled`);
      },
      done: () => {
        if (id !== undefined) this.unregisterCancellable(id, controller);
      },
    };
  }

  /** Cancels a write (waiting for a running step to finish first) or a search. */
  async cancel(id: string): Promise<boolean> {
    if (this.cancelledEarly.has(id)) return true;
    const search = this.searches.get(id);
    if (search) {
      search.abort();
      this.searches.delete(id);
      return true;
    }
    const transfer = this.writes.get(id);
    if (!transfer) return false;
    this.remember(id, 'cancelled');
    await this.exclusive(transfer, () => this.endWrite(transfer, 'cancelled'));
    return true;
  }

  /** Drops transfers nobody has touched for `maxIdleMs` (a crashed extension leaves them behind). */
  async expireIdle(now: number, maxIdleMs: number): Promise<void> {
    for (const transfer of [...this.writes.values()]) {
      if (now - transfer.lastActivity > maxIdleMs) {
        await this.exclusive(transfer, () => this.endWrite(transfer, 'expired'));
      }
    }
  }

  /** At disconnect: nothing half-written stays behind. */
  async closeAll(): Promise<void> {
    for (const search of this.searches.values()) search.abort();
    this.searches.clear();
    this.cancelledEarly.clear();
    for (const transfer of [...this.writes.values()]) {
      await this.exclusive(transfer, () => this.endWrite(transfer, 'cancelled'));
    }
  }
}

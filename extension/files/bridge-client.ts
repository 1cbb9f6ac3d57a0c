/**
 * The extension's half of the native host protocol (shared/protocol/native-host.ts):
 * one port to the host, requests with ids, an answer per id validated with the
 * op's own result schema, timeouts, cancellation, and the bridge's state as the
 * user sees it ("not installed", "connected", "error: …").
 *
 * The port is opened on demand and closed after a quiet minute: an open
 * `connectNative` port keeps Chrome's service worker alive for ever
 * (../shared/BROWSER-TESTING.md), and reopening costs ~70 ms. Each new port
 * starts with `hello`, pipelined ahead of the request that opened it (the host
 * starts requests in arrival order).
 */
import { NATIVE_HOST_NAME } from '../../shared/extension-identity';
import type { BridgeStatus } from '../../shared/protocol/files';
import {
  type NativeHostErrorCode,
  type NativeHostOp,
  type NativeHostRequestInputOf,
  NativeHostResponse,
  type NativeHostResultOf,
  NativeHostResults,
} from '../../shared/protocol/native-host';
import { classifyDisconnect, HOST_INSTALL_COMMAND } from './bridge-state';
import type { NativeConnector, NativePort } from './native-port';

export type BridgeErrorCode =
  | NativeHostErrorCode
  /** No host manifest: the host has to be installed. */
  | 'not_installed'
  /** The port closed, or could not be opened. */
  | 'unavailable'
  | 'timeout'
  | 'cancelled'
  /** The host answered something that does not fit the protocol. */
  | 'bad_answer';

/** A failed bridge call; `message` is meant for people (and the model) as it is. */
export class BridgeError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

export type RequestFields<Op extends NativeHostOp> = Omit<NativeHostRequestInputOf<Op>, 'id' | 'op'>;

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** A search or write transfer to stop on the host if this call is aborted or times out. */
  cancelTransferId?: string;
}

export interface FileBridgeOptions {
  connector: NativeConnector;
  hostName?: string;
  /** Per request; a chunk of a big read is one request. */
  timeoutMs?: number;
  /** Close the port after this long without a request in flight. */
  idleCloseMs?: number;
  now?: () => number;
}

interface Pending {
  op: NativeHostOp;
  resolve(result: unknown): void;
  reject(error: BridgeError): void;
  cleanup(): void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const HELLO_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_CLOSE_MS = 60_000;

export class FileBridge {
  private port: NativePort | undefined;
  /** The `hello` of the current port. */
  private opening: Promise<unknown> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(status: BridgeStatus) => void>();
  private counter = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private current: BridgeStatus;
  private readonly hostName: string;
  private readonly timeoutMs: number;
  private readonly idleCloseMs: number;
  private readonly now: () => number;
  /** The host's answer to the latest `hello` (its folders, limits, version). */
  lastHello: NativeHostResultOf<'hello'> | undefined;

  constructor(private readonly options: FileBridgeOptions) {
    this.hostName = options.hostName ?? NATIVE_HOST_NAME;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.idleCloseMs = options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
    this.now = options.now ?? Date.now;
    this.current = { state: 'unknown', installCommand: HOST_INSTALL_COMMAND, at: this.now() };
  }

  get status(): BridgeStatus {
    return this.current;
  }

  get connected(): boolean {
    return this.port !== undefined;
  }

  onStatus(listener: (status: BridgeStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends one request; resolves with its schema-checked result, rejects with a BridgeError. */
  call<Op extends NativeHostOp>(
    op: Op,
    fields: RequestFields<Op>,
    options: CallOptions = {},
  ): Promise<NativeHostResultOf<Op>> {
    let port: NativePort;
    try {
      port = this.ensurePort();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.send(port, op, fields, options);
  }

  /** A fresh look (the "Check again" button): reconnects unless a request is in flight, and says hello. */
  async check(): Promise<BridgeStatus> {
    if (this.pending.size === 0) this.close();
    try {
      this.ensurePort();
    } catch {
      return this.current;
    }
    await this.opening?.catch(() => undefined);
    return this.current;
  }

  /** Closes the port; requests in flight fail. The next call opens a new one. */
  close(): void {
    const port = this.port;
    this.port = undefined;
    this.stopIdleTimer();
    this.failAll(new BridgeError('unavailable', 'The connection to the file host was closed.'));
    try {
      port?.disconnect();
    } catch {
      // Already gone.
    }
  }

  private ensurePort(): NativePort {
    if (this.port) return this.port;
    let port: NativePort;
    try {
      port = this.options.connector.connect(this.hostName);
    } catch (error) {
      const message = `The browser could not start the file host: ${error instanceof Error ? error.message : String(error)}`;
      this.setStatus({ state: 'error', message });
      throw new BridgeError('unavailable', message);
    }
    this.port = port;
    port.onMessage.addListener((raw) => this.receive(raw));
    port.onDisconnect.addListener(() => this.disconnected(port, this.options.connector.disconnectReason(port)));
    this.opening = this.send(
      port,
      'hello',
      { clientVersion: 'tandem-extension' },
      { timeoutMs: HELLO_TIMEOUT_MS },
    ).then(
      (hello) => {
        this.lastHello = hello;
        this.setStatus({ state: 'connected', hostVersion: hello.hostVersion });
      },
      (error: BridgeError) => {
        // A closed port has already said why (disconnected); the host refusing us has not.
        if (error.code === 'forbidden_caller' || error.code === 'bad_answer' || error.code === 'timeout') {
          this.setStatus({ state: 'error', message: `The file host refused to start: ${error.message}` });
        }
      },
    );
    return port;
  }

  private send<Op extends NativeHostOp>(
    port: NativePort,
    op: Op,
    fields: RequestFields<Op>,
    options: CallOptions,
  ): Promise<NativeHostResultOf<Op>> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new BridgeError('cancelled', 'Cancelled before it started.'));
    const id = `x${(++this.counter).toString(36)}`;
    return new Promise<NativeHostResultOf<Op>>((resolve, reject) => {
      const onAbort = () => this.giveUp(id, new BridgeError('cancelled', 'Cancelled.'), options.cancelTransferId);
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      const timer = setTimeout(
        () =>
          this.giveUp(
            id,
            new BridgeError('timeout', `The file host did not answer ${op} within ${Math.round(timeoutMs / 1000)} s.`),
            options.cancelTransferId,
          ),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        op,
        resolve: resolve as (result: unknown) => void,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      });
      this.stopIdleTimer();
      try {
        port.postMessage({ id, op, ...fields });
      } catch (error) {
        this.settle(id, (entry) =>
          entry.reject(
            new BridgeError(
              'unavailable',
              `Could not send to the file host: ${error instanceof Error ? error.message : String(error)}`,
            ),
          ),
        );
      }
    });
  }

  private giveUp(id: string, error: BridgeError, cancelTransferId: string | undefined): void {
    if (!this.pending.has(id)) return;
    this.settle(id, (entry) => entry.reject(error));
    // The host keeps working on an abandoned search or transfer unless told to stop.
    if (cancelTransferId && this.port) {
      void this.call('cancel', { transferId: cancelTransferId }, { timeoutMs: 5_000 }).catch(() => undefined);
    }
  }

  private settle(id: string, outcome: (entry: Pending) => void): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.cleanup();
    outcome(entry);
    if (this.pending.size === 0) this.startIdleTimer();
  }

  private receive(raw: unknown): void {
    const parsed = NativeHostResponse.safeParse(raw);
    if (!parsed.success) {
      console.warn('Tandem: the file host sent something that is not a protocol answer', parsed.error.issues[0]);
      return;
    }
    const answer = parsed.data;
    if (answer.id === null) {
      // The host could not read one of our frames at all: a bug on our side, nothing to route it to.
      console.warn('Tandem: the file host could not read a request', answer.ok ? answer : answer.error);
      return;
    }
    const id = answer.id;
    const entry = this.pending.get(id);
    if (!entry) return; // answered after its timeout or cancellation
    if (!answer.ok) {
      const { code, message } = answer.error;
      this.settle(id, (e) => e.reject(new BridgeError(code, message)));
      return;
    }
    const result = NativeHostResults[entry.op].safeParse(answer.result);
    if (result.success) this.settle(id, (e) => e.resolve(result.data));
    else {
      const issue = result.error.issues[0];
      this.settle(id, (e) =>
        e.reject(
          new BridgeError(
            'bad_answer',
            `The file host's answer to ${entry.op} does not fit the protocol (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}); is it out of date? Reinstall it with ${HOST_INSTALL_COMMAND}.`,
          ),
        ),
      );
    }
  }

  private disconnected(port: NativePort, reason: string | undefined): void {
    if (port !== this.port) return; // an old port we closed ourselves
    this.port = undefined;
    this.stopIdleTimer();
    const verdict = classifyDisconnect(reason);
    this.setStatus({ state: verdict.state, message: verdict.message });
    this.failAll(new BridgeError(verdict.state === 'not_installed' ? 'not_installed' : 'unavailable', verdict.message));
  }

  private failAll(error: BridgeError): void {
    for (const id of [...this.pending.keys()]) this.settle(id, (entry) => entry.reject(error));
  }

  private startIdleTimer(): void {
    this.stopIdleTimer();
    if (!this.port) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      // Quiet: let the worker sleep. The state stays what it was ("connected" means it works).
      if (this.pending.size === 0) this.close();
    }, this.idleCloseMs);
  }

  private stopIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private setStatus(next: { state: BridgeStatus['state']; message?: string; hostVersion?: string }): void {
    const status: BridgeStatus = {
      state: next.state,
      installCommand: HOST_INSTALL_COMMAND,
      at: this.now(),
      ...(next.message === undefined ? {} : { message: next.message }),
      ...(next.hostVersion === undefined ? {} : { hostVersion: next.hostVersion }),
    };
    const previous = this.current;
    this.current = status;
    if (
      previous.state === status.state &&
      previous.message === status.message &&
      previous.hostVersion === status.hostVersion
    ) {
      return;
    }
    for (const listener of this.listeners) listener(status);
  }
}

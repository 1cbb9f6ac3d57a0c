/**
 * The side panel's `Transport`: an extension port to the runtime, reconnected for ever.
 *
 * The port drops whenever the service worker stops or restarts (Chrome stops idle
 * workers; an update restarts them). Each drop sets 'connecting' and reconnects
 * after a short backoff: 50 ms doubling to 2 s, back to 50 ms once a connection works.
 *
 * A port is "open" when the runtime's first message (its `welcome`) arrives, not
 * when `connect()` returns: `connect()` succeeds even when nothing is listening, and
 * the port then just disconnects. Messages sent before that are refused (the
 * conversation client queues them and re-sends them on 'open').
 */
import type { Transport, TransportState } from '../../shared/client/transport';

/** The part of `runtime.Port` this transport uses (a fake in tests). */
export interface PortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface ReconnectOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { initialDelayMs: 50, maxDelayMs: 2_000 };

export class PortTransport implements Transport {
  private current: PortLike | undefined;
  private stateValue: TransportState = 'connecting';
  private delayMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly messageListeners = new Set<(message: unknown) => void>();
  private readonly stateListeners = new Set<(state: TransportState) => void>();

  constructor(
    private readonly connect: () => PortLike,
    private readonly options: ReconnectOptions = DEFAULT_RECONNECT,
  ) {
    this.delayMs = options.initialDelayMs;
    this.open();
  }

  get state(): TransportState {
    return this.stateValue;
  }

  send(message: unknown): void {
    if (this.stateValue !== 'open' || !this.current)
      throw new Error(`Cannot send: the runtime link is ${this.stateValue}.`);
    // Throws if the port died since the last event; the caller re-sends after the next 'open'.
    this.current.postMessage(message);
  }

  onMessage(listener: (message: unknown) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onState(listener: (state: TransportState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const port = this.current;
    this.current = undefined;
    try {
      port?.disconnect();
    } catch {
      // Already gone.
    }
    this.setState('closed');
  }

  private open(): void {
    this.timer = undefined;
    if (this.stateValue === 'closed') return;
    let port: PortLike;
    try {
      port = this.connect();
    } catch {
      // The extension context is being torn down or reloaded; try again shortly.
      this.scheduleReconnect();
      return;
    }
    this.current = port;
    port.onMessage.addListener((message) => {
      if (this.current !== port) return;
      if (this.stateValue !== 'open') {
        this.delayMs = this.options.initialDelayMs;
        this.setState('open');
      }
      for (const listener of this.messageListeners) listener(message);
    });
    port.onDisconnect.addListener(() => {
      if (this.current !== port) return;
      this.current = undefined;
      if (this.stateValue === 'closed') return;
      this.setState('connecting');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stateValue === 'closed' || this.timer !== undefined) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs);
    this.timer = setTimeout(() => this.open(), delay);
  }

  private setState(state: TransportState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

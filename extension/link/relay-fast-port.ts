/**
 * The runtime → link host direction of the relay (Chrome) over a MessagePort instead of the
 * extension port: every event for a phone crosses it, and a MessagePort between the service worker
 * and the offscreen document carries a message in about a third of the time (structured clone
 * between the two processes, not JSON through the browser's extension messaging).
 *
 * The extension port stays what the relay's life hangs on: the host opens it (which starts the
 * worker), says everything host → runtime on it, keeps the worker awake with it, and learns from
 * its disconnect that the worker stopped. Right after connecting, the host offers a MessagePort:
 * it transfers one end to the worker by `ServiceWorker.postMessage`, tagged with a random token,
 * and names the token on the port (`host.fast`). The worker pairs the two (only the offscreen
 * document's own token, said on the sender-checked port, is accepted) and from then on sends
 * everything for the host through the MessagePort; what it had to say meanwhile waits, so nothing
 * overtakes anything. A port that never arrives leaves the relay on the extension port. The host
 * validates what arrives either way (RuntimeToHost), and drops the MessagePort with the port.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { RuntimeToHost } from '../../shared/protocol/link-relay';

/** What the host posts to the service worker, with the MessagePort transferred beside it. */
export const FastPortOffer = z.strictObject({
  type: z.literal('tandem-relay-fast-port'),
  token: z.string().length(32),
});
export type FastPortOffer = z.infer<typeof FastPortOffer>;

/** How long the worker holds messages for a MessagePort the host announced (it is sent at the same moment). */
export const FAST_PORT_WAIT_MS = 2_000;

/** The parts of a service worker's `message` event used (ExtendableMessageEvent). */
interface WorkerMessageEvent {
  data: unknown;
  ports: readonly MessagePort[];
  source: { url?: string } | null;
}

interface EventSource {
  addEventListener(type: 'message', listener: (event: WorkerMessageEvent) => void): void;
}

/** Worker side: MessagePorts offered by the offscreen document, by token, until their relay claims them. */
export class FastPortRegistry {
  private readonly offered = new Map<string, MessagePort>();
  private readonly waiting = new Map<string, (port: MessagePort) => void>();

  /** Listens on the worker's global (at its first evaluation, as service worker events must be). */
  constructor(scope: EventSource, offscreenUrl: string) {
    scope.addEventListener('message', (event) => {
      if (event.source?.url !== offscreenUrl) return;
      const offer = FastPortOffer.safeParse(event.data);
      const port = event.ports[0];
      if (!offer.success || !port) return;
      const claim = this.waiting.get(offer.data.token);
      if (claim) {
        this.waiting.delete(offer.data.token);
        claim(port);
      } else if (this.offered.size < 8) {
        this.offered.set(offer.data.token, port);
      } else {
        port.close();
      }
    });
  }

  /** The port offered with `token`, once it is here; undefined after `waitMs`. */
  claim(token: string, waitMs = FAST_PORT_WAIT_MS): Promise<MessagePort | undefined> {
    const ready = this.offered.get(token);
    if (ready) {
      this.offered.delete(token);
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        resolve(undefined);
      }, waitMs);
      this.waiting.set(token, (port) => {
        clearTimeout(timer);
        resolve(port);
      });
    });
  }
}

/**
 * Worker side: sends RuntimeToHost messages in order, on the extension port until the host
 * announces a MessagePort, then (after holding what came meanwhile) on the MessagePort.
 */
export class RelayOutbox {
  private fast: MessagePort | undefined;
  private held: RuntimeToHost[] | undefined;
  private closed = false;

  constructor(private readonly slow: (message: RuntimeToHost) => void) {}

  /** Which way messages go now (diagnostics: tests check the MessagePort is in use). */
  get route(): 'port' | 'held' | 'fast' | 'closed' {
    if (this.closed) return 'closed';
    return this.held ? 'held' : this.fast ? 'fast' : 'port';
  }

  post(message: RuntimeToHost): void {
    if (this.closed) return;
    if (this.held) this.held.push(message);
    else if (this.fast) this.fast.postMessage(message);
    else this.slow(message);
  }

  /** The host announced a MessagePort: hold messages until it is claimed (or not). */
  async useFastPort(claimed: Promise<MessagePort | undefined>): Promise<void> {
    if (this.closed || this.fast || this.held) return;
    this.held = [];
    const port = await claimed;
    const held = this.held;
    this.held = undefined;
    if (this.closed) {
      port?.close();
      return;
    }
    this.fast = port;
    for (const message of held) this.post(message);
  }

  close(): void {
    this.closed = true;
    this.held = undefined;
    this.fast?.close();
    this.fast = undefined;
  }
}

/**
 * Host side: a new MessagePort for one relay connection, its other end already posted to the
 * worker. Undefined when this document has no controlling service worker to post it to.
 */
export function offerFastPort(onMessage: (raw: unknown) => void): { token: string; port: MessagePort } | undefined {
  const worker = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker?.controller;
  if (!worker) return undefined;
  const token = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => onMessage(event.data);
  try {
    worker.postMessage({ type: 'tandem-relay-fast-port', token } satisfies FastPortOffer, [channel.port2]);
  } catch {
    channel.port1.close();
    return undefined;
  }
  return { token, port: channel.port1 };
}

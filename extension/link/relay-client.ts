/**
 * Chrome, offscreen document side: the link host's gateway to the runtime in the service worker,
 * over the relay port (see shared/protocol/link-relay.ts).
 *
 * The port is opened when there is something to say and kept while phones are connected. Chrome
 * stops an idle worker after 30 s, which drops the port: with phones connected, the host reconnects
 * at once (which starts the worker again) and re-opens every session; the runtime greets each with
 * a new `welcome`, on which the phone resubscribes with `afterSeq` and re-sends unanswered
 * commands. While phones are connected a keep-alive every 20 s keeps that from happening at all.
 */
import browser, { type Runtime } from 'webextension-polyfill';
import type { LinkStatus } from '../../shared/protocol/link';
import {
  type HostToRuntime,
  LINK_RELAY_PORT,
  RELAY_KEEPALIVE_MS,
  RuntimeToHost,
} from '../../shared/protocol/link-relay';
import type { LinkHostGateway } from './link-host';
import type { GatewaySession, SessionInfo } from './phone-session';
import { offerFastPort } from './relay-fast-port';

interface RelayedSession {
  info: SessionInfo;
  deliver(json: string): void;
}

export class RelayGateway implements LinkHostGateway {
  private port: Runtime.Port | undefined;
  /** The runtime's messages arrive here once the worker has paired it with `port` (relay-fast-port.ts). */
  private fastPort: MessagePort | undefined;
  private readonly sessions = new Map<string, RelayedSession>();
  private lastStatus: LinkStatus | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;

  /** `refuse` closes a session the runtime will not serve (its device was revoked meanwhile). */
  constructor(private readonly refuse: (sessionId: string) => void) {}

  open(info: SessionInfo, deliver: (json: string) => void): GatewaySession {
    this.sessions.set(info.sessionId, { info, deliver });
    this.post({ type: 'session.open', ...info });
    this.updateKeepalive();
    return {
      receive: (message) => {
        if (this.sessions.has(info.sessionId)) {
          this.post({ type: 'session.message', sessionId: info.sessionId, message });
        }
      },
      close: () => {
        if (!this.sessions.delete(info.sessionId)) return;
        this.post({ type: 'session.close', sessionId: info.sessionId }, false);
        this.updateKeepalive();
      },
    };
  }

  paired(info: { secretId: string; deviceId: string; deviceName: string }): void {
    this.post({ type: 'host.paired', ...info });
  }

  status(status: LinkStatus): void {
    this.lastStatus = status;
    this.post({ type: 'host.status', status });
  }

  refused(code: string): void {
    this.post({ type: 'host.refused', code });
  }

  private post(message: HostToRuntime, connectIfNeeded = true): void {
    const port = this.port ?? (connectIfNeeded ? this.connect() : undefined);
    try {
      port?.postMessage(message);
    } catch {
      // The worker went away between the check and the send; onDisconnect reconnects if needed,
      // and the phone re-sends what was not answered.
    }
  }

  private connect(): Runtime.Port | undefined {
    let port: Runtime.Port;
    try {
      port = browser.runtime.connect({ name: LINK_RELAY_PORT });
    } catch {
      return undefined;
    }
    this.port = port;
    port.onMessage.addListener((raw: unknown) => this.onRuntimeMessage(raw));
    // First on the new port, so the worker holds its answers for the MessagePort from the start.
    const fast = offerFastPort((raw) => {
      if (this.port === port) this.onRuntimeMessage(raw);
    });
    if (fast) {
      this.fastPort?.close();
      this.fastPort = fast.port;
      try {
        port.postMessage({ type: 'host.fast', token: fast.token } satisfies HostToRuntime);
      } catch {
        // Gone already; onDisconnect follows.
      }
    }
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = undefined;
      this.fastPort?.close();
      this.fastPort = undefined;
      // The worker stopped or restarted. Phones still connected need a runtime: bring it back.
      if (this.sessions.size > 0) this.reopen();
    });
    return port;
  }

  private reopen(): void {
    const port = this.connect();
    if (!port) return;
    try {
      for (const session of this.sessions.values()) port.postMessage({ type: 'session.open', ...session.info });
      if (this.lastStatus) port.postMessage({ type: 'host.status', status: this.lastStatus });
    } catch {
      // Gone again; the next disconnect retries.
    }
  }

  private onRuntimeMessage(raw: unknown): void {
    const parsed = RuntimeToHost.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'session.deliver') {
      this.sessions.get(message.sessionId)?.deliver(message.json);
    } else {
      this.sessions.delete(message.sessionId);
      this.refuse(message.sessionId);
      this.updateKeepalive();
    }
  }

  private updateKeepalive(): void {
    if (this.sessions.size > 0 && this.keepalive === undefined) {
      this.keepalive = setInterval(() => this.post({ type: 'host.keepalive' }), RELAY_KEEPALIVE_MS);
    } else if (this.sessions.size === 0 && this.keepalive !== undefined) {
      clearInterval(this.keepalive);
      this.keepalive = undefined;
    }
  }
}

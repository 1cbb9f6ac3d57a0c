/**
 * Keeps the extension registered at the signaling server under its own PeerJS id, whatever happens
 * to the network. PeerJS leaves recovery to its user: `reconnect()` only reconnects the signaling
 * socket, a peer that never opened is destroyed on the first error, and after a drop the server may
 * answer "ID is taken" for a while (peers/peerjs#224). So:
 *
 * - every Peer registers with the extension's stored token (link-store.ts), which a PeerServer
 *   accepts as the owner of an id it still thinks is registered: the id comes back at once;
 * - a disconnected Peer is reconnected (keeping its data connections) with backoff;
 * - a destroyed Peer, or one refused its id, is replaced by a new one after a backoff;
 * - a watchdog repairs whatever an event failed to report.
 *
 * Phones are not affected by any of this while their data channel is up: signaling is only needed
 * to set up a new connection.
 */
import { type DataConnection, Peer, type PeerError } from 'peerjs';
import { Backoff } from '../../shared/link/backoff.ts';
import type { IceServer, LinkStatus, SignalingServer } from '../../shared/protocol/link';

export interface PeerKeeperOptions {
  peerId: string;
  token: string;
  signaling: SignalingServer;
  /** Read at every (re)registration and every watchdog tick: TURN REST credentials expire. */
  iceServers: () => readonly IceServer[];
  onConnection(connection: DataConnection): void;
  onStatus(status: Pick<LinkStatus, 'state' | 'detail' | 'peerId'>): void;
}

const WATCHDOG_MS = 3_000;
/**
 * A PeerServer that gives our still-registered id back to our token does so silently (no OPEN,
 * see tests/unit/phone-signaling-id.test.ts); a registration neither confirmed nor refused within
 * this time is taken as accepted.
 */
const SILENT_ACCEPT_MS = 2_000;

export class PeerKeeper {
  private peer: Peer | undefined;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private readonly backoff = new Backoff({ initialMs: 250, maxMs: 5_000 });
  private acceptTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: PeerKeeperOptions) {
    this.watchdog = setInterval(() => this.repair(), WATCHDOG_MS);
    this.create();
  }

  get online(): boolean {
    return this.peer?.open === true;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.watchdog);
    clearTimeout(this.acceptTimer);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const peer = this.peer;
    this.peer = undefined;
    peer?.destroy();
  }

  private create(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const { signaling } = this.options;
    this.options.onStatus({ state: 'connecting', detail: `Connecting to ${signaling.host}…`, peerId: null });
    const peer = new Peer(this.options.peerId, {
      host: signaling.host,
      port: signaling.port ?? (signaling.secure ? 443 : 80),
      path: signaling.path ?? '/',
      secure: signaling.secure,
      token: this.options.token,
      config: this.rtcConfig(),
      debug: 0,
    });
    this.peer = peer;
    this.expectRegistration(peer);
    peer.on('open', () => {
      if (this.peer !== peer) return;
      this.backoff.reset();
      this.options.onStatus({ state: 'online', detail: '', peerId: this.options.peerId });
    });
    peer.on('connection', (connection) => {
      if (this.peer === peer) this.options.onConnection(connection);
      else connection.close();
    });
    peer.on('disconnected', () => {
      if (this.peer !== peer || this.stopped) return;
      this.options.onStatus({
        state: 'connecting',
        detail: `Lost the signaling server ${signaling.host}; reconnecting…`,
        peerId: null,
      });
      this.schedule(() => this.reconnect(peer));
    });
    peer.on('close', () => {
      if (this.peer !== peer || this.stopped) return;
      this.schedule(() => this.create());
    });
    peer.on('error', (error: PeerError<string>) => {
      if (this.peer !== peer || this.stopped) return;
      switch (error.type) {
        case 'unavailable-id':
          // Someone else holds our id without our token (or a server that ignores tokens has not yet
          // noticed our old socket die): start over until the id is ours again.
          this.options.onStatus({
            state: 'error',
            detail: 'The signaling server says this extension’s id is taken; retrying until it is free.',
            peerId: null,
          });
          this.replaceLater(peer);
          return;
        case 'browser-incompatible':
          this.options.onStatus({ state: 'error', detail: 'WebRTC is not available here.', peerId: null });
          return;
        case 'peer-unavailable':
        case 'webrtc':
          return; // about one connection, not the registration
        default:
          if (peer.destroyed) this.replaceLater(peer);
          else if (peer.disconnected) this.schedule(() => this.reconnect(peer));
      }
    });
  }

  private reconnect(peer: Peer): void {
    this.timer = undefined;
    if (this.peer !== peer || this.stopped) return;
    if (peer.destroyed) {
      this.create();
      return;
    }
    if (!peer.disconnected) return;
    try {
      peer.reconnect();
      this.expectRegistration(peer);
    } catch {
      this.replaceLater(peer);
    }
  }

  private expectRegistration(peer: Peer): void {
    clearTimeout(this.acceptTimer);
    this.acceptTimer = setTimeout(() => {
      if (this.peer !== peer || this.stopped || peer.open || peer.destroyed || peer.disconnected) return;
      // Only with the signaling socket actually open (PeerJS's own check; absent in another version, then no guess).
      const socket = peer.socket as unknown as { _wsOpen?: () => boolean };
      if (socket._wsOpen?.() !== true) return;
      this.backoff.reset();
      this.options.onStatus({ state: 'online', detail: '', peerId: this.options.peerId });
    }, SILENT_ACCEPT_MS);
  }

  private replaceLater(peer: Peer): void {
    if (this.peer !== peer) return;
    this.schedule(() => {
      if (this.peer === peer) {
        // Destroying closes this Peer's data connections; only done when it cannot register anyway.
        this.peer = undefined;
        peer.destroy();
      }
      this.create();
    });
  }

  private schedule(action: () => void): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      action();
    }, this.backoff.next());
  }

  /** Whatever state a missed event left behind, move towards "registered". */
  private rtcConfig(): RTCConfiguration {
    return { iceServers: this.options.iceServers().map((server) => ({ ...server })) };
  }

  private repair(): void {
    if (this.stopped || this.timer !== undefined) return;
    const peer = this.peer;
    // PeerJS builds each answering RTCPeerConnection from the Peer's options: keep them fresh.
    if (peer && !peer.destroyed) peer.options.config = this.rtcConfig();
    if (!peer || peer.destroyed) this.schedule(() => this.create());
    else if (peer.disconnected) this.schedule(() => this.reconnect(peer));
  }
}

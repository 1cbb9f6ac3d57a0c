/**
 * The link host: the extension's end of the phone link. It keeps the PeerJS registration up
 * (peer-keeper.ts), takes each incoming data connection through the handshake (phone-session.ts)
 * and attaches authenticated phones to the runtime through a `RuntimeGateway`.
 *
 * Where it runs: in Chrome, the offscreen document (an MV3 service worker has no RTCPeerConnection),
 * with the gateway relaying to the worker over a port; in Firefox, the background page itself, with
 * the runtime in the same context. See docs/ARCHITECTURE.md, "Phone link".
 */
import type { DataConnection } from 'peerjs';
import type { HandshakeError } from '../../shared/link/errors.ts';
import { fingerprintFromSdp } from '../../shared/link/fingerprint.ts';
import type { StaticKeyPair } from '../../shared/link/handshake.ts';
import { answerIceRestarts } from '../../shared/link/renegotiation.ts';
import { effectiveIceServers } from '../../shared/link/turn-credentials.ts';
import { LINK_STATUS_OFF, type LinkStatus, signalingOf } from '../../shared/protocol/link';
import { type HandshakeSlot, HandshakeSlots } from './handshake-slots';
import { LINK_LIMITS } from './limits';
import type { LinkStore } from './link-store';
import { PeerKeeper } from './peer-keeper';
import { PhoneSession, type RuntimeGateway } from './phone-session';

export interface LinkHostGateway extends RuntimeGateway {
  status(status: LinkStatus): void;
  /** A connection failed the handshake, with the handshake's error code. */
  refused(code: string): void;
}

export interface LinkHostDeps {
  store: LinkStore;
  gateway: LinkHostGateway;
  now?: () => number;
}

export class LinkHost {
  readonly sessions = new Set<PhoneSession>();
  /** Unauthenticated connections, from the signaling offer to the end of the handshake. */
  readonly slots = new HandshakeSlots({
    maxHandshaking: LINK_LIMITS.maxHandshaking,
    maxPerSource: LINK_LIMITS.maxHandshakingPerSource,
  });
  /** Handshake failures by code since start (tests read them through the host's handle). */
  readonly handshakeFailures: string[] = [];
  private keeper: PeerKeeper | undefined;
  private keeperConfig = '';
  private current: LinkStatus = LINK_STATUS_OFF;
  private reconfiguring: Promise<void> = Promise.resolve();
  private identity: StaticKeyPair | undefined;

  constructor(private readonly deps: LinkHostDeps) {}

  get status(): LinkStatus {
    return this.current;
  }

  /** Re-reads settings, devices and pairings; goes online, offline, or re-registers. Serialised. */
  reconfigure(): Promise<void> {
    this.reconfiguring = this.reconfiguring
      .then(() => this.applyConfiguration())
      .catch((error: unknown) => {
        this.publish({ state: 'error', detail: error instanceof Error ? error.message : String(error), peerId: null });
      });
    return this.reconfiguring;
  }

  /** Drops every session of a revoked device at once. */
  revoke(deviceId: string): void {
    for (const session of this.sessions) {
      if (session.deviceId === deviceId) {
        session.hangUp('revoked', 'This phone was removed in Tandem. Pair it again from the side panel.');
      }
    }
  }

  /** The runtime will not serve this session (its device was revoked meanwhile). */
  refuseSession(sessionId: string): void {
    for (const session of this.sessions) {
      if (session.sessionId === sessionId) session.hangUp('revoked', 'This phone is no longer paired with Tandem.');
    }
  }

  stop(): void {
    for (const session of this.sessions) session.hangUp('shutdown', 'The extension is shutting down the phone link.');
    this.keeper?.stop();
    this.keeper = undefined;
    this.keeperConfig = '';
  }

  private async applyConfiguration(): Promise<void> {
    const { store } = this.deps;
    const settings = await store.settings();
    const needed = await store.needsLink();
    if (!needed) {
      this.keeper?.stop();
      this.keeper = undefined;
      this.keeperConfig = '';
      this.publish({
        state: 'off',
        peerId: null,
        detail: 'No phone is paired.',
      });
      return;
    }
    const identity = await store.identity();
    this.identity = identity.keyPair;
    const config = JSON.stringify({
      s: signalingOf(settings),
      i: settings.iceServers,
      t: settings.turnRest,
      p: identity.peerId,
    });
    if (this.keeper && config === this.keeperConfig) return;
    this.keeper?.stop();
    this.keeperConfig = config;
    this.keeper = new PeerKeeper({
      peerId: identity.peerId,
      token: identity.token,
      signaling: signalingOf(settings),
      iceServers: () => effectiveIceServers(settings, Date.now()),
      onConnection: (connection) => this.accept(connection),
      onStatus: (status) => this.publish(status),
    });
  }

  private accept(connection: DataConnection): void {
    if (connection.serialization !== 'raw') {
      connection.close();
      return;
    }
    let session: PhoneSession | undefined;
    const slot = this.slots.take(connection.peer, () => {
      if (session) session.close('evicted by a newer caller');
      else connection.close();
    });
    if (!slot) {
      connection.close();
      return;
    }
    const timeout = setTimeout(() => {
      slot.release();
      connection.close();
    }, LINK_LIMITS.connectionOpenMs);
    // Registered at once: the phone sends its first handshake message the moment the channel opens.
    const early: Uint8Array[] = [];
    connection.on('data', (data: unknown) => {
      if (session) session.receive(asBytes(data));
      else if (early.length < 4) early.push(asBytes(data));
    });
    connection.on('open', () => {
      clearTimeout(timeout);
      session = this.startSession(connection, slot);
      if (!session) slot.release();
      for (const frame of early.splice(0)) session?.receive(frame);
    });
    connection.on('close', () => {
      clearTimeout(timeout);
      if (!session) slot.release();
    });
  }

  /** The newest sessions of a device stay; older ones beyond the cap, and any beyond the total, go. */
  private enforceSessionCaps(opened: PhoneSession): void {
    const sameDevice = [...this.sessions].filter((s) => s.state === 'open' && s.deviceId === opened.deviceId);
    for (const old of sameDevice.slice(0, Math.max(0, sameDevice.length - LINK_LIMITS.maxSessionsPerDevice))) {
      old.hangUp('replaced', 'This phone connected again; this older connection is closed.');
    }
    // Counted again: the ones just replaced are closing.
    if ([...this.sessions].filter((s) => s.state === 'open').length > LINK_LIMITS.maxOpenSessions) {
      opened.hangUp('shutdown', 'Too many phones are connected to Tandem right now.');
    }
  }

  private startSession(connection: DataConnection, slot: HandshakeSlot): PhoneSession | undefined {
    const identity = this.identity;
    if (!identity) {
      connection.close();
      return undefined;
    }
    // The phone's description as the handshake read it: what an ICE restart must keep.
    let authenticatedRemote: string | undefined;
    const session = new PhoneSession(
      {
        descriptions: () => {
          authenticatedRemote = connection.peerConnection?.remoteDescription?.sdp;
          return { local: connection.peerConnection?.localDescription?.sdp, remote: authenticatedRemote };
        },
        sink: connection.dataChannel,
        close: () => connection.close(),
      },
      {
        identity,
        store: this.deps.store,
        gateway: this.deps.gateway,
        ...(this.deps.now ? { now: this.deps.now } : {}),
        onHeard: () => slot.heard(),
        onOpen: (opened) => {
          slot.release();
          // The phone restarts ICE on this connection when its network changes (renegotiation.ts).
          if (authenticatedRemote) {
            answerIceRestarts(connection, fingerprintFromSdp(authenticatedRemote), (why) => opened.close(why));
          }
          this.enforceSessionCaps(opened);
          this.publish({});
        },
        onClosed: (closed) => {
          slot.release();
          this.sessions.delete(closed);
          this.publish({});
        },
        onHandshakeFailed: (error: HandshakeError) => {
          this.handshakeFailures.push(error.code);
          this.deps.gateway.refused(error.code);
        },
      },
    );
    if (session.state === 'closed') return undefined;
    this.sessions.add(session);
    connection.on('close', () => session.close('the data channel closed'));
    connection.on('iceStateChanged', (state: RTCIceConnectionState) => {
      if (state === 'failed' || state === 'closed') session.close(`ICE ${state}`);
    });
    return session;
  }

  private publish(change: Partial<LinkStatus>): void {
    const phones = [...this.sessions].filter((s) => s.state === 'open').length;
    const next: LinkStatus = { ...this.current, ...change, phones };
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.deps.gateway.status(next);
  }
}

/** Raw PeerJS connections deliver ArrayBuffers; anything else becomes an empty (refused) frame. */
function asBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(0);
}

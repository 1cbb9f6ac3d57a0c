/**
 * The phone's `Transport` to the runtime: a WebRTC data channel to the extension, authenticated and
 * encrypted (shared/link), that keeps itself up.
 *
 * Reliability lives here, above PeerJS (which neither restarts ICE nor reopens a closed channel):
 * - a network change, or ICE losing its path, restarts ICE on the same connection (link-restart.ts)
 *   and, at the same time, opens a standby link: whichever brings the link back first wins. A
 *   restart keeps the data channel and its session; but frames lost on the old path wait out
 *   SCTP's retransmission backoff (seconds, after a few lost), while a new connection starts
 *   fresh, so waiting for the restart alone took 5 s and more in tests/rig. The loser is closed;
 *   frames of a link that is no longer the live one are ignored, and the new link resumes with
 *   afterSeq, so nothing is duplicated;
 * - any drop (ICE failure, closed channel, signaling loss during setup, the phone asleep, the
 *   extension's browser restarting) starts a new attempt: first after 100 ms, then backing off to
 *   8 s, with the countdown on screen and "Retry now"; a page becoming visible or the network
 *   coming back retries at once;
 * - a heartbeat every 2 s, and a link that hears nothing for 5 s is treated as dead, so a
 *   half-open connection is noticed within seconds rather than after WebRTC's own timeouts;
 * - 'open' is reported when the runtime's `welcome` arrives (not when the channel opens), and
 *   again after every new `welcome` (the runtime restarted behind a live channel): on each,
 *   ConversationClient re-sends unanswered commands (same ids, applied once) and resubscribes with
 *   `afterSeq`, so the phone receives exactly the events it missed, in order.
 */
import type { Transport, TransportState } from '../../shared/client/transport';
import { Backoff } from '../../shared/link/backoff.ts';
import { FrameSender } from '../../shared/link/frame-sender.ts';
import { type DecodedFrame, SealedMessenger } from '../../shared/link/sealed-messenger.ts';
import type { ByeReason, LinkEnvelope } from '../../shared/protocol/link';
import { AttemptError, type AttemptFailure, type OpenLink, openLink } from './link-attempt';
import { LinkRecovery } from './link-recovery';
import { restartIce } from './link-restart';
import type { Pairing, PairingStore } from './pairing-store';
import { type LinkRoute, type Presence, presenceOf, routeFromStats } from './presence';
import type { ScannedOffer } from './scanned-offer';

export type LinkPhase =
  | { kind: 'unpaired' }
  | { kind: 'pairing' }
  | { kind: 'connecting' }
  | { kind: 'retrying'; at: number; reason: string }
  | { kind: 'open' }
  | { kind: 'revoked'; message: string }
  /** Pairing failed for good (code used, expired, unknown): a new QR code is needed. */
  | { kind: 'failed'; message: string };

export interface PhoneLinkOptions {
  heartbeatMs?: number;
  silenceMs?: number;
  now?: () => number;
  deviceName: string;
  generateKeyPair: () => Pairing['deviceKeyPair'];
  /**
   * Called before every attempt with the pairing's signaling server; false refuses it (the page
   * narrows its Content-Security-Policy to that server, see connect-policy.ts).
   */
  allowSignaling?: (signaling: Pairing['signaling']) => boolean;
}

const HEARTBEAT_MS = 2_000;
const SILENCE_MS = 5_000;
/** Consecutive failed pairing attempts (without an answer from the extension) before giving up. */
const MAX_PAIRING_ATTEMPTS = 6;

/** A link being opened next to a live one during an ICE restart (see PhoneLink.restart). */
interface Standby {
  /** The open link, or undefined if it could not be opened in time. */
  link: Promise<OpenLink | undefined>;
  /** The restart won or the link is being torn down: the standby is closed when it opens. */
  cancelled: boolean;
  /** Ends it as an attempt in flight for the live link's recovery (presence). */
  settled: () => void;
}

interface Live {
  link: OpenLink;
  messenger: SealedMessenger;
  sender: FrameSender;
  lastHeardAt: number;
  heartbeat: ReturnType<typeof setInterval>;
  pings: number;
  ended: Promise<string>;
  end(why: string): void;
  /** Last sealed frames sent (for the replay test hook). */
  sent: Uint8Array[];
  /** An ICE restart is under way, until a frame is heard over the new path or the link ends. */
  restarting: boolean;
  /** Its signaling part (with its own deadline, so the silence timeout waits meanwhile). */
  renegotiating: boolean;
  /** Whether its path is in doubt (ICE down, a restart or standby in flight): "Reconnecting". */
  recovery: LinkRecovery;
}

export class PhoneLink implements Transport {
  phase: LinkPhase = { kind: 'unpaired' };
  /** Link-level answers from the extension (frames it could not use); tests read them. */
  readonly linkErrors: Extract<LinkEnvelope, { t: 'error' }>[] = [];
  /** Why the last attempt or session ended, for the screen. */
  lastProblem = '';
  /** ICE restarts that brought a link back without replacing it (tests and diagnostics read it). */
  iceRestarts = 0;

  private stateValue: TransportState = 'connecting';
  /** Facts for `presence` (see presence.ts). */
  private lastHeardAt: number | undefined;
  private downSince: number;
  private lastFailure: AttemptFailure | undefined;
  private route: LinkRoute = 'unknown';
  private live: Live | undefined;
  /** The signaling registration kept between attempts (see AttemptOptions.reuse). */
  private peer: OpenLink['peer'] | undefined;
  /** A link opened alongside an ICE restart (see restart); the run loop serves it next. */
  private standby: Standby | undefined;
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 8_000 });
  private readonly messageListeners = new Set<(message: unknown) => void>();
  private readonly stateListeners = new Set<(state: TransportState) => void>();
  private readonly phaseListeners = new Set<(phase: LinkPhase) => void>();
  private readonly presenceListeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    private readonly store: PairingStore,
    private readonly options: PhoneLinkOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.downSince = this.now();
  }

  /** What the phone may truthfully say about the computer right now. */
  get presence(): Presence {
    return presenceOf({
      phase: this.phase.kind,
      route: this.route,
      downSince: this.downSince,
      lastHeardAt: this.lastHeardAt,
      lastFailure: this.lastFailure,
      recoveringSince: this.phase.kind === 'open' ? this.live?.recovery.since : undefined,
      now: this.now(),
    });
  }

  /** An ICE restart is under way on the live link (tests and diagnostics read it). */
  get restarting(): boolean {
    return this.live?.restarting === true;
  }

  get state(): TransportState {
    return this.stateValue;
  }

  /** Starts connecting with the stored pairing, if any. */
  start(): void {
    const pairing = this.store.load();
    if (!pairing) {
      this.setPhase({ kind: 'unpaired' });
      return;
    }
    if (pairing.kind === 'revoked') {
      this.setState('closed');
      this.setPhase({ kind: 'revoked', message: REVOKED_MESSAGE });
      return;
    }
    void this.run();
  }

  /** A QR code was scanned: remember the offer with a fresh device key and pair. */
  pair(scanned: Extract<ScannedOffer, { kind: 'offer' }>): void {
    this.teardown('pairing with a new code');
    this.dropPeer();
    this.store.savePending(scanned.offer, scanned.iceServers, this.options.generateKeyPair(), this.options.deviceName);
    this.stopped = false;
    this.setState('connecting');
    this.setPhase({ kind: 'pairing' });
    this.retryNow();
    void this.run();
  }

  /** Skips the countdown. */
  retryNow(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * The phone's network changed (Wi-Fi → mobile, a new address): the old path is likely gone, so
   * ICE restarts at once on the live connection (no new QR code, nothing in flight lost) while a
   * standby link is opened; the first to bring frames wins (see restart).
   */
  networkChanged(): void {
    const live = this.live;
    if (!live) {
      this.retryNow();
      return;
    }
    void this.restart(live, 'the network changed', { standby: true });
  }

  /** ICE lost its path: a link that does not answer a probe within PROBE_MS restarts ICE. */
  private probe(live: Live): void {
    const probedAt = this.now();
    live.pings += 1;
    this.sendEnvelope(live, { t: 'ping', n: live.pings });
    setTimeout(() => {
      if (this.live === live && live.lastHeardAt < probedAt) {
        void this.restart(live, 'ICE lost its path', { standby: true });
      }
    }, PROBE_MS);
  }

  /**
   * Restarts ICE on the live link. Reopening signaling and the offer/answer have RESTART_MS (the
   * silence timeout waits meanwhile); then ICE must select a new path within NEW_PATH_MS, and the
   * link counts as back once a frame is heard over it. Failing either, the link is given up and
   * the run loop replaces it (or the silence timeout does, if frames stop after a new path).
   *
   * With `standby`, a new link is opened meanwhile: if its handshake completes before a frame is
   * heard over the restarted path, the live link is ended and the run loop serves the standby at
   * once; if the restart wins, the standby is closed.
   */
  private async restart(live: Live, why: string, options: { standby: boolean }): Promise<void> {
    if (live.restarting || this.live !== live) return;
    live.restarting = true;
    const settled = live.recovery.begin(this.now());
    if (options.standby) this.openStandby(live);
    const connection = live.link.connection.peerConnection as
      | (RTCPeerConnection & { sctp?: { transport?: { iceTransport?: EventTarget } } })
      | null;
    let newPath = false;
    const onNewPath = () => {
      newPath = true;
    };
    const ice = connection?.sctp?.transport?.iceTransport;
    ice?.addEventListener('selectedcandidatepairchange', onNewPath);
    try {
      live.renegotiating = true;
      try {
        await restartIce(live.link, RESTART_MS);
      } finally {
        live.renegotiating = false;
      }
      const answeredAt = this.now();
      live.pings += 1;
      this.sendEnvelope(live, { t: 'ping', n: live.pings });
      while (this.live === live && live.lastHeardAt <= answeredAt) {
        if (!newPath && this.now() - answeredAt > NEW_PATH_MS) throw new Error('ICE found no new path');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      if (this.live === live) {
        this.iceRestarts += 1;
        this.dropStandby();
      }
    } catch (error) {
      live.end(`${why}; the ICE restart failed (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      ice?.removeEventListener('selectedcandidatepairchange', onNewPath);
      live.restarting = false;
      settled();
    }
  }

  /**
   * Opens a new link next to the live one (which may be about to recover by an ICE restart). A
   * failure is retried within STANDBY_MS (the new network may not route yet when it is announced);
   * a handshake verdict (revoked, unknown) is left to the run loop's own attempt to act on.
   */
  private openStandby(live: Live): void {
    const pairing = this.store.load();
    if (this.standby || pairing?.kind !== 'paired') return;
    const deadline = this.now() + STANDBY_MS;
    const standby: Standby = {
      link: Promise.resolve(undefined),
      cancelled: false,
      settled: live.recovery.begin(this.now()),
    };
    const attempt = async (): Promise<OpenLink | undefined> => {
      while (!standby.cancelled && !this.stopped) {
        try {
          return await openLink(pairing, { mode: 'reconnect', timeoutMs: Math.max(1, deadline - this.now()) });
        } catch (error) {
          if (error instanceof AttemptError && error.handshake) return undefined;
          if (this.now() + STANDBY_RETRY_MS > deadline) return undefined;
          await new Promise((resolve) => setTimeout(resolve, STANDBY_RETRY_MS));
        }
      }
      return undefined;
    };
    standby.link = attempt();
    this.standby = standby;
    void standby.link.then((link) => {
      standby.settled();
      if (!link) return;
      if (standby.cancelled || this.stopped) {
        closeLink(link);
        return;
      }
      // The standby is up before the restart brought a frame: it takes over.
      if (this.live === live) live.end('a new link was up first after the network changed');
    });
  }

  /** The restart won (or the link is being torn down): a standby, now or when it opens, is closed. */
  private dropStandby(): void {
    const standby = this.standby;
    this.standby = undefined;
    if (!standby) return;
    standby.cancelled = true;
    standby.settled();
    void standby.link.then((link) => link && closeLink(link));
  }

  /** Forgets the pairing (after a revocation, or on request). */
  forget(): void {
    this.stopped = true;
    this.teardown('forgotten');
    this.dropPeer();
    this.retryNow();
    this.store.forget();
    this.setState('closed');
    this.setPhase({ kind: 'unpaired' });
  }

  send(message: unknown): void {
    const live = this.live;
    if (this.stateValue !== 'open' || !live) throw new Error(`Cannot send: the link to Tandem is ${this.stateValue}.`);
    this.sendEnvelope(live, { t: 'msg', m: message });
  }

  onMessage(listener: (message: unknown) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onState(listener: (state: TransportState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onPhase(listener: (phase: LinkPhase) => void): () => void {
    this.phaseListeners.add(listener);
    return () => this.phaseListeners.delete(listener);
  }

  /** Presence changed without a new phase (an open link's path came into or out of doubt). */
  onPresence(listener: () => void): () => void {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  close(): void {
    this.stopped = true;
    this.teardown('closed');
    this.dropPeer();
    this.retryNow();
    this.setState('closed');
  }

  /** Test and diagnostics hooks: misbehave on purpose, to prove the extension refuses it. */
  readonly debug = {
    /** Drops the connection as a network failure would (the peer connection closes, no goodbye). */
    dropConnection: (): void => {
      const live = this.live;
      if (!live) return;
      live.link.connection.peerConnection?.close();
      live.end('connection dropped');
    },
    /** Restarts ICE on the live link as a network change does; true if the link survived it. */
    restartIce: async (): Promise<boolean> => {
      const live = this.live;
      if (!live) return false;
      await this.restart(live, 'requested', { standby: false });
      return this.live === live;
    },
    /** The ICE username fragments in use (local, remote): every restart changes both. */
    iceUfrags: (): (string | undefined)[] => {
      const pc = this.live?.link.connection.peerConnection;
      const ufrag = (sdp: string | undefined) => sdp?.match(/^a=ice-ufrag:(\S+)/m)?.[1];
      return [ufrag(pc?.localDescription?.sdp), ufrag(pc?.remoteDescription?.sdp)];
    },
    /** Seals arbitrary bytes as a message (chunked) and sends them. */
    sendSealedMessage: (bytes: Uint8Array): boolean =>
      this.withLive((live) => this.sendFrames(live, live.messenger.encodeBytes(bytes))),
    /** Seals one chunk frame exactly as given (broken chunk headers included) and sends it. */
    sendSealedChunk: (chunk: Uint8Array): boolean =>
      this.withLive((live) => this.sendFrames(live, [live.messenger.sealRaw(chunk)])),
    /** Re-sends a frame already sent (a replay). */
    replayFrame: (indexFromEnd = 1): boolean =>
      this.withLive((live) => {
        const frame = live.sent.at(-indexFromEnd);
        return frame ? this.sendFrames(live, [frame], false) : false;
      }),
    /** Sends a frame with the next counter but a forged tag (not sealed with the session key). */
    sendForgedFrame: (): boolean =>
      this.withLive((live) => {
        const frame = new Uint8Array(8 + 40);
        new DataView(frame.buffer).setUint32(4, live.messenger.sentFrames);
        crypto.getRandomValues(frame.subarray(8));
        return this.sendFrames(live, [frame], false);
      }),
  };

  private withLive(action: (live: Live) => boolean): boolean {
    const live = this.live;
    return live ? action(live) : false;
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let pairingFailures = 0;
    let fallbackToReconnect = false;
    try {
      while (!this.stopped) {
        const pairing = this.store.load();
        if (!pairing) return this.setPhase({ kind: 'unpaired' });
        if (pairing.kind === 'revoked') return this.revoked(undefined);
        // A pending pairing whose secret this page no longer holds (reloaded) can only reconnect.
        const pairingMode = pairing.kind === 'pending' && pairing.secret !== undefined && !fallbackToReconnect;
        if (pairingMode && pairing.expiresAt !== undefined && this.now() > pairing.expiresAt + 60_000) {
          return this.fail(pairing, 'This QR code has expired. Show a new QR code in the side panel and scan it.');
        }
        if (this.options.allowSignaling && !this.options.allowSignaling(pairing.signaling)) {
          return this.fail(
            pairing,
            'This code names another signaling server than this page uses. Reload the page and scan it again.',
          );
        }
        this.setPhase({ kind: pairingMode ? 'pairing' : 'connecting' });
        let link: OpenLink;
        try {
          const standby = this.standby;
          this.standby = undefined;
          const ready = standby ? await standby.link : undefined;
          if (ready) {
            link = ready;
          } else {
            const reuse = this.peer;
            this.peer = undefined;
            link = await openLink(pairing, { mode: pairingMode ? 'pair' : 'reconnect', ...(reuse ? { reuse } : {}) });
          }
          this.peer = link.peer;
        } catch (error) {
          const attempt =
            error instanceof AttemptError ? error : new AttemptError('closed', 'The connection to Tandem failed.');
          this.lastFailure = attempt.failure;
          const verdict = attempt.handshake?.fromPeer ? attempt.handshake.code : undefined;
          if (verdict === 'revoked_device') return this.revoked(pairing);
          if (verdict === 'secret_used' && pairing.kind === 'pending' && !fallbackToReconnect) {
            // Maybe this phone's own earlier attempt used it and only the answer was lost.
            fallbackToReconnect = true;
            continue;
          }
          if (verdict === 'unknown_device' && pairing.kind === 'pending') {
            return this.fail(
              pairing,
              'This QR code was already used. Show a new QR code in the side panel and scan it.',
            );
          }
          if (verdict === 'unknown_device') {
            return this.fail(pairing, 'Tandem does not know this phone any more. Pair it again from the side panel.');
          }
          if (verdict === 'expired_offer' || verdict === 'secret_used') return this.fail(pairing, attempt.message);
          if (pairingMode && ++pairingFailures >= MAX_PAIRING_ATTEMPTS) {
            return this.fail(pairing, `Could not pair: ${attempt.message} Show a new QR code and scan it again.`);
          }
          await this.waitBeforeRetry(attempt.message);
          continue;
        }
        if (this.stopped) {
          this.dropPeer();
          return;
        }
        const current = pairing.kind === 'pending' ? this.store.markPaired(pairing, this.now()) : pairing;
        pairingFailures = 0;
        fallbackToReconnect = false;
        const why = await this.serve(link);
        if (this.stopped) return;
        this.lastProblem = why;
        // A link lost without a goodbye may mean the phone's network changed: its signaling
        // WebSocket may be dead without knowing it yet, and reusing it would stall the next attempt
        // until the attempt timeout. A new registration costs one WebSocket setup.
        if (!why.startsWith('bye:')) {
          this.dropPeer();
          // A standby link opened with an ICE restart is served next, without a countdown.
          if (this.standby) continue;
        } else {
          this.dropStandby();
        }
        if (why.startsWith('bye:revoked')) return this.revoked(current);
        if (why === 'bye:replaced') {
          // The same phone connected again elsewhere (another tab): the tab in view takes it back
          // (visibilitychange → retryNow) instead of two tabs replacing each other forever.
          await this.waitBeforeRetry('This phone is connected to Tandem in another tab.', REPLACED_RETRY_MS);
          continue;
        }
        await this.waitBeforeRetry(why.startsWith('bye:') ? 'Tandem closed the connection.' : 'Connection lost.');
      }
    } finally {
      this.running = false;
    }
  }

  /** Runs an authenticated link until it ends; resolves with why it ended. */
  private serve(link: OpenLink): Promise<string> {
    let endWith: (why: string) => void = () => {};
    const ended = new Promise<string>((resolve) => {
      endWith = resolve;
    });
    const messenger = new SealedMessenger(link.session.keys);
    const live: Live = {
      link,
      messenger,
      sender: new FrameSender(link.connection.dataChannel, () => live.end('the link is congested')),
      lastHeardAt: this.now(),
      heartbeat: setInterval(() => this.beat(live), this.options.heartbeatMs ?? HEARTBEAT_MS),
      pings: 0,
      ended,
      sent: [],
      restarting: false,
      renegotiating: false,
      recovery: new LinkRecovery(() => {
        if (this.live === live) this.presenceChanged();
      }),
      end: (why) => {
        if (this.live !== live) return;
        this.live = undefined;
        clearInterval(live.heartbeat);
        live.sender.close();
        // The data channel goes; the signaling registration stays for the next attempt.
        link.connection.close();
        if (this.stateValue === 'open') {
          // Down since the doubt began, so "unreachable" comes after the heartbeat timeout, not later.
          this.downSince = live.recovery.since ?? this.now();
          this.setState('connecting');
        }
        endWith(why);
      },
    };
    this.live = live;
    link.connection.on('close', () => live.end('the data channel closed'));
    link.connection.on('iceStateChanged', (state: RTCIceConnectionState) => {
      if (this.live === live) live.recovery.iceState(state, this.now());
      if (state === 'failed' || state === 'closed') live.end(`ICE ${state}`);
      else if (state === 'disconnected') this.probe(live);
    });
    link.takeOver((frame) => this.receiveFrame(live, frame));
    return ended;
  }

  private beat(live: Live): void {
    if (!live.renegotiating && this.now() - live.lastHeardAt > (this.options.silenceMs ?? SILENCE_MS)) {
      live.end('no answer from Tandem');
      return;
    }
    live.pings += 1;
    this.sendEnvelope(live, { t: 'ping', n: live.pings });
  }

  private receiveFrame(live: Live, frame: Uint8Array): void {
    if (this.live !== live) return;
    const decoded: DecodedFrame = live.messenger.decode(frame);
    if (decoded.kind === 'refused') {
      // Only the authenticated extension can seal frames for us: this is noise or an attack.
      live.end(`refused a frame from the extension (${decoded.code})`);
      return;
    }
    // Heard only once the frame proved authentic: anyone on the path can send bytes.
    live.lastHeardAt = this.now();
    this.lastHeardAt = live.lastHeardAt;
    live.recovery.heard();
    if (decoded.kind !== 'envelope') return;
    const envelope = decoded.envelope;
    switch (envelope.t) {
      case 'msg':
        if (isWelcome(envelope.m)) {
          // A new runtime client: (re)announce 'open' so the client resends and resubscribes.
          if (this.stateValue === 'open') this.setState('connecting');
          this.backoff.reset();
          this.lastFailure = undefined;
          this.setPhase({ kind: 'open' });
          this.setState('open');
          void this.readRoute(live);
        }
        for (const listener of this.messageListeners) listener(envelope.m);
        return;
      case 'error':
        this.linkErrors.push(envelope);
        return;
      case 'bye':
        live.end(`bye:${envelope.reason satisfies ByeReason}`);
        return;
      default:
        return; // pong: hearing it was the point
    }
  }

  /**
   * Direct or relayed: read from the peer connection's selected candidate pair, once it has one,
   * and again whenever ICE switches pairs (a relayed pair often wins the race and a direct one
   * takes over a moment later).
   */
  private async readRoute(live: Live, watch = true): Promise<void> {
    const connection = live.link.connection.peerConnection;
    if (!connection) return;
    const ice = (connection as RTCPeerConnection & { sctp?: { transport?: { iceTransport?: EventTarget } } }).sctp
      ?.transport?.iceTransport;
    if (watch && ice) {
      ice.addEventListener('selectedcandidatepairchange', () => {
        if (this.live === live) void this.readRoute(live, false);
      });
    }
    for (let tries = 0; tries < 10 && this.live === live; tries += 1) {
      const stats = await connection.getStats().catch(() => undefined);
      const route = stats ? routeFromStats([...stats.values()]) : 'unknown';
      if (route !== 'unknown') {
        this.route = route;
        if (this.live === live) this.setPhase({ ...this.phase });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private sendEnvelope(live: Live, envelope: LinkEnvelope): void {
    this.sendFrames(live, live.messenger.encode(envelope));
  }

  private sendFrames(live: Live, frames: Uint8Array[], remember = true): boolean {
    if (remember) {
      live.sent.push(...frames);
      if (live.sent.length > 8) live.sent.splice(0, live.sent.length - 8);
    }
    return live.sender.send(frames);
  }

  private async waitBeforeRetry(reason: string, delayMs?: number): Promise<void> {
    if (this.stopped) return;
    const delay = delayMs ?? this.backoff.next();
    this.lastProblem = reason;
    this.setPhase({ kind: 'retrying', at: this.now() + delay, reason });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, delay);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private revoked(pairing: Pairing | undefined): void {
    this.dropPeer();
    if (pairing) this.store.markRevoked(pairing, this.now());
    this.setState('closed');
    this.setPhase({ kind: 'revoked', message: REVOKED_MESSAGE });
  }

  private fail(pairing: Pairing, message: string): void {
    this.dropPeer();
    if (pairing.kind === 'pending') this.store.forget();
    this.setState('closed');
    this.setPhase({ kind: 'failed', message });
  }

  private teardown(why: string): void {
    this.dropStandby();
    this.live?.end(why);
  }

  private dropPeer(): void {
    this.peer?.destroy();
    this.peer = undefined;
  }

  private setState(state: TransportState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private setPhase(phase: LinkPhase): void {
    this.phase = phase;
    for (const listener of this.phaseListeners) listener(phase);
  }

  private presenceChanged(): void {
    for (const listener of this.presenceListeners) listener();
  }
}

const REPLACED_RETRY_MS = 60_000;
/** A live link answers a ping within a round trip; a second and a half is generous on mobile. */
const PROBE_MS = 1_500;
/** Reopening signaling, offer and answer: a TLS setup and a round trip through the signaling server. */
const RESTART_MS = 3_000;
/**
 * After the answer, ICE must find a new path within this or the link is given up: a restarted ICE
 * agent in Chromium sometimes takes 3 s and more (seen in tests/rig; Chromium likely hands WebRTC
 * the new network only after its own debounce of a network change), and the standby link is
 * usually up by then.
 */
const NEW_PATH_MS = 2_000;
/** How long a standby link (opened with an ICE restart) may take, retries included. */
const STANDBY_MS = 8_000;
const STANDBY_RETRY_MS = 250;
const REVOKED_MESSAGE = 'This phone was removed in Tandem. To use it again, pair it from the side panel.';

/** Closes a link that will not be served (its data channel and its signaling registration). */
function closeLink(link: OpenLink): void {
  link.connection.close();
  link.peer.destroy();
}

function isWelcome(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'welcome';
}

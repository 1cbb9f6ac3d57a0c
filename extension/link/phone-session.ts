/**
 * One phone on one data channel, from its first handshake message to its last frame.
 *
 *   handshaking ──(responder handshake: pair or reconnect)──▶ open ──▶ closed
 *
 * While handshaking nothing reaches the runtime; a failure closes the connection (with the
 * authenticated rejection when there is one, so the phone can say "revoked" or "QR code used").
 * Once open, every frame is opened and reassembled (sealed-messenger.ts) and gets one outcome:
 * a protocol message goes to the runtime (which answers it), a ping is answered with a pong, and
 * anything else an authenticated phone sends is answered with an `error` envelope naming the
 * frame. Frames that are not authentic (replayed, altered) are refused and answered the same way;
 * a peer that keeps sending them is hung up on.
 *
 * The phone pings every couple of seconds; a session that hears nothing for SILENCE_LIMIT_MS is
 * treated as half-open and closed, so its runtime client does not linger.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { HandshakeError } from '../../shared/link/errors.ts';
import { fingerprintFromSdp } from '../../shared/link/fingerprint.ts';
import { FrameSender, type FrameSink } from '../../shared/link/frame-sender.ts';
import {
  createResponder,
  type ResponderHandshake,
  type ResponderSession,
  type StaticKeyPair,
} from '../../shared/link/handshake.ts';
import type { PendingPairing } from '../../shared/link/pairing-offer.ts';
import { type DecodedFrame, SealedMessenger } from '../../shared/link/sealed-messenger.ts';
import type { ByeReason, LinkEnvelope } from '../../shared/protocol/link';
import { LINK_LIMITS } from './limits';
import { TokenBucket } from './rate-limit';

/** The data channel as the session sees it (PeerJS in the browser, a fake in unit tests). */
export interface PhoneConnection {
  /** The SDPs as this side applied them: local (ours) and remote (the phone's, via signaling). */
  descriptions(): { local: string | undefined; remote: string | undefined };
  readonly sink: FrameSink;
  close(): void;
}

/** What the session needs from the extension's stores (LinkStore in the extension). */
export interface SessionStore {
  findPairing(secretId: string): Promise<PendingPairing | undefined>;
  consumeSecret(secretId: string): Promise<boolean>;
  lookupDevice(publicKey: Uint8Array): Promise<{ status: 'active' | 'revoked' } | undefined>;
  addDevice(publicKey: Uint8Array, name: string): Promise<{ id: string; name: string }>;
  touchDevice(id: string): Promise<void>;
}

/** The runtime, as the link host reaches it (directly in Firefox, over the relay port in Chrome). */
export interface RuntimeGateway {
  /** `deliver` gets each runtime message for the phone as JSON text (it is sealed as such). */
  open(info: SessionInfo, deliver: (json: string) => void): GatewaySession;
  paired(info: { secretId: string; deviceId: string; deviceName: string }): void;
}

export interface GatewaySession {
  receive(message: unknown): void;
  close(): void;
}

export interface SessionInfo {
  sessionId: string;
  deviceId: string;
  deviceName: string;
}

export interface PhoneSessionDeps {
  identity: StaticKeyPair;
  /** Called on the first frame from the phone (its handshake slot is no longer silent). */
  onHeard?(session: PhoneSession): void;
  store: SessionStore;
  gateway: RuntimeGateway;
  now?: () => number;
  /** Called once the phone is authenticated and attached to the runtime. */
  onOpen?(session: PhoneSession): void;
  /** Called once, when the session is over for any reason. */
  onClosed?(session: PhoneSession, why: string): void;
  /** Test hook: every handshake failure, with its code. */
  onHandshakeFailed?(error: HandshakeError): void;
}

export type SessionState = 'handshaking' | 'open' | 'closing' | 'closed';

/** A phone has this long to finish the handshake (it takes milliseconds when honest). */
export const HANDSHAKE_TIMEOUT_MS = LINK_LIMITS.handshakeMs;
/** Without any frame for this long (the phone pings every 2 s), the link is half-open. */
export const SILENCE_LIMIT_MS = 12_000;
/** Refused (non-authentic) frames tolerated before the session is closed as misbehaving. */
export const MAX_REFUSED_FRAMES = 64;
export const MAX_PHONE_MESSAGE_BYTES = LINK_LIMITS.maxPhoneMessageBytes;
/** Time for a goodbye to leave before the channel closes (PeerJS may drop what is sent right before close, #634). */
const BYE_GRACE_MS = 250;

let sessionCounter = 0;

export class PhoneSession {
  readonly sessionId: string;
  state: SessionState = 'handshaking';
  deviceId: string | undefined;
  deviceName: string | undefined;
  /** Frames answered with an `error` envelope (tests count them). */
  errorsAnswered = 0;
  /** Messages refused for going over the rate limit (tests count them). */
  rateRefused = 0;

  private readonly now: () => number;
  private readonly responder: ResponderHandshake | undefined;
  private readonly sender: FrameSender;
  private messenger: SealedMessenger | undefined;
  private runtime: GatewaySession | undefined;
  private inbox: Promise<void> = Promise.resolve();
  private lastHeardAt: number;
  private heard = false;
  private refused = 0;
  private readonly bucket: TokenBucket;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  private silenceTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly connection: PhoneConnection,
    private readonly deps: PhoneSessionDeps,
  ) {
    this.sessionId = `s${(++sessionCounter).toString(36)}${bytesToHex(crypto.getRandomValues(new Uint8Array(6)))}`;
    this.now = deps.now ?? Date.now;
    this.lastHeardAt = this.now();
    this.bucket = new TokenBucket(LINK_LIMITS.rate, this.now);
    this.sender = new FrameSender(connection.sink, () => this.close('the phone is not reading'), {
      maxQueuedBytes: LINK_LIMITS.maxQueuedBytes,
      stallMs: LINK_LIMITS.sendStallMs,
      now: this.now,
    });
    let responder: ResponderHandshake | undefined;
    try {
      const { local, remote } = connection.descriptions();
      if (!local || !remote) throw new HandshakeError('bad_message', 'The connection has no session descriptions.');
      responder = createResponder({
        staticKeyPair: deps.identity,
        localFingerprint: fingerprintFromSdp(local),
        remoteFingerprint: fingerprintFromSdp(remote),
        findPairing: (secretId) => deps.store.findPairing(secretId),
        consumeSecret: (secretId) => deps.store.consumeSecret(secretId),
        lookupDevice: (key) => deps.store.lookupDevice(key),
        now: this.now,
      });
    } catch (error) {
      this.handshakeFailed(error);
    }
    this.responder = responder;
    if (responder) {
      this.timers.push(setTimeout(() => this.close('handshake timed out'), HANDSHAKE_TIMEOUT_MS));
      this.timers.push(
        setTimeout(() => {
          if (!this.heard) this.close('the phone sent nothing');
        }, LINK_LIMITS.firstFrameMs),
      );
    }
  }

  /** Memory this session holds for the phone: unfinished incoming messages and frames queued to send. */
  get heldBytes(): number {
    return (this.messenger?.pendingIncomingBytes ?? 0) + this.sender.queuedBytes;
  }

  /** Every frame from the data channel, in order. Processing is sequential (the handshake is async). */
  receive(frame: Uint8Array): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.lastHeardAt = this.now();
    if (!this.heard) {
      this.heard = true;
      this.deps.onHeard?.(this);
    }
    this.inbox = this.inbox.then(() => this.process(frame)).catch(() => this.close('internal error'));
  }

  /** Sends a goodbye the phone can act on, then closes. Nothing more reaches the runtime from now on. */
  hangUp(reason: ByeReason, message: string): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    const wasOpen = this.state === 'open';
    this.detachRuntime();
    this.state = 'closing';
    if (wasOpen) this.sendEnvelope({ t: 'bye', reason, message });
    this.timers.push(setTimeout(() => this.close(`hung up: ${reason}`), wasOpen ? BYE_GRACE_MS : 0));
  }

  /** Idempotent. */
  close(why: string): void {
    if (this.state === 'closed') return;
    const deviceId = this.state === 'open' || this.state === 'closing' ? this.deviceId : undefined;
    this.state = 'closed';
    this.detachRuntime();
    for (const timer of this.timers) clearTimeout(timer);
    if (this.silenceTimer !== undefined) clearInterval(this.silenceTimer);
    this.sender.close();
    try {
      this.connection.close();
    } catch {
      // Already closed.
    }
    if (deviceId) void this.deps.store.touchDevice(deviceId).catch(() => {});
    this.deps.onClosed?.(this, why);
  }

  private async process(frame: Uint8Array): Promise<void> {
    if (this.state === 'handshaking') return this.processHandshake(frame);
    if (this.state !== 'open' || !this.messenger) return;
    this.answer(this.messenger.decode(frame));
  }

  private async processHandshake(frame: Uint8Array): Promise<void> {
    const responder = this.responder;
    if (!responder) return;
    let step: Awaited<ReturnType<ResponderHandshake['next']>>;
    try {
      step = await responder.next(frame);
    } catch (error) {
      if (error instanceof HandshakeError && error.reply) this.connection.sink.send(toOwnBuffer(error.reply));
      this.handshakeFailed(error);
      return;
    }
    if (this.state !== 'handshaking') return; // closed meanwhile (timeout)
    if (step.done) await this.accept(step.done, step.messageOut);
    else if (step.messageOut) this.connection.sink.send(toOwnBuffer(step.messageOut));
  }

  private async accept(done: ResponderSession, verdict: Uint8Array | undefined): Promise<void> {
    // Record a new device before telling the phone it is accepted: a phone that believes it is
    // paired must be known when it reconnects.
    const device =
      done.mode === 'pair'
        ? await this.deps.store.addDevice(done.devicePublicKey, done.deviceName)
        : { id: bytesToHex(done.devicePublicKey), name: done.deviceName };
    if (this.state !== 'handshaking') return;
    if (done.mode === 'reconnect') void this.deps.store.touchDevice(device.id).catch(() => {});
    if (verdict) this.connection.sink.send(toOwnBuffer(verdict));
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    this.deviceId = device.id;
    this.deviceName = done.deviceName;
    this.messenger = new SealedMessenger(done.keys, {
      maxIncomingMessageBytes: MAX_PHONE_MESSAGE_BYTES,
      maxPendingMessages: LINK_LIMITS.maxPartialMessages,
      maxBufferedBytes: LINK_LIMITS.maxPartialBytes,
      maxPartialAgeMs: LINK_LIMITS.partialMessageMs,
      now: this.now,
    });
    this.state = 'open';
    this.silenceTimer = setInterval(() => {
      if (this.now() - this.lastHeardAt > SILENCE_LIMIT_MS) this.close('no heartbeat from the phone');
      // Unfinished messages are freed on time even if the phone only pings from now on.
      else this.messenger?.dropStalePartials();
    }, 1_000);
    if (done.mode === 'pair' && done.secretId) {
      this.deps.gateway.paired({ secretId: done.secretId, deviceId: device.id, deviceName: done.deviceName });
    }
    this.runtime = this.deps.gateway.open(
      { sessionId: this.sessionId, deviceId: device.id, deviceName: done.deviceName },
      (json) => this.sendMessageJson(json),
    );
    this.deps.onOpen?.(this);
  }

  private answer(decoded: DecodedFrame): void {
    switch (decoded.kind) {
      case 'partial':
        return;
      case 'refused':
        this.refused += 1;
        this.replyError(decoded.code, decoded.message);
        if (this.refused > MAX_REFUSED_FRAMES) this.hangUp('misbehaving', 'Too many frames that were not authentic.');
        return;
      case 'invalid':
        this.replyError(decoded.code, decoded.message, decoded.frame);
        return;
      case 'envelope':
        this.onEnvelope(decoded.envelope, decoded.frame);
        return;
    }
  }

  private onEnvelope(envelope: LinkEnvelope, frame: number): void {
    if ((envelope.t === 'msg' || envelope.t === 'ping') && !this.bucket.take()) {
      this.overRate(envelope, frame);
      return;
    }
    switch (envelope.t) {
      case 'msg':
        this.runtime?.receive(envelope.m);
        return;
      case 'ping':
        this.sendEnvelope({ t: 'pong', n: envelope.n });
        return;
      default:
        this.replyError('unexpected', `A phone does not send "${envelope.t}" messages.`, frame);
    }
  }

  /**
   * Over the rate limit: a command is answered as the runtime answers a refused command (so the
   * phone shows why) without reaching the runtime, and a ping is not answered at all. Not hung up
   * on: a paired phone would just reconnect, and refusing costs less than reconnecting.
   */
  private overRate(envelope: LinkEnvelope, frame: number): void {
    this.rateRefused += 1;
    if (envelope.t !== 'msg') return;
    const { burst, perSecond } = LINK_LIMITS.rate;
    const message = `Too many commands from this phone (at most ${perSecond} a second, ${burst} at once). Wait a moment and try again.`;
    const command = envelope.m;
    const id = typeof command === 'object' && command !== null && 'id' in command ? command.id : undefined;
    if (typeof id === 'string') {
      this.sendEnvelope({ t: 'msg', m: { type: 'error', commandId: id, code: 'busy', message } });
    } else {
      this.replyError('rate_limited', message, frame);
    }
  }

  private replyError(code: string, message: string, frame = -1): void {
    this.errorsAnswered += 1;
    this.sendEnvelope({ t: 'error', frame: Math.max(0, frame), code, message: message.slice(0, 1000) });
  }

  private sendEnvelope(envelope: LinkEnvelope): void {
    this.sendSealed((messenger) => messenger.encode(envelope));
  }

  /** A runtime message, as the JSON text the runtime made of it. */
  private sendMessageJson(json: string): void {
    this.sendSealed((messenger) => messenger.encodeMessageJson(json));
  }

  private sendSealed(encode: (messenger: SealedMessenger) => Uint8Array[]): void {
    if (!this.messenger || this.state === 'closed') return;
    let frames: Uint8Array[];
    try {
      frames = encode(this.messenger);
    } catch {
      // Over the link's 8 MiB message limit: the runtime never sends such a thing (pages are bounded).
      this.close('a message too large for the link');
      return;
    }
    this.sender.send(frames);
  }

  private handshakeFailed(error: unknown): void {
    if (error instanceof HandshakeError) this.deps.onHandshakeFailed?.(error);
    // A short grace so the authenticated rejection (if any) leaves before the channel closes.
    this.state = 'closing';
    this.timers.push(setTimeout(() => this.close('handshake failed'), BYE_GRACE_MS));
  }

  private detachRuntime(): void {
    const runtime = this.runtime;
    this.runtime = undefined;
    runtime?.close();
  }
}

function toOwnBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const own = new Uint8Array(bytes.byteLength);
  own.set(bytes);
  return own;
}

/**
 * One attempt to reach the extension: register a throwaway PeerJS id at the signaling server, open
 * a data channel to the extension's id, and run the handshake (shared/link/handshake.ts) with both
 * DTLS fingerprints read from this side's SDPs. Resolves with the open connection and the session
 * keys, or rejects with an `AttemptError` saying what failed, for the retry policy and the screen.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { type DataConnection, Peer, type PeerError } from 'peerjs';
import { HandshakeError } from '../../shared/link/errors.ts';
import { fingerprintFromSdp } from '../../shared/link/fingerprint.ts';
import { createInitiator, type HandshakeMode, type InitiatorSession } from '../../shared/link/handshake.ts';
import type { Pairing } from './pairing-store';

export type AttemptFailure =
  /** The signaling server could not be reached or refused us. */
  | 'signaling'
  /** The signaling server does not know the extension's id: the browser is closed or offline. */
  | 'unreachable'
  | 'timeout'
  /** The data channel closed before the handshake finished (the extension refused us, or the network). */
  | 'closed'
  /** The handshake failed; see `handshake`. */
  | 'handshake';

export class AttemptError extends Error {
  constructor(
    readonly failure: AttemptFailure,
    message: string,
    readonly handshake?: HandshakeError,
  ) {
    super(message);
    this.name = 'AttemptError';
  }
}

export interface OpenLink {
  peer: Peer;
  connection: DataConnection;
  session: InitiatorSession;
  /** The extension's DTLS fingerprint as the handshake bound it (an ICE restart must keep it). */
  remoteFingerprint: string;
  /** Hands the channel's frames to the caller from now on (frames that arrived meanwhile first). */
  takeOver(onFrame: (frame: Uint8Array) => void): void;
}

export interface AttemptOptions {
  mode: HandshakeMode;
  timeoutMs?: number;
  /**
   * A Peer still registered at the signaling server from an earlier attempt: reusing it saves a
   * WebSocket setup on every reconnect after a data-channel drop.
   */
  reuse?: Peer;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** A queue of incoming frames that the handshake reads one at a time, then the caller drains. */
class FrameQueue {
  private readonly frames: Uint8Array[] = [];
  private waiter: ((frame: Uint8Array | undefined) => void) | undefined;
  private closed = false;
  private sink: ((frame: Uint8Array) => void) | undefined;

  push(frame: Uint8Array): void {
    if (this.sink) {
      this.sink(frame);
      return;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(frame);
    else this.frames.push(frame);
  }

  close(): void {
    this.closed = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(undefined);
  }

  next(): Promise<Uint8Array | undefined> {
    const frame = this.frames.shift();
    if (frame || this.closed) return Promise.resolve(frame);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  takeOver(sink: (frame: Uint8Array) => void): Uint8Array[] {
    this.sink = sink;
    return this.frames.splice(0);
  }
}

export async function openLink(pairing: Pairing, options: AttemptOptions): Promise<OpenLink> {
  const { signaling } = pairing;
  const reused = options.reuse;
  const peer =
    reused?.open && !reused.destroyed && !reused.disconnected
      ? reused
      : new Peer(`tandem-phone-${bytesToHex(crypto.getRandomValues(new Uint8Array(8)))}`, {
          host: signaling.host,
          port: signaling.port ?? (signaling.secure ? 443 : 80),
          path: signaling.path ?? '/',
          secure: signaling.secure,
          config: { iceServers: pairing.iceServers.map((server) => ({ ...server })) },
          debug: 0,
        });
  if (peer !== reused) reused?.destroy();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failAttempt: (error: AttemptError) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    failAttempt = reject;
  });
  failed.catch(() => {});
  timer = setTimeout(
    () => failAttempt(new AttemptError('timeout', 'Tandem did not answer in time.')),
    options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  );
  const onPeerError = (error: PeerError<string>) => {
    if (error.type === 'peer-unavailable') {
      failAttempt(
        new AttemptError('unreachable', 'Tandem is not reachable: is the computer on, with the browser running?'),
      );
    } else if (error.type !== 'webrtc') {
      failAttempt(new AttemptError('signaling', `Cannot reach the signaling server ${signaling.host}.`));
    }
  };
  peer.on('error', onPeerError);
  try {
    if (!peer.open) await Promise.race([new Promise<void>((resolve) => peer.once('open', () => resolve())), failed]);
    const connection = peer.connect(pairing.peerId, { serialization: 'raw', reliable: true });
    const frames = new FrameQueue();
    connection.on('data', (data: unknown) => {
      if (data instanceof ArrayBuffer) frames.push(new Uint8Array(data));
    });
    connection.on('close', () => {
      frames.close();
      failAttempt(new AttemptError('closed', 'The connection to Tandem closed during the handshake.'));
    });
    connection.on('error', () => failAttempt(new AttemptError('closed', 'The connection to Tandem failed.')));
    await Promise.race([new Promise<void>((resolve) => connection.on('open', () => resolve())), failed]);

    const local = connection.peerConnection?.localDescription?.sdp;
    const remote = connection.peerConnection?.remoteDescription?.sdp;
    if (!local || !remote) throw new AttemptError('closed', 'The connection has no session descriptions.');
    const remoteFingerprint = fingerprintFromSdp(remote);
    const handshake = createInitiator({
      deviceKeyPair: pairing.deviceKeyPair,
      deviceName: pairing.deviceName,
      extensionPublicKey: pairing.extensionPublicKey,
      localFingerprint: fingerprintFromSdp(local),
      remoteFingerprint,
      ...(options.mode === 'pair' && pairing.secret
        ? { mode: 'pair' as const, pairingSecret: pairing.secret }
        : { mode: 'reconnect' as const }),
    });
    let step = handshake.next();
    let session: InitiatorSession | undefined;
    while (!session) {
      if (step.messageOut) connection.dataChannel.send(ownBuffer(step.messageOut));
      if (step.done) {
        session = step.done;
        break;
      }
      const frame = await Promise.race([frames.next(), failed]);
      if (!frame) throw new AttemptError('closed', 'The connection to Tandem closed during the handshake.');
      step = handshake.next(frame);
    }
    clearTimeout(timer);
    timer = undefined;
    peer.off('error', onPeerError);
    let taken = false;
    return {
      peer,
      connection,
      session,
      remoteFingerprint,
      takeOver(onFrame) {
        if (taken) return;
        taken = true;
        for (const frame of frames.takeOver(onFrame)) onFrame(frame);
      },
    };
  } catch (error) {
    if (timer !== undefined) clearTimeout(timer);
    peer.off('error', onPeerError);
    peer.destroy();
    if (error instanceof AttemptError) throw error;
    if (error instanceof HandshakeError) throw new AttemptError('handshake', error.message, error);
    throw new AttemptError('closed', error instanceof Error ? error.message : String(error));
  }
}

function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const own = new Uint8Array(bytes.byteLength);
  own.set(bytes);
  return own;
}

/**
 * ICE restart on a live PeerJS data connection: a new offer and answer on the same
 * RTCPeerConnection, so DTLS, SCTP and the data channel (with whatever it still holds to deliver)
 * survive a network change; only the path under them is found anew.
 *
 * PeerJS has no renegotiation of its own: an OFFER for a connection id it knows makes the
 * answering Peer close that connection and build a new one (Peer._handleMessage), and it never
 * sends a description after the first. But a connection passes every ANSWER message to
 * `setRemoteDescription` whatever its `type`, and its CANDIDATE messages to `addIceCandidate`. So a
 * restart travels as ANSWER messages in both directions (the offer, then the answer), through the
 * same signaling server, and each side's own code answers or applies them.
 *
 * Security: the signaling server could always send such messages (PeerJS applies them today); what
 * this adds is that an offer is answered. Both sides refuse a description whose DTLS fingerprint is
 * not the one the handshake bound (shared/link/handshake.ts), so a hostile server can at most
 * break the connection, as it can by dropping messages; it can never swap in its own endpoint.
 */
import type { DataConnection } from 'peerjs';
import { fingerprintFromSdp } from './fingerprint.ts';

/** What of a PeerJS DataConnection a renegotiation uses. */
export type RenegotiableConnection = Pick<DataConnection, 'peer' | 'connectionId' | 'peerConnection' | 'provider'>;

/** The DTLS fingerprint in a description, or undefined if it has none we can read. */
function fingerprintOf(description: RTCSessionDescription | null): string | undefined {
  if (!description) return undefined;
  try {
    return fingerprintFromSdp(description.sdp);
  } catch {
    return undefined;
  }
}

/** Sends a description to the other side as PeerJS's ANSWER message (see above). */
function sendDescription(connection: RenegotiableConnection, description: RTCSessionDescription): void {
  connection.provider.socket.send({
    type: 'ANSWER',
    payload: {
      sdp: { type: description.type, sdp: description.sdp },
      type: 'data',
      connectionId: connection.connectionId,
    },
    dst: connection.peer,
  });
}

/**
 * Sends this side's new candidates as PeerJS does. Set again for each restart: PeerJS stops sending
 * candidates once ICE reports `completed`.
 */
function trickleCandidates(connection: RenegotiableConnection, pc: RTCPeerConnection): void {
  pc.onicecandidate = (event) => {
    if (!event.candidate?.candidate) return;
    connection.provider.socket.send({
      type: 'CANDIDATE',
      payload: { candidate: event.candidate.toJSON(), type: 'data', connectionId: connection.connectionId },
      dst: connection.peer,
    });
  };
}

export class RenegotiationError extends Error {
  override readonly name = 'RenegotiationError';
}

/**
 * The offering side (the phone): restarts ICE and resolves once the other side's answer is applied
 * with the authenticated fingerprint. Connectivity over the new path is for the caller to check
 * (a frame heard). The signaling socket must be open: PeerJS drops what it cannot send.
 */
export async function offerIceRestart(
  connection: RenegotiableConnection,
  remoteFingerprint: string,
  timeoutMs: number,
): Promise<void> {
  const pc = connection.peerConnection;
  if (!pc || pc.signalingState === 'closed') throw new RenegotiationError('The connection is closed.');
  trickleCandidates(connection, pc);
  pc.restartIce();
  await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
  const offer = pc.localDescription;
  if (!offer) throw new RenegotiationError('No offer was made.');
  sendDescription(connection, offer);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new RenegotiationError('No answer to the ICE restart.')), timeoutMs);
    const check = () => {
      if (pc.signalingState === 'closed') finish(new RenegotiationError('The connection closed.'));
      else if (pc.signalingState === 'stable') {
        finish(
          fingerprintOf(pc.remoteDescription) === remoteFingerprint
            ? undefined
            : new RenegotiationError('The answer to the ICE restart names another DTLS certificate.'),
        );
      }
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      pc.removeEventListener('signalingstatechange', check);
      if (error) reject(error);
      else resolve();
    };
    pc.addEventListener('signalingstatechange', check);
  });
}

/**
 * The answering side (the extension): answers every renegotiation offer that keeps the
 * authenticated fingerprint; `onRefused` is called (and nothing answered) for one that does not.
 * Returns a function that stops answering.
 */
export function answerIceRestarts(
  connection: RenegotiableConnection,
  remoteFingerprint: string,
  onRefused: (why: string) => void,
): () => void {
  const pc = connection.peerConnection;
  if (!pc) return () => {};
  const answer = async () => {
    if (pc.signalingState !== 'have-remote-offer') return;
    if (fingerprintOf(pc.remoteDescription) !== remoteFingerprint) {
      onRefused('a renegotiation offer named another DTLS certificate');
      return;
    }
    try {
      trickleCandidates(connection, pc);
      await pc.setLocalDescription(await pc.createAnswer());
      if (pc.localDescription) sendDescription(connection, pc.localDescription);
    } catch (error) {
      onRefused(`the renegotiation could not be answered (${error instanceof Error ? error.message : String(error)})`);
    }
  };
  const listener = () => void answer();
  pc.addEventListener('signalingstatechange', listener);
  return () => pc.removeEventListener('signalingstatechange', listener);
}

/**
 * The phone's half of an ICE restart (shared/link/renegotiation.ts): after a network change the
 * signaling WebSocket may be dead without knowing it (its address is gone), so it is opened anew
 * under the same PeerJS id and token, which the server hands back to us silently; then the offer
 * goes out over it and the extension answers on the same connection.
 */
import type { Peer } from 'peerjs';
import { offerIceRestart, RenegotiationError } from '../../shared/link/renegotiation.ts';
import type { OpenLink } from './link-attempt';

/** PeerJS's own "is the WebSocket open" (private; absent in another version, then we cannot tell). */
function signalingOpen(peer: Peer): boolean | undefined {
  return (peer.socket as unknown as { _wsOpen?: () => boolean })._wsOpen?.();
}

async function reopenSignaling(peer: Peer, deadline: number): Promise<void> {
  if (!peer.disconnected) peer.disconnect();
  while (signalingOpen(peer) !== true) {
    if (peer.destroyed || signalingOpen(peer) === undefined || Date.now() > deadline) {
      throw new RenegotiationError('The signaling server could not be reached again.');
    }
    // The change is announced before the new network routes anywhere: a socket that fails at once
    // leaves the Peer disconnected again, and the next try may find the route.
    if (peer.disconnected) peer.reconnect();
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

const RETRY_MS = 100;

/** Restarts ICE on the link's connection; resolves once the extension's answer is applied. */
export async function restartIce(link: OpenLink, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await reopenSignaling(link.peer, deadline);
  await offerIceRestart(link.connection, link.remoteFingerprint, Math.max(0, deadline - Date.now()));
}

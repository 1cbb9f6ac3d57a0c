/**
 * Narrows the page's Content-Security-Policy `connect-src` to exactly the signaling server the
 * phone is paired with. index.html's policy allows any WebSocket (the server is only known once a
 * code is scanned); a second policy added by a `<meta>` element is enforced on top of the first,
 * so from then on the page can reach nothing but that server (WebRTC itself is not a fetch). Were
 * the page's script ever subverted, it could not send the device key or conversations elsewhere
 * by fetch, XHR, WebSocket or beacon.
 */
import type { SignalingServer } from '../../shared/protocol/link';

let narrowedTo: string | undefined;

/** The WebSocket origin PeerJS connects to for this server. */
export function signalingOrigin(signaling: SignalingServer): string {
  const port = signaling.port ?? (signaling.secure ? 443 : 80);
  const host = signaling.host.includes(':') && !signaling.host.startsWith('[') ? `[${signaling.host}]` : signaling.host;
  return `${signaling.secure ? 'wss' : 'ws'}://${host}:${port}`;
}

/**
 * Adds the narrowing policy once. Returns false if the page is already narrowed to another server
 * (policies only ever tighten: the page must be reloaded to pair through a different one).
 */
export function restrictConnectionsTo(signaling: SignalingServer): boolean {
  const origin = signalingOrigin(signaling);
  if (narrowedTo !== undefined) return narrowedTo === origin;
  narrowedTo = origin;
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = `connect-src ${origin}`;
  document.head.append(meta);
  return true;
}

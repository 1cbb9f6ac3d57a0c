/**
 * The ICE servers one side actually uses: the configured STUN/TURN servers plus, when a TURN REST
 * server is set, credentials minted for it now. The scheme (draft-uberti-behave-turn-rest, coturn's
 * `use-auth-secret`): username `<unix expiry>:<name>`, password base64(HMAC-SHA1(secret, username)).
 * SHA-1 is what the TURN server checks; HMAC-SHA1 remains a sound MAC. The secret itself never leaves
 * the extension: the QR code and the phone carry only the minted, expiring pair.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import type { IceServer, LinkSettings, TurnRestConfig } from '../protocol/link';
import { encodeBase64url } from './base64url.ts';

export const TURN_REST_USER = 'tandem';

export function mintTurnCredentials(config: TurnRestConfig, nowMs: number): IceServer & { expiresAt: number } {
  const expiry = Math.floor(nowMs / 1000) + config.ttlSeconds;
  const username = `${expiry}:${TURN_REST_USER}`;
  const credential = standardBase64(
    hmac(sha1, new TextEncoder().encode(config.secret), new TextEncoder().encode(username)),
  );
  return {
    urls: config.urls.length === 1 ? (config.urls[0] ?? '') : [...config.urls],
    username,
    credential,
    expiresAt: expiry * 1000,
  };
}

/** The servers to hand RTCPeerConnection (and the phone) at `nowMs`. */
export function effectiveIceServers(
  settings: Pick<LinkSettings, 'iceServers' | 'turnRest'>,
  nowMs: number,
): IceServer[] {
  if (!settings.turnRest) return [...settings.iceServers];
  const { expiresAt: _expiresAt, ...minted } = mintTurnCredentials(settings.turnRest, nowMs);
  return [...settings.iceServers, minted];
}

/** TURN servers compare against standard, padded base64 (RFC 4648 §4). */
function standardBase64(bytes: Uint8Array): string {
  const text = encodeBase64url(bytes).replaceAll('-', '+').replaceAll('_', '/');
  return text.padEnd(Math.ceil(text.length / 4) * 4, '=');
}

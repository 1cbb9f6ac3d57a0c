/**
 * Reads what the side panel's QR code put in this page's URL fragment: the pairing offer (`p=`)
 * and, when the extension has any configured, its ICE servers (`ice=`). The fragment never reaches
 * the server that served this page; main.ts removes it from the address bar and history at once.
 */
import { z } from 'zod/mini';
import { decodeBase64url } from '../../shared/link/base64url.ts';
import { OfferError } from '../../shared/link/errors.ts';
import { OFFER_FRAGMENT_PARAM, type PairingOffer, parseOffer } from '../../shared/link/pairing-offer.ts';
import { ICE_FRAGMENT_PARAM, IceServer, type SignalingServer } from '../../shared/protocol/link';

/** A phone clock a little ahead of the computer's should not reject a fresh code; the extension decides. */
const CLOCK_TOLERANCE_MS = 60_000;

export type ScannedOffer =
  | { kind: 'none' }
  | { kind: 'offer'; offer: PairingOffer & { signaling: SignalingServer }; iceServers: IceServer[] }
  | { kind: 'error'; message: string };

export function readScannedOffer(hash: string, now: number): ScannedOffer {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  const params = new URLSearchParams(fragment);
  if (!params.has(OFFER_FRAGMENT_PARAM)) return { kind: 'none' };
  let offer: PairingOffer;
  try {
    offer = parseOffer(`#${fragment}`, now, { clockToleranceMs: CLOCK_TOLERANCE_MS });
  } catch (error) {
    return { kind: 'error', message: error instanceof OfferError ? error.message : 'This pairing link is damaged.' };
  }
  const { signaling } = offer;
  if (!signaling) {
    // Without it PeerJS would fall back to a public server nobody chose.
    return { kind: 'error', message: 'This pairing code names no signaling server. Update Tandem and scan again.' };
  }
  const iceText = params.get(ICE_FRAGMENT_PARAM);
  let iceServers: IceServer[] = [];
  if (iceText) {
    const bytes = decodeBase64url(iceText);
    let json: unknown;
    try {
      json = bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
    } catch {
      json = undefined;
    }
    const parsed = z.array(IceServer).check(z.maxLength(8)).safeParse(json);
    if (!parsed.success) return { kind: 'error', message: 'The connection settings in this pairing link are damaged.' };
    iceServers = parsed.data;
  }
  return { kind: 'offer', offer: { ...offer, signaling }, iceServers };
}

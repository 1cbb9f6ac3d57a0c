/**
 * VAPID (RFC 8292): the extension's application server key pair (ECDSA P-256) and the signed JWT
 * that proves to a push service that a message comes from the key the phone subscribed with.
 * A push service refuses messages for a subscription made with another key, so a leaked endpoint
 * alone does not let anyone else push to the phone.
 */

import { utf8ToBytes } from '@noble/hashes/utils.js';
import { encodeBase64url } from '../../shared/link/base64url';
import { bufferOf } from './web-crypto-bytes';

export interface VapidKeys {
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  /** The uncompressed public key (65 bytes), base64url: the phone's `applicationServerKey`. */
  publicKeyText: string;
}

/** RFC 8292 §2: at most 24 hours; shorter limits what a captured token is good for. */
export const VAPID_TOKEN_LIFETIME_S = 12 * 3600;
/** Who runs this application server; push services may use it to reach the operator. */
export const VAPID_SUBJECT = 'mailto:push@tandem.invalid';

export async function generateVapidKeys(): Promise<{ keys: VapidKeys; privateJwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  return { keys: await vapidKeysFromJwk(privateJwk), privateJwk };
}

/** The key pair from its stored private JWK (which carries the public point too). */
export async function vapidKeysFromJwk(privateJwk: JsonWebKey): Promise<VapidKeys> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await crypto.subtle.importKey('jwk', privateJwk, algorithm, false, ['sign']);
  const { d: _d, key_ops: _ops, ...publicJwk } = privateJwk;
  const publicKey = await crypto.subtle.importKey('jwk', { ...publicJwk, key_ops: ['verify'] }, algorithm, true, [
    'verify',
  ]);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
  return { publicKey, privateKey, publicKeyText: encodeBase64url(raw) };
}

/** The `Authorization` header for a message to `endpoint` (RFC 8292 §3: `vapid t=<jwt>, k=<key>`). */
export async function vapidAuthorization(keys: VapidKeys, endpoint: string, nowMs: number): Promise<string> {
  const header = encodeBase64url(utf8ToBytes(JSON.stringify({ typ: 'JWT', alg: 'ES256' })));
  const claims = encodeBase64url(
    utf8ToBytes(
      JSON.stringify({
        // The audience is the push service's origin, so a token cannot be replayed at another service.
        aud: new URL(endpoint).origin,
        exp: Math.floor(nowMs / 1000) + VAPID_TOKEN_LIFETIME_S,
        sub: VAPID_SUBJECT,
      }),
    ),
  );
  const signingInput = `${header}.${claims}`;
  // WebCrypto's ECDSA signature is r||s (IEEE P1363), exactly JWS's ES256 form (RFC 7518 §3.4).
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, bufferOf(utf8ToBytes(signingInput))),
  );
  return `vapid t=${signingInput}.${encodeBase64url(signature)}, k=${keys.publicKeyText}`;
}

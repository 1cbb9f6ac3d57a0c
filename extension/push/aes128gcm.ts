/**
 * Web Push message encryption (RFC 8291) with the `aes128gcm` content coding (RFC 8188), on
 * WebCrypto alone so it runs in an MV3 service worker. The push service sees only this ciphertext
 * and the endpoint: the keys are the phone's (p256dh, auth) and a fresh sender key per message.
 */
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { bufferOf } from './web-crypto-bytes';

/** RFC 8291 §4: one record; a push service must accept 4096 bytes of body. */
export const RECORD_SIZE = 4096;
const HEADER_BYTES = 16 + 4 + 1 + 65;
const TAG_BYTES = 16;
/** The most plaintext one 4096-byte body holds (one delimiter byte, the header and the GCM tag). */
export const MAX_PLAINTEXT_BYTES = RECORD_SIZE - HEADER_BYTES - TAG_BYTES - 1;

export interface PushKeys {
  /** The phone's P-256 public key, uncompressed (65 bytes). */
  p256dh: Uint8Array;
  /** The phone's 16-byte authentication secret. */
  auth: Uint8Array;
}

export class PayloadTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`A push payload is limited to ${MAX_PLAINTEXT_BYTES} bytes; this one has ${bytes}.`);
    this.name = 'PayloadTooLargeError';
  }
}

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', bufferOf(ikm), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: bufferOf(salt), info: bufferOf(info) },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

/** Test seam: the sender key pair and salt are random in use; fixed only to compare with RFC 8291's example. */
export interface EncryptionRandomness {
  senderKeys?: CryptoKeyPair;
  salt?: Uint8Array;
}

export async function encryptPayload(
  plaintext: Uint8Array,
  keys: PushKeys,
  randomness: EncryptionRandomness = {},
): Promise<Uint8Array> {
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new PayloadTooLargeError(plaintext.length);
  if (keys.p256dh.length !== 65 || keys.p256dh[0] !== 0x04)
    throw new Error('p256dh must be an uncompressed P-256 key.');
  if (keys.auth.length !== 16) throw new Error('The auth secret must be 16 bytes.');
  const sender =
    randomness.senderKeys ??
    ((await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair);
  const senderPublic = new Uint8Array(await crypto.subtle.exportKey('raw', sender.publicKey));
  const phoneKey = await crypto.subtle.importKey(
    'raw',
    bufferOf(keys.p256dh),
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    [],
  );
  const ecdhSecret = new Uint8Array(
    await crypto.subtle.deriveBits({ name: 'ECDH', public: phoneKey }, sender.privateKey, 256),
  );
  // RFC 8291 §3.4: bind the key to both public keys, keyed by the phone's auth secret.
  const keyInfo = concatBytes(utf8ToBytes('WebPush: info\0'), keys.p256dh, senderPublic);
  const ikm = await hkdf(keys.auth, ecdhSecret, keyInfo, 32);
  const salt = randomness.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const cek = await hkdf(salt, ikm, utf8ToBytes('Content-Encoding: aes128gcm\0'), 16);
  const nonce = await hkdf(salt, ikm, utf8ToBytes('Content-Encoding: nonce\0'), 12);
  const aesKey = await crypto.subtle.importKey('raw', bufferOf(cek), 'AES-GCM', false, ['encrypt']);
  // 0x02 marks the last (and only) record (RFC 8188 §2); no padding.
  const record = concatBytes(plaintext, new Uint8Array([0x02]));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: bufferOf(nonce) }, aesKey, bufferOf(record)),
  );
  const header = new Uint8Array(HEADER_BYTES);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, RECORD_SIZE);
  header[20] = senderPublic.length;
  header.set(senderPublic, 21);
  return concatBytes(header, ciphertext);
}

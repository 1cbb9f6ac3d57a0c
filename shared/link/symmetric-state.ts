/**
 * Noise's SymmetricState (Noise Protocol Framework rev. 34, §5.2) over SHA-256, HKDF and
 * ChaCha20-Poly1305: the running transcript hash `h` and chaining key `ck` that every handshake
 * message is folded into.
 *
 * Every byte either side sends or receives goes through `mixHash` (directly or via
 * `encryptAndHash`), and every AEAD tag is computed with `h` as associated data, so a single changed
 * byte anywhere in the transcript (including the prologue with both DTLS fingerprints) makes the
 * next tag fail. Noise's HKDF is RFC 5869 HKDF with the chaining key as salt and empty info, which
 * is what `@noble/hashes/hkdf` computes.
 */

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const HASH_BYTES = 32;
export const AEAD_TAG_BYTES = 16;
/** Nonces are a message counter; past this a handshake is broken anyway (it sends a handful). */
const MAX_NONCE = 0xffff;

/** Thrown by `decryptAndHash` when a tag does not verify; the handshake maps it to `auth_failed`. */
export class TagMismatch extends Error {
  override readonly name = 'TagMismatch';
}

export class SymmetricState {
  #chainingKey: Uint8Array;
  #hash: Uint8Array;
  #key: Uint8Array | undefined;
  #nonce = 0;

  constructor(protocolName: string) {
    // Noise pads names of up to 32 bytes instead of hashing them; ours are longer, so this is the same.
    this.#hash = sha256(utf8ToBytes(protocolName));
    this.#chainingKey = this.#hash;
  }

  /** The transcript hash so far; after the last message it identifies the session. */
  get handshakeHash(): Uint8Array {
    return this.#hash.slice();
  }

  mixHash(data: Uint8Array): void {
    this.#hash = sha256(concatBytes(this.#hash, data));
  }

  mixKey(inputKeyMaterial: Uint8Array): void {
    const [chainingKey, key] = this.#derive(inputKeyMaterial);
    this.#chainingKey = chainingKey;
    this.#key = key;
    this.#nonce = 0;
  }

  /** For the pre-shared key: it feeds both the keys and the transcript. */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [chainingKey, hashInput, key] = this.#derive(inputKeyMaterial);
    this.#chainingKey = chainingKey;
    this.mixHash(hashInput);
    this.#key = key;
    this.#nonce = 0;
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.#key ? this.#aead(this.#key).encrypt(plaintext) : plaintext.slice();
    this.#advanceNonce();
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** Throws `TagMismatch` if the ciphertext was not produced from the same transcript and keys. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    let plaintext: Uint8Array;
    if (this.#key) {
      try {
        plaintext = this.#aead(this.#key).decrypt(ciphertext);
      } catch (cause) {
        throw new TagMismatch('AEAD tag did not verify', { cause });
      }
    } else {
      plaintext = ciphertext.slice();
    }
    this.#advanceNonce();
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** The two transport keys: [initiator → responder, responder → initiator]. */
  split(): [Uint8Array, Uint8Array] {
    const [initiatorToResponder, responderToInitiator] = this.#derive(new Uint8Array(0));
    return [initiatorToResponder, responderToInitiator];
  }

  /**
   * Noise's HKDF(ck, ikm) outputs. HKDF-Expand is prefix-consistent, so deriving three and using two
   * gives exactly Noise's two-output form.
   */
  #derive(inputKeyMaterial: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
    const okm = hkdf(sha256, inputKeyMaterial, this.#chainingKey, undefined, 3 * HASH_BYTES);
    return [okm.slice(0, HASH_BYTES), okm.slice(HASH_BYTES, 2 * HASH_BYTES), okm.slice(2 * HASH_BYTES)];
  }

  #aead(key: Uint8Array) {
    // Noise's ChaChaPoly nonce: 32 zero bits, then the 64-bit counter little-endian.
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(4, this.#nonce, true);
    return chacha20poly1305(key, nonce, this.#hash);
  }

  #advanceNonce(): void {
    if (this.#key === undefined) return;
    if (this.#nonce >= MAX_NONCE) throw new RangeError('handshake nonce exhausted');
    this.#nonce += 1;
  }
}

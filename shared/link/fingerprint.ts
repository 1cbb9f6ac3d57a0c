/**
 * DTLS certificate fingerprints, as the handshake binds them.
 *
 * WebRTC's DTLS certificates are self-signed: the only thing tying the data channel's encryption to
 * the peer is the `a=fingerprint` line of each SDP, and the SDP travels through the (untrusted)
 * signaling server, which can swap both lines and sit in the middle (RFC 8827 §6.5, RFC 5763). The
 * handshake therefore hashes both fingerprints, in a fixed phone-then-extension order, into its
 * prologue (as libp2p's WebRTC spec does with Noise): if the two sides saw different fingerprints,
 * their transcripts differ and no MAC verifies.
 *
 * For that to work both sides must spell the same fingerprint the same way, hence the
 * normalisation: algorithm lower case, digest upper-case hex with colons (RFC 8122 §5).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { HandshakeError } from './errors.ts';

/**
 * Digest lengths of the accepted hash functions. SHA-1 and MD5 are refused: the binding is only as
 * strong as the fingerprint's second-preimage resistance, and browsers have used SHA-256 for years.
 */
const DIGEST_BYTES: Readonly<Record<string, number>> = { 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 };

const BINDING_LABEL = utf8ToBytes('tandem-link/v1 dtls-fingerprints');

/**
 * Canonical spelling of one fingerprint: `sha-256 AB:CD:...`. Accepts the SDP attribute with or
 * without its `a=fingerprint:` prefix, any case, and the digest with or without colons.
 * Throws `HandshakeError('bad_message')` for anything that is not a SHA-2 fingerprint.
 */
export function normalizeFingerprint(text: string): string {
  const match = /^\s*(?:a=fingerprint:)?\s*([A-Za-z0-9-]+)\s+([0-9A-Fa-f:]+)\s*$/i.exec(text);
  const algorithm = match?.[1]?.toLowerCase();
  const digestText = match?.[2];
  const expectedBytes = algorithm === undefined ? undefined : DIGEST_BYTES[algorithm];
  if (algorithm === undefined || digestText === undefined || expectedBytes === undefined) {
    throw invalidFingerprint(text);
  }
  const hex = digestText.includes(':') ? colonSeparatedHex(digestText) : digestText;
  if (hex === undefined || hex.length !== expectedBytes * 2) throw invalidFingerprint(text);
  const pairs = hex.toUpperCase().match(/../g) ?? [];
  return `${algorithm} ${pairs.join(':')}`;
}

/**
 * The certificate fingerprint of an SDP, normalised: exactly one, or a refusal.
 *
 * Firefox accepts the DTLS handshake if ANY listed fingerprint matches the peer's certificate and
 * keeps every `a=fingerprint` line, so a signaling server that adds its own SHA-384 line beside the
 * peer's SHA-256 could get a certificate verified that is not the one bound here if we picked one.
 * Hence: no preference, no guessing. The same fingerprint repeated (session and media level) is one
 * fingerprint; a second value, or a second algorithm, refuses the SDP, so what is bound is the exact
 * set DTLS may check.
 */
export function fingerprintFromSdp(sdp: string): string {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    if (/^a=fingerprint:/i.test(line.trim())) found.add(normalizeFingerprint(line));
  }
  const [only, ...others] = [...found];
  if (only === undefined) {
    throw new HandshakeError('bad_message', 'The session description has no DTLS fingerprint to authenticate.');
  }
  if (others.length > 0) {
    const algorithms = new Set([...found].map((fingerprint) => fingerprint.split(' ')[0]));
    throw new HandshakeError(
      'bad_message',
      algorithms.size > 1
        ? 'The session description lists several DTLS fingerprint algorithms; refusing a certificate that cannot be bound exactly.'
        : 'The session description lists several different DTLS fingerprints; refusing to guess which one is used.',
    );
  }
  return only;
}

/**
 * 32-byte hash of both fingerprints in role order (phone's certificate first). Each side computes
 * it from its own view: the phone as (local, remote), the extension as (remote, local).
 */
export function bindFingerprints(phoneFingerprint: string, extensionFingerprint: string): Uint8Array {
  const phone = utf8ToBytes(normalizeFingerprint(phoneFingerprint));
  const extension = utf8ToBytes(normalizeFingerprint(extensionFingerprint));
  // Length prefixes keep the encoding unambiguous (canonical strings are < 256 bytes).
  return sha256(
    concatBytes(BINDING_LABEL, Uint8Array.of(phone.length), phone, Uint8Array.of(extension.length), extension),
  );
}

function colonSeparatedHex(text: string): string | undefined {
  const parts = text.split(':');
  return parts.every((part) => /^[0-9A-Fa-f]{2}$/.test(part)) ? parts.join('') : undefined;
}

function invalidFingerprint(text: string): HandshakeError {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return new HandshakeError(
    'bad_message',
    `"${shown}" is not a DTLS certificate fingerprint (expected e.g. "sha-256 AB:CD:…" with a SHA-256/384/512 digest).`,
  );
}

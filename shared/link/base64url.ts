/**
 * Strict base64url (RFC 4648 §5) without padding, for the QR payload in a URL fragment.
 *
 * Strict because the decoder reads attacker-supplied text: it refuses padding, characters outside
 * the URL-safe alphabet, impossible lengths and non-zero trailing bits, so one payload has exactly
 * one spelling.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Map([...ALPHABET].map((char, index) => [char, index]));

export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const triple = (b0 << 16) | (b1 << 8) | b2;
    const chars = Math.min(4, bytes.length - i + 1);
    for (let c = 0; c < chars; c++) out += ALPHABET[(triple >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** Decodes strict unpadded base64url; returns undefined for anything else. */
export function decodeBase64url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let index = 0;
  for (const char of text) {
    const value = VALUES.get(char);
    if (value === undefined) return undefined;
    bits = ((bits << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[index++] = (bits >> bitCount) & 0xff;
    }
  }
  // Leftover bits must be zero, or two different strings would decode to the same bytes.
  if ((bits & ((1 << bitCount) - 1)) !== 0) return undefined;
  return out;
}

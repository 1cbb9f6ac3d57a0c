/**
 * X25519 (RFC 7748) built from noble's Montgomery ladder alone.
 *
 * Why not `x25519` from '@noble/curves/ed25519.js': that one computes public keys on the Edwards
 * curve (a 3x faster fixed-base multiply), which pulls the whole Edwards implementation into the
 * phone page's start-up JavaScript. The ladder gives the same bytes for every input (RFC 7748
 * fixes the function, not the method; tests/unit/link-x25519.test.ts checks the RFC's vectors and
 * agreement with noble's own x25519), and a handshake needs only a few scalar multiplications.
 */

import { pow } from '@noble/curves/abstract/modular.js';
import { montgomery } from '@noble/curves/abstract/montgomery.js';

/** The field prime 2^255 - 19 (RFC 7748 section 4.1). */
const P = 2n ** 255n - 19n;

export const x25519 = montgomery({
  P,
  type: 'x25519',
  // RFC 7748 section 5, decodeScalar25519: clear the 3 low bits, clear bit 255, set bit 254.
  adjustScalarBytes(bytes: Uint8Array) {
    bytes[0] = (bytes[0] ?? 0) & 248;
    bytes[31] = ((bytes[31] ?? 0) & 127) | 64;
    return bytes;
  },
  // Inversion by Fermat's little theorem, as RFC 7748's ladder ends with x_2 * z_2^(p-2).
  powPminus2: (x: bigint) => pow(x, P - 2n, P),
});

import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { x25519 } from '../../shared/link/x25519.ts';

describe('x25519 (Montgomery ladder only)', () => {
  it('matches the RFC 7748 section 5.2 test vectors', () => {
    const vectors = [
      {
        scalar: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
        u: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
        out: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
      },
      {
        scalar: '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
        u: 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
        out: '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
      },
    ];
    for (const { scalar, u, out } of vectors) {
      expect(bytesToHex(x25519.scalarMult(hexToBytes(scalar), hexToBytes(u)))).toBe(out);
    }
  });

  it('matches the RFC 7748 section 6.1 Diffie-Hellman example', () => {
    const alicePrivate = hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPrivate = hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(bytesToHex(x25519.getPublicKey(alicePrivate))).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    const bobPublic = x25519.getPublicKey(bobPrivate);
    expect(bytesToHex(bobPublic)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(bytesToHex(x25519.getSharedSecret(alicePrivate, bobPublic))).toBe(shared);
    expect(bytesToHex(x25519.getSharedSecret(bobPrivate, x25519.getPublicKey(alicePrivate)))).toBe(shared);
  });

  it('matches the RFC 7748 section 5.2 iterated vector after 1,000 iterations', () => {
    let k = hexToBytes('0900000000000000000000000000000000000000000000000000000000000000');
    let u = k;
    for (let i = 0; i < 1000; i++) {
      const next = x25519.scalarMult(k, u);
      u = k;
      k = next;
    }
    expect(bytesToHex(k)).toBe('684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51');
  });

  it("gives the same keys and secrets as noble's Edwards-accelerated x25519", () => {
    for (let i = 0; i < 8; i++) {
      const a = nobleX25519.utils.randomSecretKey();
      const b = nobleX25519.utils.randomSecretKey();
      expect(x25519.getPublicKey(a)).toEqual(nobleX25519.getPublicKey(a));
      expect(x25519.getSharedSecret(a, nobleX25519.getPublicKey(b))).toEqual(
        nobleX25519.getSharedSecret(b, nobleX25519.getPublicKey(a)),
      );
    }
  });

  it('refuses a low-order public key (all-zero shared secret)', () => {
    const secret = x25519.utils.randomSecretKey();
    expect(() => x25519.getSharedSecret(secret, new Uint8Array(32))).toThrow();
  });
});

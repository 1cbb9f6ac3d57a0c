import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../shared/link/base64url.ts';
import {
  createOffer,
  DEFAULT_OFFER_TTL_MS,
  encodeOffer,
  generateStaticKeyPair,
  OfferError,
  offerToUrl,
  type PairingOffer,
  pairingSecretId,
  parseOffer,
  pendingPairingFromOffer,
} from '../../shared/link/index.ts';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const PHONE_PAGE = 'https://phone.example/';

function expectOfferError(run: () => unknown, code: OfferError['code']): OfferError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OfferError);
    expect((error as OfferError).code).toBe(code);
    return error as OfferError;
  }
  throw new Error(`expected OfferError(${code})`);
}

function sampleOffer(overrides: Partial<Parameters<typeof createOffer>[0]> = {}): PairingOffer {
  return createOffer({
    extensionPublicKey: generateStaticKeyPair().publicKey,
    peerId: 'tandem-3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
    now: NOW,
    ...overrides,
  });
}

describe('pairing offer', () => {
  it('round-trips through the phone page URL with the secret only in the fragment', () => {
    const offer = sampleOffer({ signaling: { host: 'signal.example.org', port: 9443, path: '/tandem', secure: true } });
    const url = offerToUrl(`${PHONE_PAGE}?lang=en#old`, offer);
    const parsed = new URL(url);

    expect(parsed.origin + parsed.pathname + parsed.search).toBe(`${PHONE_PAGE}?lang=en`);
    expect(parsed.hash.startsWith('#p=')).toBe(true);
    const secretText = encodeBase64url(offer.secret);
    expect(url.slice(0, url.indexOf('#'))).not.toContain(secretText.slice(0, 8));

    const back = parseOffer(url, NOW);
    expect(back).toEqual(offer);
    expect(parseOffer(parsed.hash, NOW)).toEqual(offer);
    expect(parseOffer(parsed.hash.slice(1), NOW)).toEqual(offer);
  });

  it('creates a fresh 256-bit secret for every offer and expires it after five minutes', () => {
    const a = sampleOffer();
    const b = sampleOffer();
    expect(a.secret).toHaveLength(32);
    expect(a.secret).not.toEqual(b.secret);
    expect(a.expiresAt).toBeLessThanOrEqual(NOW + DEFAULT_OFFER_TTL_MS);
    expect(a.expiresAt).toBeGreaterThan(NOW + DEFAULT_OFFER_TTL_MS - 1000);
  });

  it('uses the injected random source', () => {
    const offer = sampleOffer({ randomBytes: (n) => new Uint8Array(n).fill(7) });
    expect(offer.secret).toEqual(new Uint8Array(32).fill(7));
  });

  it('keeps the QR payload small', () => {
    const offer = sampleOffer({ signaling: { host: 'signal.example.org', port: 9443, path: '/tandem' } });
    expect(offerToUrl(PHONE_PAGE, offer).length).toBeLessThan(220);
  });

  it('round-trips without signaling settings and with defaults left out', () => {
    const bare = sampleOffer();
    expect(parseOffer(offerToUrl(PHONE_PAGE, bare), NOW)).toEqual(bare);
    expect(bare.signaling).toBeUndefined();

    const hostOnly = sampleOffer({ signaling: { host: '192.168.1.20', secure: false } });
    const back = parseOffer(offerToUrl(PHONE_PAGE, hostOnly), NOW);
    expect(back.signaling).toEqual({ host: '192.168.1.20', secure: false });
  });

  it('refuses an expired offer, with an optional tolerance for clock skew', () => {
    const offer = sampleOffer();
    const url = offerToUrl(PHONE_PAGE, offer);
    const error = expectOfferError(() => parseOffer(url, offer.expiresAt), 'expired');
    expect(error.message).toMatch(/expired/);
    expect(parseOffer(url, offer.expiresAt - 1)).toEqual(offer);
    expect(parseOffer(url, offer.expiresAt + 10_000, { clockToleranceMs: 30_000 })).toEqual(offer);
  });

  it('refuses malformed links with a clear error', () => {
    const good = encodeOffer(sampleOffer());
    const bytes = decodeBase64url(good) ?? new Uint8Array(0);
    const cases = [
      'https://phone.example/',
      'https://phone.example/#',
      'https://phone.example/#q=abc',
      `https://phone.example/?p=${good}`,
      'p=',
      'p=!!!!',
      `p=${good}=`,
      `p=${good.slice(0, -5)}`,
      `p=${encodeBase64url(Uint8Array.from([...bytes, 0]))}`,
      `p=${encodeBase64url(Uint8Array.from([bytes[0] ?? 1, 0x04, ...bytes.slice(2)]))}`,
      `p=${encodeBase64url(Uint8Array.from([...bytes.slice(0, 70), 3, 0x61, 0x0a, 0x62]))}`,
      `p=${encodeBase64url(Uint8Array.from([...bytes.slice(0, 70), 0]))}`,
      'not a url at all',
    ];
    for (const input of cases) expectOfferError(() => parseOffer(input, NOW), 'malformed');
  });

  it('refuses a payload of an unknown format version', () => {
    const bytes = decodeBase64url(encodeOffer(sampleOffer())) ?? new Uint8Array(0);
    bytes[0] = 2;
    expectOfferError(() => parseOffer(`p=${encodeBase64url(bytes)}`, NOW), 'unsupported_version');
  });

  it('refuses random fragments without throwing anything else', () => {
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(Math.random() * 200);
      const random = crypto.getRandomValues(new Uint8Array(length));
      try {
        parseOffer(`#p=${encodeBase64url(random)}`, NOW);
      } catch (error) {
        expect(error).toBeInstanceOf(OfferError);
      }
    }
  });

  it('refuses to create an offer the phone could not read', () => {
    const key = generateStaticKeyPair().publicKey;
    expectOfferError(() => createOffer({ extensionPublicKey: key, peerId: 'bad/id', now: NOW }), 'malformed');
    expectOfferError(() => createOffer({ extensionPublicKey: key.slice(1), peerId: 'ok', now: NOW }), 'malformed');
    expectOfferError(
      () => createOffer({ extensionPublicKey: key, peerId: 'ok', now: NOW, signaling: { host: 'a b', secure: true } }),
      'malformed',
    );
    expectOfferError(
      () => createOffer({ extensionPublicKey: key, peerId: 'ok', now: NOW, randomBytes: (n) => new Uint8Array(n - 1) }),
      'malformed',
    );
    expectOfferError(() => offerToUrl('javascript:alert(1)', sampleOffer()), 'malformed');
  });

  it('gives the extension a record whose id names the secret without revealing it', () => {
    const offer = sampleOffer();
    const pending = pendingPairingFromOffer(offer);
    expect(pending.secretId).toBe(pairingSecretId(offer.secret));
    expect(pending.secretId).toMatch(/^[0-9a-f]{32}$/);
    expect(pending.secretId).not.toContain(Buffer.from(offer.secret).toString('hex').slice(0, 8));
    expect(pending.expiresAt).toBe(offer.expiresAt);
  });
});

describe('base64url', () => {
  it('round-trips every length and refuses non-canonical text', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = encodeBase64url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(decodeBase64url(text)).toEqual(bytes);
    }
    expect(decodeBase64url('A')).toBeUndefined();
    expect(decodeBase64url('AB')).toBeUndefined(); // non-zero trailing bits
    expect(decodeBase64url('AA==')).toBeUndefined();
    expect(decodeBase64url('A+A')).toBeUndefined();
  });
});

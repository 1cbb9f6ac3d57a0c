/**
 * The phone page's pure parts: reading a scanned pairing link, remembering the pairing, naming the
 * device.
 */
import { describe, expect, it } from 'vitest';
import { guessDeviceName } from '../../phone-web/src/device-name';
import { type KeyValueStorage, PairingStore } from '../../phone-web/src/pairing-store';
import { readScannedOffer } from '../../phone-web/src/scanned-offer';
import { encodeBase64url } from '../../shared/link/base64url.ts';
import { generateStaticKeyPair } from '../../shared/link/handshake.ts';
import { createOffer, offerToUrl } from '../../shared/link/pairing-offer.ts';

const NOW = Date.UTC(2025, 5, 1, 12);
const SIGNALING = { host: '192.168.1.20', port: 9000, path: '/tandem', secure: false };
const extension = generateStaticKeyPair();

function offerUrl(options: { signaling?: boolean; ice?: string } = {}): string {
  const offer = createOffer({
    extensionPublicKey: extension.publicKey,
    peerId: 'tandem-abc',
    now: NOW,
    ...(options.signaling === false ? {} : { signaling: SIGNALING }),
  });
  const url = offerToUrl('https://phone.example.org/', offer);
  return options.ice === undefined ? url : `${url}&ice=${options.ice}`;
}

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

describe('scanned pairing link', () => {
  it('is absent without a fragment offer', () => {
    expect(readScannedOffer('', NOW)).toEqual({ kind: 'none' });
    expect(readScannedOffer('#thread=1', NOW)).toEqual({ kind: 'none' });
  });

  it('reads the offer and the ICE servers from the fragment', () => {
    const ice = encodeBase64url(new TextEncoder().encode(JSON.stringify([{ urls: 'stun:stun.example.org:3478' }])));
    const scanned = readScannedOffer(new URL(offerUrl({ ice })).hash, NOW);
    expect(scanned).toMatchObject({
      kind: 'offer',
      offer: { peerId: 'tandem-abc', signaling: SIGNALING },
      iceServers: [{ urls: 'stun:stun.example.org:3478' }],
    });
  });

  it('refuses expired, damaged, server-less and bad-ICE links with a sentence to show', () => {
    const url = offerUrl();
    expect(readScannedOffer(new URL(url).hash, NOW + 10 * 60_000)).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('expired'),
    });
    expect(readScannedOffer('#p=AAAA', NOW)).toMatchObject({ kind: 'error' });
    expect(readScannedOffer(new URL(offerUrl({ signaling: false })).hash, NOW)).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('signaling'),
    });
    expect(readScannedOffer(new URL(offerUrl({ ice: 'not-json' })).hash, NOW)).toMatchObject({ kind: 'error' });
  });
});

describe('pairing store', () => {
  it('keeps a pending pairing, then the paired state, with the same device key', () => {
    const storage = new MemoryStorage();
    const store = new PairingStore(storage);
    const scanned = readScannedOffer(new URL(offerUrl()).hash, NOW);
    if (scanned.kind !== 'offer') throw new Error('expected an offer');
    const device = generateStaticKeyPair();
    const pending = store.savePending(scanned.offer, [], device, 'Pixel (Chrome)');
    expect(pending).toMatchObject({ kind: 'pending', peerId: 'tandem-abc', deviceName: 'Pixel (Chrome)' });
    expect(pending.secret).toEqual(scanned.offer.secret);
    store.markPaired(pending, NOW);
    const paired = store.load();
    expect(paired).toMatchObject({ kind: 'paired', signaling: SIGNALING });
    expect(paired?.secret).toBeUndefined();
    expect(paired?.deviceKeyPair.publicKey).toEqual(device.publicKey);
    expect(paired?.extensionPublicKey).toEqual(extension.publicKey);
    if (!paired) throw new Error('lost');
    store.markRevoked(paired, NOW);
    expect(store.load()?.kind).toBe('revoked');
  });

  it('keeps the pairing secret in memory only: nothing written to storage holds it', () => {
    const storage = new MemoryStorage();
    const store = new PairingStore(storage);
    const scanned = readScannedOffer(new URL(offerUrl()).hash, NOW);
    if (scanned.kind !== 'offer') throw new Error('expected an offer');
    const pending = store.savePending(scanned.offer, [], generateStaticKeyPair(), 'Pixel (Chrome)');
    expect(pending.secret).toEqual(scanned.offer.secret);
    const hex = Buffer.from(scanned.offer.secret).toString('hex');
    for (const value of storage.map.values()) expect(value.toLowerCase()).not.toContain(hex);
    // A reload forgets it: the pending pairing can only reconnect (if the extension accepted it).
    const reloaded = new PairingStore(storage).load();
    expect(reloaded?.kind).toBe('pending');
    expect(reloaded?.secret).toBeUndefined();
  });

  it('drops a damaged entry instead of failing', () => {
    const storage = new MemoryStorage();
    storage.setItem('tandem.phone.pairing.v1', '{"kind":"paired","peerId":1}');
    expect(new PairingStore(storage).load()).toBeUndefined();
    expect(storage.map.size).toBe(0);
    storage.setItem('tandem.phone.pairing.v1', 'not json');
    expect(new PairingStore(storage).load()).toBeUndefined();
  });
});

describe('device name', () => {
  it('names common phones and browsers', () => {
    expect(
      guessDeviceName('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36'),
    ).toBe('Android phone (Chrome)');
    expect(
      guessDeviceName(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('iPhone (Safari)');
    expect(guessDeviceName('')).toBe('Phone');
  });
});

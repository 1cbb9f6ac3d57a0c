/**
 * The phone link's commands in the real runtime (Node, in-memory IndexedDB), with the link host
 * replaced by a recorder: pairing offers, trusted-only refusal for phones, revocation dropping the
 * device's runtime clients at once, settings validation.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinkHostControl } from '../../extension/link/link-service';
import { type AssembledRuntime, assembleRuntime } from '../../extension/runtime/assemble';
import { decodeBase64url } from '../../shared/link/base64url.ts';
import { generateStaticKeyPair } from '../../shared/link/handshake.ts';
import { parseOffer } from '../../shared/link/pairing-offer.ts';
import type { RuntimeMessage } from '../../shared/protocol';
import { DEFAULT_PHONE_PAGE_URL, DEFAULT_STUN_SERVERS, PEERJS_CLOUD } from '../../shared/protocol/link';
import { connect } from '../support/runtime-harness';

class RecordingHost implements LinkHostControl {
  reconfigured = 0;
  readonly revoked: string[] = [];
  async reconfigure(): Promise<void> {
    this.reconfigured += 1;
  }
  async revoke(deviceId: string): Promise<void> {
    this.revoked.push(deviceId);
  }
}

let assembled: AssembledRuntime;
let host: RecordingHost;

beforeEach(() => {
  host = new RecordingHost();
  assembled = assembleRuntime({ databaseName: `phone-link-${Math.random()}`, linkHost: host });
});

afterEach(async () => {
  await assembled.db.delete();
});

const SIGNALING = { host: '192.168.1.20', port: 9000, path: '/tandem', secure: false };

describe('phone link commands', () => {
  it('works out of the box: the hosted phone page and the public PeerJS server when none is set', async () => {
    const panel = connect(assembled);
    expect(await panel.command({ type: 'pairing.start' })).toMatchObject({ type: 'ack' });
    const offer = panel.messages.find((m) => m.type === 'pairing.offer');
    if (offer?.type !== 'pairing.offer') throw new Error('no offer');
    expect(offer.url.startsWith(`${DEFAULT_PHONE_PAGE_URL}#`)).toBe(true);
    expect(parseOffer(offer.url, Date.now()).signaling).toEqual(PEERJS_CLOUD);
    // The user's own server and page replace both.
    await panel.command({
      type: 'link.settings.update',
      patch: { signaling: SIGNALING, phonePageUrl: 'https://phone.example.org/' },
    });
    expect(await panel.command({ type: 'pairing.start' })).toMatchObject({ type: 'ack' });
    const own = panel.messages.findLast((m) => m.type === 'pairing.offer');
    if (own?.type !== 'pairing.offer') throw new Error('no offer');
    expect(parseOffer(own.url, Date.now()).signaling).toEqual(SIGNALING);
  });

  it('cancels the QR codes a panel showed when its port drops (the side panel closed)', async () => {
    const settingsPanel = connect(assembled);
    await settingsPanel.command({
      type: 'link.settings.update',
      patch: { signaling: SIGNALING, phonePageUrl: 'https://phone.example.org/' },
    });
    // A panel attached as the port clients attach it, so it can be dropped.
    const sent: RuntimeMessage[] = [];
    const closing = assembled.runtime.attach('panel', (m) => sent.push(m));
    await closing.receive({ type: 'pairing.start', id: 'show-qr' });
    const offer = sent.find((m) => m.type === 'pairing.offer');
    expect(offer).toBeDefined();
    // Another panel's code is not this panel's to cancel.
    await settingsPanel.command({ type: 'pairing.start' });
    const other = settingsPanel.messages.find((m) => m.type === 'pairing.offer');
    const link = assembled.link;
    if (!link || offer?.type !== 'pairing.offer' || other?.type !== 'pairing.offer') throw new Error('no offers');
    expect(await link.store.findPairing(offer.secretId)).toBeDefined();

    closing.detach();
    await expect.poll(() => link.store.findPairing(offer.secretId)).toBeUndefined();
    expect(await link.store.findPairing(other.secretId)).toBeDefined();
  });

  it('offers the phone page URL with the offer (and ICE servers) in the fragment only', async () => {
    const panel = connect(assembled);
    await panel.command({
      type: 'link.settings.update',
      patch: {
        signaling: SIGNALING,
        phonePageUrl: 'https://phone.example.org/app/',
        iceServers: [{ urls: 'turn:turn.example.org:3478', username: 'u', credential: 'p' }],
      },
    });
    expect(await panel.command({ type: 'pairing.start' })).toMatchObject({ type: 'ack' });
    const offer = panel.messages.find(
      (m): m is Extract<RuntimeMessage, { type: 'pairing.offer' }> => m.type === 'pairing.offer',
    );
    if (!offer) throw new Error('no offer');
    const url = new URL(offer.url);
    expect(`${url.origin}${url.pathname}${url.search}`).toBe('https://phone.example.org/app/');
    const parsed = parseOffer(offer.url, Date.now());
    const identity = await assembled.link?.store.identity();
    expect(parsed.peerId).toBe(identity?.peerId);
    expect(parsed.signaling).toEqual(SIGNALING);
    expect(parsed.expiresAt - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    const ice = new URLSearchParams(url.hash.slice(1)).get('ice') ?? '';
    expect(JSON.parse(new TextDecoder().decode(decodeBase64url(ice)))).toEqual([
      { urls: 'turn:turn.example.org:3478', username: 'u', credential: 'p' },
    ]);
    expect(await assembled.link?.store.findPairing(offer.secretId)).toBeDefined();
    expect(host.reconfigured).toBeGreaterThan(0);
    // Cancelled: the secret is gone.
    await panel.command({ type: 'pairing.cancel', secretId: offer.secretId });
    expect(await assembled.link?.store.findPairing(offer.secretId)).toBeUndefined();
  });

  it('puts TURN credentials minted now in the QR code, never the TURN REST secret', async () => {
    const panel = connect(assembled);
    const secret = 'north-wind-secret';
    await panel.command({
      type: 'link.settings.update',
      patch: {
        signaling: SIGNALING,
        phonePageUrl: 'https://phone.example.org/',
        iceServers: [],
        turnRest: { urls: ['turn:turn.example.org:3478'], secret, ttlSeconds: 3600 },
      },
    });
    expect(await panel.command({ type: 'pairing.start' })).toMatchObject({ type: 'ack' });
    const offer = panel.messages.find((m) => m.type === 'pairing.offer');
    if (offer?.type !== 'pairing.offer') throw new Error('no offer');
    expect(offer.url).not.toContain(secret);
    const ice = new URLSearchParams(new URL(offer.url).hash.slice(1)).get('ice') ?? '';
    const servers = JSON.parse(new TextDecoder().decode(decodeBase64url(ice)));
    expect(JSON.stringify(servers)).not.toContain(secret);
    expect(servers).toEqual([
      {
        urls: 'turn:turn.example.org:3478',
        username: expect.stringMatching(/^\d+:tandem$/),
        credential: expect.any(String),
      },
    ]);
    const expiry = Number(servers[0].username.split(':')[0]) * 1000;
    expect(expiry - Date.now()).toBeGreaterThan(3500_000);
    expect(expiry - Date.now()).toBeLessThanOrEqual(3600_000);
  });

  it('refuses every link command from a phone', async () => {
    const phone = connect(assembled, 'phone');
    for (const type of ['pairing.start', 'devices.list', 'link.settings.get'] as const) {
      expect(await phone.command({ type })).toMatchObject({ type: 'error', code: 'not_allowed' });
    }
    expect(await phone.command({ type: 'devices.revoke', deviceId: 'x' })).toMatchObject({ code: 'not_allowed' });
    expect(
      await phone.command({
        type: 'link.settings.update',
        patch: { signaling: { host: 'evil.example', secure: true } },
      }),
    ).toMatchObject({ code: 'not_allowed' });
  });

  it('revokes a device: its runtime clients are detached at once and panels see the new list', async () => {
    const link = assembled.link;
    if (!link) throw new Error('no link');
    const panel = connect(assembled);
    const device = await link.store.addDevice(generateStaticKeyPair().publicKey, 'Pixel');
    const delivered: unknown[] = [];
    const session = await link.openPhone({ sessionId: 's1', deviceId: device.id, deviceName: 'Pixel' }, (m) =>
      delivered.push(m),
    );
    expect(session).toBeDefined();
    expect(delivered[0]).toMatchObject({ type: 'welcome', clientKind: 'phone' });
    expect(await panel.command({ type: 'devices.list' })).toMatchObject({ type: 'ack' });
    expect(panel.messages.findLast((m) => m.type === 'devices')).toMatchObject({
      devices: [{ id: device.id, name: 'Pixel', connected: true }],
    });

    expect(await panel.command({ type: 'devices.revoke', deviceId: device.id })).toMatchObject({ type: 'ack' });
    expect(host.revoked).toEqual([device.id]);
    expect(link.hasPhone('s1')).toBe(false);
    const before = delivered.length;
    session?.receive({ type: 'threads.list', id: 'after-revoke' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(delivered.length).toBe(before);
    expect(panel.messages.findLast((m) => m.type === 'devices')).toMatchObject({ devices: [] });
    // A revoked device is not attached again, and revoking twice is an error.
    expect(
      await link.openPhone({ sessionId: 's2', deviceId: device.id, deviceName: 'Pixel' }, () => {}),
    ).toBeUndefined();
    expect(await panel.command({ type: 'devices.revoke', deviceId: device.id })).toMatchObject({ type: 'error' });
  });

  it('validates link settings and reports them to every panel', async () => {
    const panel = connect(assembled);
    const other = connect(assembled);
    expect(
      await panel.command({ type: 'link.settings.update', patch: { phonePageUrl: 'javascript:alert(1)' } }),
    ).toMatchObject({ type: 'error', code: 'invalid_command' });
    expect(
      await panel.command({
        type: 'link.settings.update',
        patch: { signaling: { host: 'peer.example', secure: true, path: 'x' } },
      }),
    ).toMatchObject({ type: 'error', code: 'invalid_command' });
    expect(await panel.command({ type: 'link.settings.update', patch: { signaling: SIGNALING } })).toMatchObject({
      type: 'ack',
    });
    expect(other.messages.findLast((m) => m.type === 'link.settings')).toMatchObject({
      settings: {
        signaling: SIGNALING,
        iceServers: DEFAULT_STUN_SERVERS,
        phonePageUrl: '',
        turnRest: null,
        keepAwake: true,
      },
    });
    expect(await panel.command({ type: 'link.settings.get' })).toMatchObject({ type: 'ack' });
    expect(panel.messages.findLast((m) => m.type === 'link.status')).toMatchObject({ status: { state: 'off' } });
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { effectiveIceServers, mintTurnCredentials } from '../../shared/link/turn-credentials';
import { DEFAULT_LINK_SETTINGS, LinkSettings, LinkSettingsPatch } from '../../shared/protocol/link';

const config = { urls: ['turn:198.19.0.1:3478?transport=udp'], secret: 'north-wind-secret', ttlSeconds: 3600 };

describe('TURN REST credentials', () => {
  it('mints expiry:user and base64(HMAC-SHA1(secret, username)) as coturn use-auth-secret checks', () => {
    const minted = mintTurnCredentials(config, 1_700_000_000_500);
    expect(minted.username).toBe('1700003600:tandem');
    const expected = createHmac('sha1', config.secret).update('1700003600:tandem').digest('base64');
    expect(minted.credential).toBe(expected);
    expect(minted.expiresAt).toBe(1_700_003_600_000);
    expect(minted.urls).toBe('turn:198.19.0.1:3478?transport=udp');
  });

  it('adds the minted server after the configured ones and never hands out the secret', () => {
    const servers = effectiveIceServers({ iceServers: [{ urls: 'stun:198.19.0.1:3478' }], turnRest: config }, 0);
    expect(servers).toHaveLength(2);
    expect(JSON.stringify(servers)).not.toContain(config.secret);
    expect(servers[1]).not.toHaveProperty('expiresAt');
  });

  it('uses the configured servers alone without TURN REST', () => {
    expect(effectiveIceServers({ iceServers: [], turnRest: null }, 0)).toEqual([]);
  });
});

describe('ICE settings', () => {
  it('default to public STUN servers', () => {
    const urls = DEFAULT_LINK_SETTINGS.iceServers.map((s) => s.urls);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((u) => typeof u === 'string' && u.startsWith('stun:'))).toBe(true);
  });

  it('reads settings stored before TURN REST existed', () => {
    const parsed = LinkSettings.parse({ signaling: null, iceServers: [], phonePageUrl: '' });
    expect(parsed.turnRest).toBeNull();
  });

  it('refuses a TURN REST server that is not a turn: URL, a short secret or an endless lifetime', () => {
    expect(LinkSettingsPatch.safeParse({ turnRest: { ...config, urls: ['http://x'] } }).success).toBe(false);
    expect(LinkSettingsPatch.safeParse({ turnRest: { ...config, secret: 'short' } }).success).toBe(false);
    expect(LinkSettingsPatch.safeParse({ turnRest: { ...config, ttlSeconds: 10 ** 9 } }).success).toBe(false);
    expect(LinkSettingsPatch.safeParse({ turnRest: config }).success).toBe(true);
  });
});

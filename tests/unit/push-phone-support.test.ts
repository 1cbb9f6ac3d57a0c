/** When the phone page offers "Notify me on this phone", and what it says instead (iOS needs the Home Screen). */
import { describe, expect, it } from 'vitest';
import { type PushEnvironment, pushSupport } from '../../phone-web/src/push-support';

const ANDROID: PushEnvironment = {
  userAgent: 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/140.0 Mobile Safari/537.36',
  platform: 'Linux armv8l',
  maxTouchPoints: 5,
  standalone: false,
  secureContext: true,
  hasServiceWorker: true,
  hasPushManager: true,
  hasNotification: true,
};
const IPHONE = {
  ...ANDROID,
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 Version/18.2 Mobile/15E148 Safari/604.1',
  platform: 'iPhone',
  // Safari in a tab has no PushManager at all.
  hasPushManager: false,
};
const IPAD_DESKTOP_MODE = {
  ...IPHONE,
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.2 Safari/605.1.15',
  platform: 'MacIntel',
  maxTouchPoints: 5,
};

describe('push support on the phone page', () => {
  it('is ready in a secure context with service workers, Push API and notifications', () => {
    expect(pushSupport(ANDROID)).toEqual({ kind: 'ready' });
  });

  it('tells an iPhone or iPad in a browser tab to add Tandem to the Home Screen', () => {
    for (const env of [IPHONE, IPAD_DESKTOP_MODE]) {
      const support = pushSupport(env);
      expect(support.kind).toBe('install-first');
      expect(support.kind === 'install-first' && support.message).toContain('Add to Home Screen');
    }
  });

  it('is ready on an iPhone once opened from the Home Screen', () => {
    expect(pushSupport({ ...IPHONE, standalone: true, hasPushManager: true })).toEqual({ kind: 'ready' });
  });

  it('a Mac (no touch screen) is not mistaken for an iPad', () => {
    expect(pushSupport({ ...IPAD_DESKTOP_MODE, maxTouchPoints: 0, hasPushManager: true })).toEqual({ kind: 'ready' });
  });

  it('says why it cannot work over plain http or without the APIs', () => {
    expect(pushSupport({ ...ANDROID, secureContext: false })).toMatchObject({ kind: 'unavailable' });
    expect(pushSupport({ ...ANDROID, hasPushManager: false })).toMatchObject({ kind: 'unavailable' });
  });
});

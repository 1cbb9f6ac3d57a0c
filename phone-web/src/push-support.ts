/**
 * Whether this browser can get Web Push here, and what to tell the user when it cannot. Safari on
 * iOS/iPadOS offers the Push API only to a page added to the Home Screen (iOS 16.4+), so an iPhone
 * in a browser tab is told to install Tandem first instead of seeing a button that cannot work.
 */
export type PushSupport =
  | { kind: 'ready' }
  | { kind: 'install-first'; message: string }
  | { kind: 'unavailable'; message: string };

export interface PushEnvironment {
  userAgent: string;
  platform: string;
  maxTouchPoints: number;
  /** Safari's own flag, or the `display-mode: standalone` media query. */
  standalone: boolean;
  secureContext: boolean;
  hasServiceWorker: boolean;
  hasPushManager: boolean;
  hasNotification: boolean;
}

export function isAppleMobile(env: Pick<PushEnvironment, 'userAgent' | 'platform' | 'maxTouchPoints'>): boolean {
  if (/\b(iPhone|iPad|iPod)\b/.test(env.userAgent)) return true;
  // iPadOS asks for desktop sites and says "Macintosh"; a Mac has no touch screen.
  return env.platform === 'MacIntel' && env.maxTouchPoints > 1;
}

export function pushSupport(env: PushEnvironment): PushSupport {
  if (!env.secureContext) {
    return { kind: 'unavailable', message: 'Notifications need this page over HTTPS.' };
  }
  if (isAppleMobile(env) && !env.standalone) {
    return {
      kind: 'install-first',
      message:
        'On iPhone and iPad, notifications work once Tandem is on your Home Screen: tap Share, then “Add to Home Screen”, and open Tandem from there.',
    };
  }
  if (!env.hasServiceWorker || !env.hasPushManager || !env.hasNotification) {
    return { kind: 'unavailable', message: 'This browser cannot show notifications from Tandem.' };
  }
  return { kind: 'ready' };
}

export function currentPushEnvironment(): PushEnvironment {
  const nav = navigator as Navigator & { standalone?: boolean };
  return {
    userAgent: nav.userAgent,
    platform: nav.platform,
    maxTouchPoints: nav.maxTouchPoints,
    standalone: nav.standalone === true || window.matchMedia?.('(display-mode: standalone)').matches === true,
    secureContext: window.isSecureContext,
    hasServiceWorker: 'serviceWorker' in nav,
    hasPushManager: 'PushManager' in window,
    hasNotification: 'Notification' in window,
  };
}

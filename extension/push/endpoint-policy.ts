/**
 * Which push endpoints the extension will POST to. The endpoint comes from a phone; without this
 * check a paired (or stolen) phone could make the extension send requests to any address it names,
 * intranet hosts included. Real subscriptions always point at a browser vendor's push service
 * over HTTPS; a test rig may add its loopback stand-in (PushStore.allowServiceOrigins).
 */
const PUSH_SERVICE_HOSTS = [
  'fcm.googleapis.com', // Chrome, Edge on Android, other Chromium browsers
  'updates.push.services.mozilla.com', // Firefox
  'web.push.apple.com', // Safari, iOS home-screen apps
  'notify.windows.com', // Edge on Windows (WNS), *.notify.windows.com
  'push.services.mozilla.com',
];

export function isAllowedPushEndpoint(endpoint: string, extraOrigins: readonly string[] = []): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (extraOrigins.includes(url.origin)) return true;
  if (url.protocol !== 'https:' || url.port !== '') return false;
  return PUSH_SERVICE_HOSTS.some((host) => url.hostname === host || url.hostname.endsWith(`.${host}`));
}

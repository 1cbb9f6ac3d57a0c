/**
 * URLs the agent can never reach, whatever the site rules say. Browser pages
 * (chrome://, about:) and other extensions hold powers a web page must not get;
 * the web stores can install software; this extension's own pages would let the
 * agent change its own permissions; local files go through the file bridge,
 * which has its own folder policy. Pure: unit-tested without a browser.
 */
import { canonicalHost } from './canonical-host';

export type UnreachableReason = 'invalid' | 'scheme' | 'file' | 'extension' | 'web_store' | 'credentials';

export interface Unreachable {
  reason: UnreachableReason;
  message: string;
}

const EXTENSION_SCHEMES = new Set(['chrome-extension:', 'moz-extension:', 'extension:', 'safari-web-extension:']);

/** Hosts that are a web store as a whole. */
const STORE_HOSTS = new Set(['chromewebstore.google.com', 'addons.mozilla.org', 'addons.opera.com']);
/** Hosts where only some paths are a store (the rest of the host is ordinary). */
const STORE_PATHS: ReadonlyArray<{ host: string; path: string }> = [
  { host: 'chrome.google.com', path: '/webstore' },
  { host: 'microsoftedge.microsoft.com', path: '/addons' },
];

export function isWebStore(url: URL): boolean {
  // `chromewebstore.google.com.` (a trailing dot) is the same store.
  const host = canonicalHost(url.hostname);
  if (STORE_HOSTS.has(host)) return true;
  return STORE_PATHS.some((store) => host === store.host && url.pathname.toLowerCase().startsWith(store.path));
}

/** Hosts that are entirely a web store, for rules that see only an origin (DNR, origin-scoped grants). */
export const WEB_STORE_HOSTS: readonly string[] = [...STORE_HOSTS];
export const WEB_STORE_PATH_PREFIXES: readonly string[] = STORE_PATHS.map((s) => `${s.host}${s.path}`);

export function unreachableReason(input: string | URL): Unreachable | undefined {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch {
    return { reason: 'invalid', message: `"${String(input).slice(0, 200)}" is not a valid URL.` };
  }
  if (url.protocol === 'file:') {
    return {
      reason: 'file',
      message: 'Local files (file://) are never reachable through the web tools; files go through the file tools.',
    };
  }
  if (EXTENSION_SCHEMES.has(url.protocol)) {
    return {
      reason: 'extension',
      message: 'Extension pages (including Tandem’s own) are never reachable by the agent.',
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      reason: 'scheme',
      message: `${url.protocol}// pages (browser pages, about:, data: and the like) are never reachable by the agent; only http and https sites are.`,
    };
  }
  if (url.username || url.password) {
    return { reason: 'credentials', message: 'URLs with a user name or password in them are refused.' };
  }
  if (isWebStore(url)) {
    return {
      reason: 'web_store',
      message: 'Browser web stores are never reachable by the agent (they can install software).',
    };
  }
  return undefined;
}

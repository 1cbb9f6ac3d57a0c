/**
 * One spelling per host, so that a rule about a site covers every way of
 * writing it. Without this a deny on `http://127.0.0.1:8080` would not cover
 * `localhost:8080`, `localhost.:8080`, `[::ffff:7f00:1]:8080` or
 * `0.0.0.0:8080`, and `example.com.` (a trailing dot: the same site, fully
 * qualified) would escape an exact deny. Used for allows and denies alike.
 *
 * The URL parser already folds case, IPv4 spellings (`0x7f.1`, `2130706433`)
 * and IDN to punycode; what is left is done here:
 * - trailing dots are dropped;
 * - an IPv4-mapped IPv6 address (`[::ffff:a00:1]`) is its IPv4 address;
 * - every loopback alias (`localhost` and `*.localhost`, 127.0.0.0/8, `[::1]`,
 *   and the unspecified addresses `0.0.0.0` / `[::]`, which connect to this
 *   machine) is one host, `127.0.0.1`: they all reach the same local servers.
 *
 * Pure, unit-tested in tests/unit/web-origin-pattern.test.ts.
 */

export const LOOPBACK_HOST = '127.0.0.1';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAPPED_IPV4 = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/;

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

function mappedIpv4(host: string): string | undefined {
  const match = MAPPED_IPV4.exec(host);
  if (!match) return undefined;
  const high = Number.parseInt(match[1] ?? '0', 16);
  const low = Number.parseInt(match[2] ?? '0', 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '[::]' || host === '0.0.0.0') return true;
  return IPV4.exec(host)?.[1] === '127';
}

/** The host as rules see it: lowercase, no trailing dot, IPv4-mapped IPv6 unwrapped, loopback aliases folded. */
export function canonicalHost(hostname: string): string {
  let host = hostname.toLowerCase().replace(/\.+$/, '');
  host = mappedIpv4(host) ?? host;
  return isLoopback(host) ? LOOPBACK_HOST : host;
}

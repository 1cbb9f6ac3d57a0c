/**
 * Site patterns: which origins a site rule covers. A pattern is either an exact
 * origin (`https://docs.example.com`, `http://127.0.0.1:8080`) or a whole site
 * with its subdomains (`https://*.example.com`). Patterns are scheme-aware: an
 * https rule never covers http, so allowing a site does not also allow its
 * plain-text twin, which anyone on the network path can impersonate.
 *
 * Hosts are compared in one spelling (canonical-host.ts: no trailing dot,
 * loopback aliases folded), and a wildcard over a public suffix (`*.co.uk`,
 * `*.github.io`: anyone can register a site under them) is refused, using the
 * Public Suffix List as the tldts package ships it.
 *
 * Pure: no browser APIs, unit-tested in tests/unit/web-origin-pattern.test.ts.
 */
import { getPublicSuffix } from 'tldts';
import { canonicalHost, isIpv4, LOOPBACK_HOST } from './canonical-host';

export type WebScheme = 'http' | 'https';

export interface OriginPattern {
  /** Normalised text: how the pattern is stored, compared and shown. */
  readonly text: string;
  readonly scheme: WebScheme;
  /** Lowercase ASCII host; for a wildcard, the base domain it covers. */
  readonly host: string;
  /** Explicit port, or '' for the scheme's default (as URL.port gives it). */
  readonly port: string;
  readonly wildcard: boolean;
}

export type PatternParse = { ok: true; pattern: OriginPattern } | { ok: false; message: string };

/** An exact origin outranks any wildcard; a longer wildcard base outranks a shorter one. */
const EXACT_SPECIFICITY = 1_000;

function fail(message: string): PatternParse {
  return { ok: false, message };
}

/**
 * Reads what a person typed: `https://docs.example.com`, `*.example.com`,
 * `http://*.example.com:8080`, `example.com` (https is assumed when no scheme is
 * given). Paths, queries, credentials and wildcards anywhere but the first label
 * are refused, with a message saying why.
 */
export function parseOriginPattern(input: string): PatternParse {
  let text = input.trim();
  if (!text) return fail('Enter a site, like https://docs.example.com or *.example.com.');
  if (text.length > 300) return fail('That site pattern is too long.');
  let scheme: WebScheme = 'https';
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (schemeMatch) {
    const named = schemeMatch[1]?.toLowerCase();
    if (named !== 'http' && named !== 'https') return fail('Only http:// and https:// sites can be allowed or denied.');
    scheme = named;
    text = text.slice(schemeMatch[0].length);
  }
  // A single trailing slash is what people copy from the address bar; anything after it is a path.
  if (text.endsWith('/')) text = text.slice(0, -1);
  if (/[/?#]/.test(text)) return fail('A rule covers a whole site: leave out the path (everything after the host).');
  if (text.includes('@')) return fail('A site pattern cannot contain a user name or password.');
  let wildcard = false;
  if (text.startsWith('*.')) {
    wildcard = true;
    text = text.slice(2);
  }
  if (text.includes('*')) return fail('A wildcard is only allowed as the first label, as in *.example.com.');
  let url: URL;
  try {
    url = new URL(`${scheme}://${text}/`);
  } catch {
    return fail(`"${input.trim()}" is not a valid site.`);
  }
  if (url.pathname !== '/' || url.username || url.password) return fail(`"${input.trim()}" is not a valid site.`);
  if (!url.hostname.replace(/\.+$/, '')) return fail(`"${input.trim()}" is not a valid site.`);
  const host = canonicalHost(url.hostname);
  if (wildcard) {
    if (host.startsWith('[') || isIpv4(host)) return fail('Wildcards cover domain names, not IP addresses.');
    // `*.com` would allow a whole top-level domain: never what a person means.
    if (!host.includes('.')) return fail('A wildcard needs a domain with at least two labels, as in *.example.com.');
    // Private suffixes too (github.io, blogspot.com): every site under them belongs to someone else.
    if (getPublicSuffix(host, { allowPrivateDomains: true }) === host) {
      return fail(
        `*.${host} would cover every site under ${host}, where anyone can register one. Name a site instead, as in *.example.${host}.`,
      );
    }
  }
  const port = url.port;
  const origin = `${scheme}://${wildcard ? '*.' : ''}${host}${port ? `:${port}` : ''}`;
  return { ok: true, pattern: { text: origin, scheme, host, port, wildcard } };
}

/** The scheme, host and port of a URL as patterns see them; undefined for non-web URLs. */
export function webOrigin(url: URL): { scheme: WebScheme; host: string; port: string; text: string } | undefined {
  const scheme = url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : undefined;
  if (!scheme || !url.hostname) return undefined;
  const host = canonicalHost(url.hostname);
  return { scheme, host, port: url.port, text: `${scheme}://${host}${url.port ? `:${url.port}` : ''}` };
}

export function patternMatches(pattern: OriginPattern, url: URL): boolean {
  const origin = webOrigin(url);
  if (!origin) return false;
  if (origin.scheme !== pattern.scheme || origin.port !== pattern.port) return false;
  if (!pattern.wildcard) return origin.host === pattern.host;
  // A label boundary: `*.example.com` covers `a.example.com` and `example.com`, never `badexample.com`.
  return origin.host === pattern.host || origin.host.endsWith(`.${pattern.host}`);
}

export function specificity(pattern: OriginPattern): number {
  return pattern.wildcard ? pattern.host.split('.').length : EXACT_SPECIFICITY;
}

/** The exact-origin pattern for a URL (what "Allow on this site" remembers). */
export function exactPatternFor(url: URL): OriginPattern | undefined {
  const origin = webOrigin(url);
  if (!origin) return undefined;
  return { text: origin.text, scheme: origin.scheme, host: origin.host, port: origin.port, wildcard: false };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type DnrUrlCondition = { urlFilter: string } | { regexFilter: string };

/** Every loopback spelling canonicalHost() folds into 127.0.0.1, as a regex over a canonicalised URL's host. */
const LOOPBACK_REGEX =
  '(localhost|[a-z0-9_.-]*\\.localhost|127\\.[0-9]+\\.[0-9]+\\.[0-9]+|0\\.0\\.0\\.0|\\[::1?\\]|\\[::ffff:(7f[0-9a-f]{2}:[0-9a-f]{1,4}|0:0)\\])\\.?';

function ipv4Mapped(host: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = host.split('.').map(Number);
  return `[::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}]`;
}

/**
 * The declarativeNetRequest conditions matching exactly the URLs a pattern
 * covers, in every spelling canonicalHost() folds together (a trailing dot, an
 * IPv4-mapped address, the loopback aliases), so the browser's rules and the
 * egress gate agree. URLs reach DNR canonicalised (lowercase scheme and host,
 * default port dropped, a `/` after the authority), so anchoring on `origin/`
 * is exact: `http://127.0.0.1:8080@evil.test/` does not start with
 * `http://127.0.0.1:8080/`.
 */
export function dnrUrlConditions(pattern: OriginPattern): DnrUrlCondition[] {
  const port = pattern.port ? `:${pattern.port}` : '';
  const start = `${pattern.scheme}://`;
  if (pattern.wildcard) {
    return [{ regexFilter: `^${start}([a-z0-9_-]+\\.)*${escapeRegex(pattern.host)}\\.?${escapeRegex(port)}/` }];
  }
  if (pattern.host === LOOPBACK_HOST) return [{ regexFilter: `^${start}${LOOPBACK_REGEX}${escapeRegex(port)}/` }];
  const conditions: DnrUrlCondition[] = [{ urlFilter: `|${start}${pattern.host}${port}/` }];
  if (isIpv4(pattern.host)) conditions.push({ urlFilter: `|${start}${ipv4Mapped(pattern.host)}${port}/` });
  else if (!pattern.host.startsWith('[')) conditions.push({ urlFilter: `|${start}${pattern.host}.${port}/` });
  return conditions;
}

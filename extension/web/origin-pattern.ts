/**
 * Site patterns: which origins a site rule covers. A pattern is either an exact
 * origin (`https://docs.example.com`, `http://127.0.0.1:8080`) or a whole site
 * with its subdomains (`https://*.example.com`). Patterns are scheme-aware: an
 * https rule never covers http, so allowing a site does not also allow its
 * plain-text twin, which anyone on the network path can impersonate.
 *
 * Pure: no browser APIs, unit-tested in tests/unit/web-origin-pattern.test.ts.
 */

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

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

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
  const host = url.hostname;
  if (!host) return fail(`"${input.trim()}" is not a valid site.`);
  if (wildcard) {
    if (host.startsWith('[') || IPV4.test(host)) return fail('Wildcards cover domain names, not IP addresses.');
    // `*.com` would allow a whole top-level domain: never what a person means.
    if (!host.includes('.')) return fail('A wildcard needs a domain with at least two labels, as in *.example.com.');
  }
  const port = url.port;
  const origin = `${scheme}://${wildcard ? '*.' : ''}${host}${port ? `:${port}` : ''}`;
  return { ok: true, pattern: { text: origin, scheme, host, port, wildcard } };
}

/** The scheme, host and port of a URL as patterns see them; undefined for non-web URLs. */
export function webOrigin(url: URL): { scheme: WebScheme; host: string; port: string; text: string } | undefined {
  const scheme = url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : undefined;
  if (!scheme || !url.hostname) return undefined;
  return { scheme, host: url.hostname, port: url.port, text: url.origin };
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

/**
 * The declarativeNetRequest condition matching exactly the URLs a pattern
 * covers. URLs reach DNR canonicalised (lowercase scheme and host, default port
 * dropped, a `/` after the authority), so anchoring on `origin/` is exact:
 * `http://127.0.0.1:8080@evil.test/` does not start with `http://127.0.0.1:8080/`.
 */
export function dnrUrlCondition(pattern: OriginPattern): { urlFilter: string } | { regexFilter: string } {
  const port = pattern.port ? `:${pattern.port}` : '';
  if (!pattern.wildcard) return { urlFilter: `|${pattern.scheme}://${pattern.host}${port}/` };
  return { regexFilter: `^${pattern.scheme}://([a-z0-9_-]+\\.)*${escapeRegex(pattern.host)}${escapeRegex(port)}/` };
}

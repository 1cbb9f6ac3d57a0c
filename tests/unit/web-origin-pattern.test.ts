import { describe, expect, it } from 'vitest';
import { canonicalHost } from '../../extension/web/canonical-host';
import {
  dnrUrlConditions,
  type OriginPattern,
  parseOriginPattern,
  patternMatches,
  specificity,
} from '../../extension/web/origin-pattern';
import { unreachableReason } from '../../extension/web/reachability';

function pattern(text: string): OriginPattern {
  const parsed = parseOriginPattern(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.pattern;
}

const matches = (p: string, url: string) => patternMatches(pattern(p), new URL(url));

describe('site patterns', () => {
  it('normalises what people type into one canonical form', () => {
    expect(pattern('https://Docs.Example.com/').text).toBe('https://docs.example.com');
    expect(pattern('example.com').text).toBe('https://example.com');
    expect(pattern('*.Example.com').text).toBe('https://*.example.com');
    expect(pattern('http://127.0.0.1:8080').text).toBe('http://127.0.0.1:8080');
    expect(pattern('https://example.com:443').text).toBe('https://example.com');
    expect(pattern('http://*.example.com:8080').text).toBe('http://*.example.com:8080');
    expect(pattern('https://bücher.de').text).toBe('https://xn--bcher-kva.de');
  });

  it('refuses paths, credentials, odd wildcards, non-web schemes and whole TLDs, saying why', () => {
    for (const bad of [
      'https://example.com/docs',
      'https://user:pw@example.com',
      'https://a.*.example.com',
      '*.com',
      'ftp://example.com',
      'chrome://settings',
      '*.127.0.0.1',
      '',
      'https://exa mple.com',
    ]) {
      const parsed = parseOriginPattern(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(10);
    }
  });

  it('matches exact origins by scheme, host and port', () => {
    expect(matches('https://docs.example.com', 'https://docs.example.com/a/b?c#d')).toBe(true);
    expect(matches('https://docs.example.com', 'http://docs.example.com/')).toBe(false);
    expect(matches('https://docs.example.com', 'https://docs.example.com:8443/')).toBe(false);
    expect(matches('https://docs.example.com', 'https://www.docs.example.com/')).toBe(false);
    expect(matches('http://127.0.0.1:8080', 'http://127.0.0.1:8081/')).toBe(false);
    expect(matches('http://127.0.0.1:8080', 'http://127.0.0.1:8080/x')).toBe(true);
  });

  it('matches wildcards on label boundaries only, and only for their scheme', () => {
    expect(matches('*.example.com', 'https://example.com/')).toBe(true);
    expect(matches('*.example.com', 'https://a.b.example.com/')).toBe(true);
    expect(matches('*.example.com', 'https://badexample.com/')).toBe(false);
    expect(matches('*.example.com', 'https://example.com.evil.test/')).toBe(false);
    expect(matches('*.example.com', 'http://a.example.com/')).toBe(false);
    // Credentials in a URL do not change its host: this is evil.test.
    expect(matches('*.example.com', 'https://a.example.com@evil.test/')).toBe(false);
  });

  it('ranks exact origins above wildcards and longer wildcards above shorter ones', () => {
    expect(specificity(pattern('https://a.example.com'))).toBeGreaterThan(specificity(pattern('*.a.example.com')));
    expect(specificity(pattern('*.a.example.com'))).toBeGreaterThan(specificity(pattern('*.example.com')));
  });

  it('builds DNR conditions anchored on the whole origin', () => {
    const [wildcard] = dnrUrlConditions(pattern('*.example.com'));
    expect(wildcard && 'regexFilter' in wildcard).toBe(true);
    if (!wildcard || !('regexFilter' in wildcard)) return;
    const re = new RegExp(wildcard.regexFilter);
    expect(re.test('https://example.com/')).toBe(true);
    expect(re.test('https://a.b.example.com/x')).toBe(true);
    expect(re.test('https://a.example.com./x')).toBe(true);
    expect(re.test('https://badexample.com/')).toBe(false);
    expect(re.test('https://example.com.evil.test/')).toBe(false);
    expect(re.test('http://example.com/')).toBe(false);
    expect(re.test('https://a.example.com:8443/')).toBe(false);
  });

  it('matches a host in every spelling the DNR rules see: trailing dot, IPv4-mapped IPv6, loopback aliases', () => {
    const loopback = dnrMatcher(pattern('http://127.0.0.1:8080'));
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://localhost:8080/x',
      'http://localhost.:8080/',
      'http://app.localhost:8080/',
      'http://127.0.0.2:8080/',
      'http://[::1]:8080/',
      'http://[::ffff:7f00:1]:8080/',
      'http://0.0.0.0:8080/',
      'http://[::]:8080/',
    ]) {
      expect(loopback(new URL(url).href), url).toBe(true);
    }
    expect(loopback('http://127.0.0.1:8081/')).toBe(false);
    expect(loopback('http://127.0.0.1:8080@evil.test/')).toBe(false);
    expect(loopback('http://localhost.evil.test:8080/')).toBe(false);
    const exact = dnrMatcher(pattern('https://docs.example.com'));
    expect(exact(new URL('https://docs.example.com./a').href)).toBe(true);
    expect(exact('https://docs.example.com.evil.test/')).toBe(false);
    const ip = dnrMatcher(pattern('http://10.1.2.3'));
    expect(ip(new URL('http://[::ffff:10.1.2.3]/').href)).toBe(true);
  });
});

/** Whether any of a pattern's DNR conditions matches a canonicalised URL, as DNR evaluates them. */
function dnrMatcher(p: OriginPattern): (url: string) => boolean {
  const conditions = dnrUrlConditions(p);
  return (url) =>
    conditions.some((c) =>
      'regexFilter' in c ? new RegExp(c.regexFilter).test(url) : url.startsWith(c.urlFilter.replace(/^\|/, '')),
    );
}

describe('one spelling per host', () => {
  it('folds trailing dots, IPv4-mapped IPv6 and loopback aliases, for allows and denies alike', () => {
    expect(pattern('http://localhost:8080').text).toBe('http://127.0.0.1:8080');
    expect(pattern('http://[::ffff:7f00:1]:8080').text).toBe('http://127.0.0.1:8080');
    expect(pattern('https://example.com.').text).toBe('https://example.com');
    expect(pattern('*.example.com.').text).toBe('https://*.example.com');
    for (const url of [
      'http://localhost:8080/',
      'http://localhost.:8080/',
      'http://LOCALHOST:8080/',
      'http://[::ffff:7f00:1]:8080/',
      'http://[::ffff:127.0.0.1]:8080/',
      'http://0.0.0.0:8080/',
      'http://[::1]:8080/',
      'http://127.1:8080/',
      'http://2130706433:8080/',
    ]) {
      expect(matches('http://127.0.0.1:8080', url), url).toBe(true);
    }
    expect(matches('https://docs.example.com', 'https://docs.example.com./')).toBe(true);
    expect(matches('*.example.com', 'https://a.example.com./')).toBe(true);
    expect(matches('http://127.0.0.1:8080', 'http://127.0.0.1:8081/')).toBe(false);
  });

  it('keeps ordinary hosts as they are and unwraps IPv4-mapped IPv6 to its IPv4 address', () => {
    expect(canonicalHost('Docs.Example.com.')).toBe('docs.example.com');
    expect(canonicalHost('[::ffff:a00:1]')).toBe('10.0.0.1');
    expect(canonicalHost('[2001:db8::1]')).toBe('[2001:db8::1]');
    expect(canonicalHost('localhost.evil.test')).toBe('localhost.evil.test');
    expect(canonicalHost('128.0.0.1')).toBe('128.0.0.1');
  });

  it('refuses wildcards over public suffixes, ICANN and private alike', () => {
    for (const bad of ['https://*.co.uk', '*.github.io', '*.blogspot.com', '*.com.au']) {
      const parsed = parseOriginPattern(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain('anyone can register');
    }
    expect(pattern('*.example.co.uk').text).toBe('https://*.example.co.uk');
    expect(pattern('*.me.github.io').text).toBe('https://*.me.github.io');
  });
});

describe('never reachable', () => {
  it('refuses browser, extension, file and store URLs whatever the rules', () => {
    const cases: Array<[string, string]> = [
      ['chrome://settings', 'scheme'],
      ['about:blank', 'scheme'],
      ['data:text/html,hi', 'scheme'],
      ['javascript:alert(1)', 'scheme'],
      ['view-source:https://example.com', 'scheme'],
      ['file:///etc/passwd', 'file'],
      ['chrome-extension://abcdefghijklmnop/sidepanel.html', 'extension'],
      ['moz-extension://1234/page.html', 'extension'],
      ['https://chromewebstore.google.com/detail/x', 'web_store'],
      ['https://chrome.google.com/webstore/detail/x', 'web_store'],
      ['https://addons.mozilla.org/en-US/firefox/', 'web_store'],
      ['https://chromewebstore.google.com./detail/x', 'web_store'],
      ['https://addons.mozilla.org./', 'web_store'],
      ['https://microsoftedge.microsoft.com/addons/detail/x', 'web_store'],
      ['https://user:secret@example.com/', 'credentials'],
      ['not a url', 'invalid'],
    ];
    for (const [url, reason] of cases) expect(unreachableReason(url)?.reason, url).toBe(reason);
  });

  it('lets ordinary web pages through (the site policy decides about them)', () => {
    expect(unreachableReason('https://example.com/a')).toBeUndefined();
    expect(unreachableReason('http://127.0.0.1:8080/')).toBeUndefined();
    expect(unreachableReason('https://chrome.google.com/search')).toBeUndefined();
  });
});

/**
 * One HTTP request that never follows a redirect, for the egress gate.
 *
 * `fetch(url, { redirect: 'manual' })` returns an "opaque-redirect" response:
 * status 0 and no headers, so the Location is hidden by design (Fetch spec,
 * "atomic HTTP redirect handling"; whatwg/fetch#763). The extension still sees
 * it through webRequest: `onHeadersReceived` fires for the worker's own
 * requests (tabId -1) with the response headers, Location included. Measured in
 * Chromium 156: the event carries the 302 and its Location, and the redirect
 * target receives no request. webRequest is used only to observe, never to block.
 */
import browser from 'webextension-polyfill';
import { ToolError } from '../tools/registry';
import type { FetchHop, HopResult } from './egress-gate';

/** How long to wait for the webRequest event after fetch resolved with an opaque redirect. */
const LOCATION_WAIT_MS = 2_000;
/** A fetch taking longer than this to answer is cut (an MV3 worker is stopped after 30 s on one fetch). */
const HOP_TIMEOUT_MS = 25_000;

interface SeenRedirect {
  status: number;
  location: string | undefined;
}

function withoutHash(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

export class RedirectObserver {
  private readonly waiting = new Map<string, Set<(seen: SeenRedirect) => void>>();

  /** Registers the listener; call once, synchronously at startup. */
  listen(): void {
    browser.webRequest.onHeadersReceived.addListener(
      (details) => {
        if (details.statusCode < 300 || details.statusCode >= 400) return;
        const waiters = this.waiting.get(details.url);
        if (!waiters) return;
        const location = details.responseHeaders?.find((h) => h.name.toLowerCase() === 'location')?.value;
        for (const resolve of waiters) resolve({ status: details.statusCode, location });
      },
      { urls: ['<all_urls>'], tabId: -1, types: ['xmlhttprequest'] },
      ['responseHeaders'],
    );
  }

  /** Starts waiting for a redirect of `url`; register before the request starts so no event is missed. */
  expect(url: string): { seen(timeoutMs: number): Promise<SeenRedirect | undefined>; cancel(): void } {
    const key = withoutHash(url);
    let result: SeenRedirect | undefined;
    let wake: (() => void) | undefined;
    const resolve = (seen: SeenRedirect) => {
      result = seen;
      wake?.();
    };
    let set = this.waiting.get(key);
    if (!set) {
      set = new Set();
      this.waiting.set(key, set);
    }
    set.add(resolve);
    const cancel = () => {
      const current = this.waiting.get(key);
      current?.delete(resolve);
      if (current?.size === 0) this.waiting.delete(key);
    };
    return {
      cancel,
      seen: (timeoutMs) =>
        new Promise((done) => {
          if (result) return done(result);
          const timer = setTimeout(() => done(result), timeoutMs);
          wake = () => {
            clearTimeout(timer);
            done(result);
          };
        }),
    };
  }
}

export function manualFetchHop(observer: RedirectObserver): FetchHop {
  return async (url: URL, signal: AbortSignal): Promise<HopResult> => {
    const expectation = observer.expect(url.href);
    try {
      const response = await fetch(url, {
        redirect: 'manual',
        // The agent reads the public web as an anonymous reader: the user's cookies are not sent.
        // Logged-in pages are read in an agent tab, where the user sees what happens.
        credentials: 'omit',
        cache: 'no-store',
        headers: { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(HOP_TIMEOUT_MS)]),
      });
      if (response.type === 'opaqueredirect') {
        const seen = await expectation.seen(LOCATION_WAIT_MS);
        return { kind: 'redirect', status: seen?.status ?? 0, location: seen?.location };
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        void response.body?.cancel();
        return { kind: 'redirect', status: response.status, location: response.headers.get('location') ?? undefined };
      }
      return { kind: 'response', response };
    } catch (error) {
      if (signal.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ToolError(`Could not reach ${url.origin}: ${reason}`);
    } finally {
      expectation.cancel();
    }
  };
}

/**
 * The egress gate: every network request the agent makes, and every URL it
 * points a tab at, is checked here at the moment it happens, against the site
 * policy as it is then (a grant may have expired since the tool was approved).
 *
 * Fetches follow redirects one hop at a time (`redirect: 'manual'`), checking
 * each hop before it is requested: a redirect from an allowed site to one that
 * is not allowed stops, and the target never sees a request. There is no
 * prompt in the middle of a fetch; the model is told the URL it may ask for.
 */
import type { GateContext } from '../permissions/permission-gate';
import { ToolError } from '../tools/registry';
import type { SiteVerdict } from './site-policy';

export const MAX_REDIRECTS = 10;

export interface VerdictSource {
  verdictFor(url: URL, ctx: GateContext): Promise<SiteVerdict>;
}

export type HopResult =
  | { kind: 'redirect'; status: number; location: string | undefined }
  | { kind: 'response'; response: Response };

/** One request, never following a redirect (the browser edge: see manual-fetch.ts). */
export type FetchHop = (url: URL, signal: AbortSignal) => Promise<HopResult>;

/** A request the gate refused; a ToolError, so the model reads the message. */
export class EgressBlocked extends ToolError {
  constructor(
    message: string,
    readonly url: URL,
    readonly verdict: 'ask' | 'deny',
  ) {
    super(message);
    this.name = 'EgressBlocked';
  }
}

export interface FetchedResponse {
  response: Response;
  url: URL;
  /** Every URL requested before the final one, in order. */
  redirectedFrom: URL[];
}

/** The message for a refused URL; `from` is the page that redirected there, if any. Pure. */
export function blockedMessage(url: URL, verdict: SiteVerdict, from?: URL): string {
  const what = from ? `${from.href} redirected to ${url.href}` : `${url.href} is not reachable`;
  if (verdict.verdict === 'deny') {
    return `${what}: ${verdict.message}. ${from ? 'Tandem did not follow the redirect.' : ''}`.trim();
  }
  return from
    ? `${what}, and ${url.origin} is not on the user's allowed sites. Tandem did not follow the redirect. If you need that page, request it directly so the user can decide.`
    : `${what}: ${url.origin} is not on the user's allowed sites and this request was not approved.`;
}

export class EgressGate {
  constructor(
    private readonly sites: VerdictSource,
    private readonly fetchHop: FetchHop,
  ) {}

  /** Throws EgressBlocked unless the URL is allowed right now; returns it parsed. */
  async check(target: string | URL, ctx: GateContext, from?: URL): Promise<URL> {
    let url: URL;
    try {
      url = typeof target === 'string' ? new URL(target) : target;
    } catch {
      throw new ToolError(`"${String(target).slice(0, 200)}" is not a valid URL.`);
    }
    const verdict = await this.sites.verdictFor(url, ctx);
    if (verdict.verdict !== 'allow') throw new EgressBlocked(blockedMessage(url, verdict, from), url, verdict.verdict);
    return url;
  }

  /** GETs a URL, following at most MAX_REDIRECTS redirects, each one checked before it is requested. */
  async fetch(target: string | URL, ctx: GateContext, signal: AbortSignal): Promise<FetchedResponse> {
    let url = await this.check(target, ctx);
    const redirectedFrom: URL[] = [];
    for (;;) {
      const hop = await this.fetchHop(url, signal);
      if (hop.kind === 'response') return { response: hop.response, url, redirectedFrom };
      if (redirectedFrom.length >= MAX_REDIRECTS) {
        throw new ToolError(
          `Too many redirects (more than ${MAX_REDIRECTS}) starting from ${redirectedFrom[0]?.href}.`,
        );
      }
      if (!hop.location) {
        // Fail closed: a redirect whose target cannot be read is not followed blindly.
        throw new ToolError(`${url.href} answered with a redirect (${hop.status}) whose target could not be read.`);
      }
      let next: URL;
      try {
        next = new URL(hop.location, url);
      } catch {
        throw new ToolError(`${url.href} redirected to an invalid URL.`);
      }
      redirectedFrom.push(url);
      url = await this.check(next, ctx, redirectedFrom.at(-1));
    }
  }
}

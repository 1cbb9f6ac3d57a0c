/**
 * How site grants decide about a URL. Grants are the permission gate's
 * remembered answers (see runtime/grant-policy.ts) whose scope is a site
 * pattern: "Always allow" and rules typed in the Sites view have no expiry,
 * "Allow for an hour" expires, "Allow once" / "Deny" belong to one task.
 *
 * Among the live grants matching a URL, the most specific pattern wins (an
 * exact origin beats `*.example.com`, which beats `*.com`-like bases); at equal
 * specificity a deny wins. No match means: ask. Pure, unit-tested.
 */
import type { SiteEntry } from '../../shared/protocol';
import { type Grant, isLive } from '../permissions/grant-policy';
import type { GateContext } from '../permissions/permission-gate';
import { type OriginPattern, parseOriginPattern, patternMatches, specificity } from './origin-pattern';

export interface SiteGrant {
  grant: Grant;
  pattern: OriginPattern;
}

/** Live grants with a readable pattern; anything unreadable is ignored (fails closed: it allows nothing). */
export function liveSiteGrants(grants: readonly Grant[], ctx: GateContext): SiteGrant[] {
  const live: SiteGrant[] = [];
  for (const grant of grants) {
    if (!isLive(grant, ctx)) continue;
    const parsed = parseOriginPattern(grant.scope);
    if (parsed.ok) live.push({ grant, pattern: parsed.pattern });
  }
  return live;
}

export interface SiteDecision {
  verdict: 'allow' | 'deny' | 'ask';
  /** The grant that decided, when one did. */
  decidedBy?: SiteGrant;
}

export function decideSite(grants: readonly Grant[], url: URL, ctx: GateContext): SiteDecision {
  let best: SiteGrant | undefined;
  let bestSpecificity = -1;
  for (const candidate of liveSiteGrants(grants, ctx)) {
    if (!patternMatches(candidate.pattern, url)) continue;
    const rank = specificity(candidate.pattern);
    const beats =
      rank > bestSpecificity ||
      (rank === bestSpecificity && candidate.grant.effect === 'deny' && best?.grant.effect !== 'deny');
    if (beats) {
      best = candidate;
      bestSpecificity = rank;
    }
  }
  if (!best) return { verdict: 'ask' };
  return { verdict: best.grant.effect, decidedBy: best };
}

export function durationOf(grant: Grant): SiteEntry['duration'] {
  if (grant.taskId !== undefined) return 'task';
  if (grant.expiresAt !== undefined) return 'timed';
  return 'always';
}

/** What the Sites view lists: every grant not yet expired (task grants included, marked as such), newest first. */
export function siteEntries(grants: readonly Grant[], now: number): SiteEntry[] {
  return grants
    .filter((g) => g.expiresAt === undefined || g.expiresAt > now)
    .filter((g) => parseOriginPattern(g.scope).ok)
    .sort((a, b) => b.grantedAt - a.grantedAt)
    .map((g) => ({
      pattern: g.scope,
      effect: g.effect,
      duration: durationOf(g),
      grantedAt: g.grantedAt,
      ...(g.expiresAt === undefined ? {} : { expiresAt: g.expiresAt }),
      ...(g.lastUsedAt === undefined ? {} : { lastUsedAt: g.lastUsedAt }),
    }));
}

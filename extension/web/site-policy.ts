/**
 * The site policy: which origins the agent may reach. It is a permission policy
 * for the one permission gate (tools ask with `policy: 'site'` and an origin as
 * scope) and the store behind the Sites view.
 *
 * Everything is a grant in the grant store (runtime/grant-policy.ts): rules from
 * the Sites view and "Always allow/deny" answers have no expiry, "for an hour /
 * a day" answers expire (then the user is asked again), "Allow once" / "Deny"
 * last for one task. Matching is by pattern, most specific first (see
 * site-decision.ts), and never-reachable URLs are refused before any grant is
 * looked at (reachability.ts).
 */
import type { DecisionOption, SiteEntry } from '../../shared/protocol';
import { GRANT_OPTIONS, type Grant, type GrantStore } from '../permissions/grant-policy';
import type { GateContext, PermissionPolicy, PermissionRequest, Verdict } from '../permissions/permission-gate';
import { type OriginPattern, parseOriginPattern } from './origin-pattern';
import { unreachableReason } from './reachability';
import { decideSite, liveSiteGrants, type SiteGrant, siteEntries } from './site-decision';

export const SITE_POLICY = 'site';

/** Allow once (this task), for an hour, a day, always; deny (this task), always deny. */
export const SITE_OPTION_IDS = [
  'allow_once',
  'allow_hour',
  'allow_day',
  'allow_always',
  'deny',
  'deny_always',
] as const;

/** Task-scoped grants of tasks long finished are pruned after this; a task rarely runs a day. */
const TASK_GRANT_MAX_AGE_MS = 24 * 3_600_000;
/** "Last used" is a hint for the Sites view: writing it on every request would be a write per fetch. */
const TOUCH_INTERVAL_MS = 60_000;

export type SiteVerdict =
  | { verdict: 'allow' }
  | { verdict: 'ask' }
  | { verdict: 'deny'; reason: 'unreachable' | 'rule'; message: string };

export type SiteRuleResult = { ok: true; sites: SiteEntry[] } | { ok: false; message: string };

/** What the runtime needs for the Sites commands (the protocol's `sites.*`). */
export interface SiteDirectory {
  list(now: number): Promise<SiteEntry[]>;
  setRule(pattern: string, effect: 'allow' | 'deny', now: number): Promise<SiteRuleResult>;
  removeRule(pattern: string, now: number): Promise<SiteRuleResult>;
  onChange(listener: () => void): () => void;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

export class SitePolicy implements PermissionPolicy, SiteDirectory {
  readonly name = SITE_POLICY;
  readonly options: DecisionOption[] = SITE_OPTION_IDS.map((id) => {
    const known = GRANT_OPTIONS[id];
    if (!known) throw new Error(`Unknown grant option ${id}`);
    return known.option;
  });
  private readonly listeners = new Set<() => void>();
  /** Serialises read-modify-write of the grant list (answers, touches, Sites edits). */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: GrantStore) {}

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The gate's question. `request.scope` is the origin (or URL) the tool wants to reach. */
  async evaluate(request: PermissionRequest, ctx: GateContext): Promise<Verdict> {
    const url = safeUrl(request.scope);
    if (!url || unreachableReason(url)) return 'deny';
    const decision = decideSite(await this.store.load(SITE_POLICY), url, ctx);
    if (decision.verdict === 'allow' && decision.decidedBy && !request.alwaysAsk) {
      await this.touch(decision.decidedBy.grant, ctx.now);
    }
    return decision.verdict;
  }

  async apply(request: PermissionRequest, optionId: string, ctx: GateContext): Promise<'allow' | 'deny'> {
    const url = safeUrl(request.scope);
    if (!url || unreachableReason(url)) return 'deny';
    const known = GRANT_OPTIONS[optionId]?.effect;
    if (!known) return 'deny';
    // A confirmation of a high-risk action is about this one call: remember nothing.
    if (request.alwaysAsk) return known.effect;
    const pattern = parseOriginPattern(url.origin);
    if (!pattern.ok) return 'deny';
    const grant: Grant = {
      scope: pattern.pattern.text,
      effect: known.effect,
      grantedAt: ctx.now,
      // Allowing is using: the call that asked runs right after this answer.
      ...(known.effect === 'allow' ? { lastUsedAt: ctx.now } : {}),
      ...(known.task ? { taskId: ctx.taskId } : {}),
      ...(known.durationMs ? { expiresAt: ctx.now + known.durationMs } : {}),
    };
    await this.mutate(ctx.now, (grants) => [...grants.filter((g) => g.scope !== grant.scope), grant]);
    return known.effect;
  }

  /** The egress gate's question at the moment of action: no prompt, no side effects. */
  async verdictFor(url: URL, ctx: GateContext): Promise<SiteVerdict> {
    const unreachable = unreachableReason(url);
    if (unreachable) return { verdict: 'deny', reason: 'unreachable', message: unreachable.message };
    const decision = decideSite(await this.store.load(SITE_POLICY), url, ctx);
    if (decision.verdict === 'deny') {
      return {
        verdict: 'deny',
        reason: 'rule',
        message: `${url.origin} is blocked by the site rule ${decision.decidedBy?.pattern.text ?? ''}`.trim(),
      };
    }
    return { verdict: decision.verdict };
  }

  /** Live grants for a task, for rules the browser enforces itself (agent-tab navigation). */
  async liveGrants(ctx: GateContext): Promise<SiteGrant[]> {
    return liveSiteGrants(await this.store.load(SITE_POLICY), ctx);
  }

  /** When the next timed grant expires (so enforcement elsewhere can refresh then). */
  async nextExpiry(now: number): Promise<number | undefined> {
    const times = (await this.store.load(SITE_POLICY))
      .map((g) => g.expiresAt)
      .filter((t): t is number => t !== undefined && t > now);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  async list(now: number): Promise<SiteEntry[]> {
    return siteEntries(await this.store.load(SITE_POLICY), now);
  }

  async setRule(text: string, effect: 'allow' | 'deny', now: number): Promise<SiteRuleResult> {
    const parsed = parseOriginPattern(text);
    if (!parsed.ok) return parsed;
    const refusal = this.refusalFor(parsed.pattern, effect);
    if (refusal) return { ok: false, message: refusal };
    const grant: Grant = { scope: parsed.pattern.text, effect, grantedAt: now };
    await this.mutate(now, (grants) => [...grants.filter((g) => g.scope !== grant.scope), grant]);
    return { ok: true, sites: await this.list(now) };
  }

  async removeRule(text: string, now: number): Promise<SiteRuleResult> {
    const parsed = parseOriginPattern(text);
    // A stored pattern is normalised; accept the raw text too so an odd legacy entry can still be removed.
    const scope = parsed.ok ? parsed.pattern.text : text.trim();
    await this.mutate(now, (grants) => grants.filter((g) => g.scope !== scope));
    return { ok: true, sites: await this.list(now) };
  }

  /** Allowing a pattern that only covers never-reachable hosts would be a rule that can never work: say so. */
  private refusalFor(pattern: OriginPattern, effect: 'allow' | 'deny'): string | undefined {
    if (effect !== 'allow' || pattern.wildcard) return undefined;
    const unreachable = unreachableReason(`${pattern.text}/`);
    return unreachable ? unreachable.message : undefined;
  }

  private async touch(grant: Grant, now: number): Promise<void> {
    if (grant.lastUsedAt !== undefined && now - grant.lastUsedAt < TOUCH_INTERVAL_MS) return;
    await this.mutate(
      now,
      (grants) =>
        grants.map((g) =>
          g.scope === grant.scope && g.grantedAt === grant.grantedAt && g.effect === grant.effect
            ? { ...g, lastUsedAt: now }
            : g,
        ),
      false,
    );
  }

  private mutate(now: number, change: (grants: Grant[]) => Grant[], notify = true): Promise<void> {
    const run = this.writes.then(async () => {
      const current = (await this.store.load(SITE_POLICY)).filter(
        (g) =>
          (g.expiresAt === undefined || g.expiresAt > now) &&
          (g.taskId === undefined || now - g.grantedAt < TASK_GRANT_MAX_AGE_MS),
      );
      await this.store.save(SITE_POLICY, change(current));
    });
    this.writes = run.catch(() => {});
    return run.then(() => {
      if (notify) for (const listener of this.listeners) listener();
    });
  }
}

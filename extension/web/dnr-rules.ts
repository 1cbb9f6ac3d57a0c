/**
 * The browser-enforced half of navigation control for agent tabs, as
 * declarativeNetRequest session rules (pure: built here, applied by
 * navigation-guard.ts, unit-tested).
 *
 * Every navigation the agent can cause is held to the site grants: top-level
 * loads, frame loads (a link or form aimed at an iframe) and pings (`<a ping>`,
 * which Chrome and Firefox type `ping`, as they do `navigator.sendBeacon`).
 * This catches what the tools cannot see coming: a link the page rewrote, a
 * script setting `location` or submitting a form into a frame, a meta refresh,
 * a server redirect (each hop is matched again, so a 307 that re-posts a form
 * elsewhere is stopped at that hop). The network stack applies the rules
 * before the request leaves, so a blocked origin receives nothing. Other
 * subresources (images, scripts, styles, fetch/XHR, media, fonts, websockets)
 * are what the page loads by itself: the page's business, not the agent's.
 *
 * A rule group is scoped to tabs in one of two ways: `tabIds` (the agent tabs
 * of one task) or `excludedTabIds` (during an agent action, every tab that did
 * not exist when the action began: a tab or window the action opens is under
 * the rules from its very first request, before the extension even learns its
 * id; see navigation-guard.ts).
 *
 * Priorities mirror site-decision.ts: a more specific pattern outranks a less
 * specific one, and at equal specificity the block outranks the allow.
 */
import { type DnrUrlCondition, dnrUrlConditions, type OriginPattern, specificity } from './origin-pattern';
import { WEB_STORE_HOSTS, WEB_STORE_PATH_PREFIXES } from './reachability';

/** Tandem's web rules use ids in this range only; other features may use other ids. */
export const RULE_ID_FIRST = 40_000;
export const RULE_ID_LAST = 49_999;

const BASE_PRIORITY = 1;
const GRANT_PRIORITY = 10;
const NEVER_REACHABLE_PRIORITY = 1_000_000;

/** The requests an agent action can make the browser send on its own: documents (top and frames) and pings. */
export const NAVIGATION_RESOURCE_TYPES = ['main_frame', 'sub_frame', 'ping'] as const;
export type NavigationResourceType = (typeof NAVIGATION_RESOURCE_TYPES)[number];

export type TabScope = { tabIds: number[] } | { excludedTabIds: number[] };

export interface NavigationRule {
  id: number;
  priority: number;
  action: { type: 'block' | 'allow' };
  condition: TabScope & {
    resourceTypes: NavigationResourceType[];
    urlFilter?: string;
    regexFilter?: string;
  };
}

export interface TabRuleGroup {
  /** Which tabs the group covers: agent tabs of one task, or every tab but some (an action window). */
  scope: TabScope;
  /** Grants for one task (one-task grants apply to that task's tabs only). */
  grants: ReadonlyArray<{ pattern: OriginPattern; effect: 'allow' | 'deny' }>;
}

export class TooManyRulesError extends Error {}

function coversNoTab(scope: TabScope): boolean {
  return 'tabIds' in scope && scope.tabIds.length === 0;
}

/** Web stores in every spelling a trailing dot allows (`||host^` does not match `host./`). */
function storeConditions(): DnrUrlCondition[] {
  return [
    ...WEB_STORE_HOSTS.flatMap((host) => [{ urlFilter: `||${host}^` }, { urlFilter: `||${host}.^` }]),
    ...WEB_STORE_PATH_PREFIXES.flatMap((prefix) => {
      const slash = prefix.indexOf('/');
      const host = prefix.slice(0, slash);
      const path = prefix.slice(slash);
      return [{ urlFilter: `|https://${host}${path}` }, { urlFilter: `|https://${host}.${path}` }];
    }),
  ];
}

export function navigationRules(groups: readonly TabRuleGroup[]): NavigationRule[] {
  const rules: NavigationRule[] = [];
  let id = RULE_ID_FIRST;
  const add = (scope: TabScope, priority: number, type: 'block' | 'allow', url: DnrUrlCondition | undefined) => {
    if (id > RULE_ID_LAST) throw new TooManyRulesError('Too many site rules for the agent tabs.');
    const tabs = 'tabIds' in scope ? { tabIds: [...scope.tabIds] } : { excludedTabIds: [...scope.excludedTabIds] };
    rules.push({
      id: id++,
      priority,
      action: { type },
      condition: { ...tabs, resourceTypes: [...NAVIGATION_RESOURCE_TYPES], ...url },
    });
  };
  for (const group of groups) {
    if (coversNoTab(group.scope)) continue;
    for (const store of storeConditions()) add(group.scope, NEVER_REACHABLE_PRIORITY, 'block', store);
    add(group.scope, BASE_PRIORITY, 'block', undefined);
    for (const { pattern, effect } of group.grants) {
      const priority = GRANT_PRIORITY + specificity(pattern) * 2 + (effect === 'deny' ? 1 : 0);
      for (const url of dnrUrlConditions(pattern))
        add(group.scope, priority, effect === 'allow' ? 'allow' : 'block', url);
    }
  }
  return rules;
}

/**
 * The browser-enforced half of navigation control for agent tabs, as
 * declarativeNetRequest session rules (pure: built here, applied by
 * navigation-guard.ts, unit-tested).
 *
 * For the agent's tabs only (`tabIds`), every top-level navigation is blocked
 * unless a site grant allows its origin. This catches what the tools cannot see
 * coming: a link the page rewrote, a script setting `location`, a form posted by
 * page script, a meta refresh, a server redirect. The network stack applies the
 * rules before the request leaves, so a blocked origin receives nothing.
 *
 * Priorities mirror site-decision.ts: a more specific pattern outranks a less
 * specific one, and at equal specificity the block outranks the allow.
 */
import { dnrUrlCondition, type OriginPattern, specificity } from './origin-pattern';
import { WEB_STORE_HOSTS, WEB_STORE_PATH_PREFIXES } from './reachability';

/** Tandem's web rules use ids in this range only; other features may use other ids. */
export const RULE_ID_FIRST = 40_000;
export const RULE_ID_LAST = 49_999;

const BASE_PRIORITY = 1;
const GRANT_PRIORITY = 10;
const NEVER_REACHABLE_PRIORITY = 1_000_000;

export interface NavigationRule {
  id: number;
  priority: number;
  action: { type: 'block' | 'allow' };
  condition: {
    tabIds: number[];
    resourceTypes: ['main_frame'];
    urlFilter?: string;
    regexFilter?: string;
  };
}

export interface TabRuleGroup {
  /** Agent tabs working for the same task (grants for one task apply to its tabs only). */
  tabIds: number[];
  grants: ReadonlyArray<{ pattern: OriginPattern; effect: 'allow' | 'deny' }>;
}

export class TooManyRulesError extends Error {}

export function navigationRules(groups: readonly TabRuleGroup[]): NavigationRule[] {
  const rules: NavigationRule[] = [];
  let id = RULE_ID_FIRST;
  const add = (rule: Omit<NavigationRule, 'id'>) => {
    if (id > RULE_ID_LAST) throw new TooManyRulesError('Too many site rules for the agent tabs.');
    rules.push({ id: id++, ...rule });
  };
  const allTabs = groups.flatMap((g) => g.tabIds);
  if (allTabs.length === 0) return rules;
  for (const host of WEB_STORE_HOSTS) {
    add({
      priority: NEVER_REACHABLE_PRIORITY,
      action: { type: 'block' },
      condition: { tabIds: allTabs, resourceTypes: ['main_frame'], urlFilter: `||${host}^` },
    });
  }
  for (const prefix of WEB_STORE_PATH_PREFIXES) {
    add({
      priority: NEVER_REACHABLE_PRIORITY,
      action: { type: 'block' },
      condition: { tabIds: allTabs, resourceTypes: ['main_frame'], urlFilter: `|https://${prefix}` },
    });
  }
  for (const group of groups) {
    if (group.tabIds.length === 0) continue;
    add({
      priority: BASE_PRIORITY,
      action: { type: 'block' },
      condition: { tabIds: group.tabIds, resourceTypes: ['main_frame'] },
    });
    for (const { pattern, effect } of group.grants) {
      add({
        priority: GRANT_PRIORITY + specificity(pattern) * 2 + (effect === 'deny' ? 1 : 0),
        action: { type: effect === 'allow' ? 'allow' : 'block' },
        condition: { tabIds: group.tabIds, resourceTypes: ['main_frame'], ...dnrUrlCondition(pattern) },
      });
    }
  }
  return rules;
}

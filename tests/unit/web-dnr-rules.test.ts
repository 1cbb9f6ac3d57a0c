import { describe, expect, it } from 'vitest';
import {
  type NavigationResourceType,
  navigationRules,
  RULE_ID_FIRST,
  RULE_ID_LAST,
} from '../../extension/web/dnr-rules';
import { type OriginPattern, parseOriginPattern } from '../../extension/web/origin-pattern';

function pattern(text: string): OriginPattern {
  const parsed = parseOriginPattern(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.pattern;
}

/**
 * Evaluates rules the way declarativeNetRequest does for one request: highest priority wins.
 * (The urlFilter subset Tandem uses: `||host^` or `||host.^` and `|prefix`.)
 */
function allowed(
  rules: ReturnType<typeof navigationRules>,
  tabId: number,
  url: string,
  type: NavigationResourceType = 'main_frame',
): boolean {
  const matching = rules.filter((rule) => {
    const scope = rule.condition;
    if ('tabIds' in scope ? !scope.tabIds.includes(tabId) : scope.excludedTabIds.includes(tabId)) return false;
    if (!rule.condition.resourceTypes.includes(type)) return false;
    if (rule.condition.urlFilter) {
      const filter = rule.condition.urlFilter;
      if (filter.startsWith('||')) {
        const host = filter.slice(2, -1);
        const authority = url.split('/')[2] ?? '';
        return authority === host || authority.endsWith(`.${host}`) || authority.startsWith(`${host}:`);
      }
      return url.startsWith(filter.slice(1));
    }
    if (rule.condition.regexFilter) return new RegExp(rule.condition.regexFilter).test(url);
    return true;
  });
  if (matching.length === 0) return true;
  const top = Math.max(...matching.map((r) => r.priority));
  const winners = matching.filter((r) => r.priority === top);
  return !winners.some((r) => r.action.type === 'block');
}

describe('agent-tab navigation rules', () => {
  it('makes no rules when the agent has no tabs (the user’s own tabs are never touched)', () => {
    expect(navigationRules([])).toEqual([]);
    expect(
      navigationRules([{ scope: { tabIds: [] }, grants: [{ pattern: pattern('https://a.test'), effect: 'allow' }] }]),
    ).toEqual([]);
  });

  it('blocks every navigation of an agent tab except to allowed origins', () => {
    const rules = navigationRules([
      {
        scope: { tabIds: [7] },
        grants: [
          { pattern: pattern('http://127.0.0.1:4000'), effect: 'allow' },
          { pattern: pattern('*.example.com'), effect: 'allow' },
          { pattern: pattern('https://evil.example.com'), effect: 'deny' },
        ],
      },
    ]);
    expect(allowed(rules, 7, 'http://127.0.0.1:4000/page')).toBe(true);
    expect(allowed(rules, 7, 'http://127.0.0.1:4001/collect')).toBe(false);
    expect(allowed(rules, 7, 'https://docs.example.com/')).toBe(true);
    expect(allowed(rules, 7, 'https://evil.example.com/')).toBe(false);
    expect(allowed(rules, 7, 'http://docs.example.com/')).toBe(false);
    expect(allowed(rules, 7, 'https://chromewebstore.google.com/')).toBe(false);
    expect(allowed(rules, 7, 'https://chromewebstore.google.com./')).toBe(false);
    // A deny is not escaped by another spelling of its host.
    expect(allowed(rules, 7, 'https://evil.example.com./')).toBe(false);
    // Frames and pings are held to the same rules as the top level.
    expect(allowed(rules, 7, 'http://127.0.0.1:4001/collect', 'sub_frame')).toBe(false);
    expect(allowed(rules, 7, 'http://127.0.0.1:4001/collect', 'ping')).toBe(false);
    expect(allowed(rules, 7, 'http://localhost:4000/page', 'sub_frame')).toBe(true);
    // A tab that is not the agent's is not affected.
    expect(allowed(rules, 8, 'http://127.0.0.1:4001/collect')).toBe(true);
    expect(rules.every((r) => r.id >= RULE_ID_FIRST && r.id <= RULE_ID_LAST)).toBe(true);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it('applies one task’s grants only to that task’s tabs', () => {
    const rules = navigationRules([
      { scope: { tabIds: [1] }, grants: [{ pattern: pattern('https://a.test'), effect: 'allow' }] },
      { scope: { tabIds: [2] }, grants: [] },
    ]);
    expect(allowed(rules, 1, 'https://a.test/')).toBe(true);
    expect(allowed(rules, 2, 'https://a.test/')).toBe(false);
  });

  it('holds every tab but the excluded ones to a task’s grants during an action window (new tabs included)', () => {
    const rules = navigationRules([
      { scope: { excludedTabIds: [1, 2, -1] }, grants: [{ pattern: pattern('https://a.test'), effect: 'allow' }] },
    ]);
    // A tab opened by the action: its id was unknown when the rules were written.
    expect(allowed(rules, 99, 'https://evil.test/')).toBe(false);
    expect(allowed(rules, 99, 'https://a.test/')).toBe(true);
    // Tabs that existed before (the user's, the agent's own under their own rules) are left alone.
    expect(allowed(rules, 1, 'https://evil.test/')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { durationText, lastUsedText, relativeTime } from '../../extension/entrypoints/sidepanel/site-entry-text';
import type { SiteEntry } from '../../shared/protocol';

const NOW = new Date(2026, 2, 10, 12, 0).getTime();
const entry = (overrides: Partial<SiteEntry>): SiteEntry => ({
  pattern: 'https://a.test',
  effect: 'allow',
  duration: 'always',
  grantedAt: NOW - 1_000,
  ...overrides,
});

describe('Sites view wording', () => {
  it('says how long a rule lasts', () => {
    expect(durationText(entry({}), NOW)).toBe('Always');
    expect(durationText(entry({ duration: 'task' }), NOW)).toBe('For one task');
    expect(durationText(entry({ duration: 'timed', expiresAt: NOW + 3_600_000 }), NOW, 'en-GB')).toBe('Until 13:00');
    expect(durationText(entry({ duration: 'timed', expiresAt: NOW + 86_400_000 }), NOW, 'en-GB')).toMatch(
      /^Until \w+ 12:00$/,
    );
  });

  it('says when a rule was last used', () => {
    expect(lastUsedText(entry({}), NOW)).toBe('Not used yet');
    expect(lastUsedText(entry({ lastUsedAt: NOW - 5 * 60_000 }), NOW)).toBe('Used 5 min ago');
    expect(relativeTime(NOW - 10_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 3 * 3_600_000, NOW)).toBe('3 h ago');
    expect(relativeTime(NOW - 86_400_000, NOW)).toBe('yesterday');
    expect(relativeTime(NOW - 3 * 86_400_000, NOW)).toBe('3 days ago');
  });
});

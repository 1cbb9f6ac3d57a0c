import { describe, expect, it } from 'vitest';
import { describeUsage, formatTokens, shortUsage, usageParts } from '../../shared/ui/usage-text';

describe('formatTokens', () => {
  it('keeps small counts exact and shortens large ones', () => {
    expect(formatTokens(0)).toBe('0');
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(1_000)).toBe('1k');
    expect(formatTokens(1_234)).toBe('1.23k');
    expect(formatTokens(1_500)).toBe('1.5k');
    expect(formatTokens(12_345)).toBe('12.3k');
    expect(formatTokens(2_500_000)).toBe('2.5M');
    expect(formatTokens(12_000_000)).toBe('12M');
  });
});

describe('usage line text', () => {
  const plain = { inputTokens: 1_200, outputTokens: 340, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

  it('shows input, output and the estimated cost', () => {
    expect(describeUsage(plain, 0.0234)).toBe('1.2k in · 340 out · ~$0.02');
  });

  it('adds cache reads and writes only when there were any', () => {
    const cached = { ...plain, cacheReadInputTokens: 8_000, cacheCreationInputTokens: 2_048 };
    expect(describeUsage(cached, 1.5)).toBe('1.2k in · 340 out · 8k cache read · 2.05k cache write · ~$1.50');
    expect(usageParts(plain, 0).map((p) => p.label)).toEqual(['in', 'out', 'est.']);
  });

  it('does not double the "about" for costs under a cent', () => {
    expect(describeUsage(plain, 0.004)).toBe('1.2k in · 340 out · <$0.01');
  });

  it('keeps exact numbers for the tooltip', () => {
    expect(usageParts({ ...plain, inputTokens: 123_456 }, 0)[0]?.exact).toBe('123456 input tokens');
  });
});

describe('the collapsed usage figure', () => {
  const turn = { inputTokens: 0, outputTokens: 42, cacheCreationInputTokens: 3_970, cacheReadInputTokens: 0 };

  it('is one short figure per message: the cost, with the details kept for on demand', () => {
    expect(shortUsage(turn, 0.004)).toBe('<$0.01');
    expect(shortUsage(turn, 0.0234)).toBe('~$0.02');
    expect(shortUsage(turn, 0.0234).length).toBeLessThanOrEqual(8);
    expect(describeUsage(turn, 0.004)).toContain('3.97k cache write');
  });

  it('falls back to the token total when there is no price', () => {
    expect(shortUsage(turn, 0)).toBe('4.01k tokens');
  });
});

import { describe, expect, it } from 'vitest';
import { pastTense, resolvedText } from '../../shared/ui/decision-text';

describe('resolved decision text', () => {
  it('states what was decided and where: "Allowed once — from phone"', () => {
    expect(resolvedText({ label: 'Allow once', by: 'phone' })).toBe('Allowed once — from phone');
    expect(resolvedText({ label: 'Deny', by: 'panel' })).toBe('Denied — from side panel');
    expect(resolvedText({ label: 'Stop the task', by: 'runtime' })).toBe('Stopped the task — automatically');
  });

  it('keeps labels it cannot put in the past tense, and unknown sources, as they are', () => {
    expect(pastTense('Always allow example.com')).toBe('Always allow example.com');
    expect(pastTense('Spend up to $5 more')).toBe('Spend up to $5 more');
    expect(resolvedText({ label: 'Maybe', by: 'watch' })).toBe('Maybe — from watch');
  });
});

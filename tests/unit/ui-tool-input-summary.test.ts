import { describe, expect, it } from 'vitest';
import { summarizeToolInput } from '../../shared/ui/tool-input-summary';

describe('summarizeToolInput', () => {
  it('prefers the field a person recognises (URL, path, query…)', () => {
    expect(summarizeToolInput({ tabId: 3, url: 'https://example.com', note: 'x' })).toBe('https://example.com');
    expect(summarizeToolInput({ content: 'abc', path: '/home/me/notes.md' })).toBe('/home/me/notes.md');
  });

  it('falls back to the first text value, on one line, cut at 80 characters', () => {
    expect(summarizeToolInput({ n: 1, body: 'line one\n  line two' })).toBe('line one line two');
    const long = summarizeToolInput({ text: 'x'.repeat(200) });
    expect(long).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
  });

  it('is empty when there is no text to show', () => {
    expect(summarizeToolInput({})).toBe('');
    expect(summarizeToolInput({ count: 3, flags: ['a'] })).toBe('');
  });
});

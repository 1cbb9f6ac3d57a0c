import { describe, expect, it } from 'vitest';
import { nextOption, promptStart, shortcutMatches } from '../../shared/ui/shortcut-menu';

const saved = [
  { name: 'mail', prompt: 'Read my mail and list what needs an answer today.' },
  { name: 'news', prompt: 'Summarise the news.\nThen the weather.' },
  { name: 'news-sport', prompt: 'Sport only.' },
];

describe('the composer\'s "/" menu', () => {
  it('offers every shortcut on a bare "/", and those starting with what follows it', () => {
    expect(shortcutMatches('/', saved).map((s) => s.name)).toEqual(['mail', 'news', 'news-sport']);
    expect(shortcutMatches('/new', saved).map((s) => s.name)).toEqual(['news', 'news-sport']);
    expect(shortcutMatches('/NEWS', saved).map((s) => s.name)).toEqual(['news', 'news-sport']);
  });

  it('stays closed for ordinary text, a finished "/name " and an unknown name', () => {
    expect(shortcutMatches('', saved)).toEqual([]);
    expect(shortcutMatches('hello /news', saved)).toEqual([]);
    expect(shortcutMatches('/news ', saved)).toEqual([]);
    expect(shortcutMatches('/news focus on sport', saved)).toEqual([]);
    expect(shortcutMatches('/zzz', saved)).toEqual([]);
    expect(shortcutMatches('/', [])).toEqual([]);
  });

  it("shows the start of a prompt's first line", () => {
    expect(promptStart('Summarise the news.\nThen the weather.')).toBe('Summarise the news.');
    expect(promptStart('x'.repeat(100), 20)).toBe(`${'x'.repeat(19)}…`);
  });

  it('moves the highlight with the arrow keys, wrapping at the ends', () => {
    expect(nextOption(0, 3, 'ArrowDown')).toBe(1);
    expect(nextOption(2, 3, 'ArrowDown')).toBe(0);
    expect(nextOption(0, 3, 'ArrowUp')).toBe(2);
    expect(nextOption(5, 2, 'ArrowUp')).toBe(0);
  });
});

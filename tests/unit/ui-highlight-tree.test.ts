import { describe, expect, it } from 'vitest';
import { parseHighlighted } from '../../shared/ui/highlight-tree';

describe('parseHighlighted (highlight.js output read as data)', () => {
  it('reads nested spans and undoes highlight.js escaping', () => {
    expect(
      parseHighlighted(
        '<span class="hljs-tag">&lt;<span class="hljs-name">b</span>&gt;</span> &quot;&amp;&#x27; <span class="hljs-title class_">A</span>',
      ),
    ).toEqual([
      { classes: ['hljs-tag'], children: ['<', { classes: ['hljs-name'], children: ['b'] }, '>'] },
      ' "&\' ',
      { classes: ['hljs-title', 'class_'], children: ['A'] },
    ]);
  });

  it('keeps any other markup, and a closing tag that closes nothing, as text', () => {
    expect(parseHighlighted('<img src=x onerror=alert(1)></span><span class=x>y')).toEqual([
      '<img src=x onerror=alert(1)></span><span class=x>y',
    ]);
    expect(parseHighlighted('&lt;&copy;')).toEqual(['<&copy;']);
  });
});

import { describe, expect, it } from 'vitest';
import { highlighterLoaded, loadHighlighter } from '../../shared/ui/code-highlight';
import { markdownToHtml } from '../../shared/ui/markdown';

const fence = (language: string, code: string) => `\`\`\`${language}\n${code}\n\`\`\`\n`;

describe('code highlighting in messages', () => {
  it('renders code plain until the lazy highlighter has loaded, then in token spans', async () => {
    expect(highlighterLoaded()).toBe(false);
    expect(markdownToHtml(fence('js', 'const a = 1;'))).toBe(
      '<pre><code class="language-js">const a = 1;\n</code></pre>\n',
    );
    await loadHighlighter();
    const html = markdownToHtml(fence('js', 'const a = "x"; // note'));
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-string">&quot;x&quot;</span>');
    expect(html).toContain('<span class="hljs-comment">// note</span>');
  });

  it('never turns markup in a code block into elements, whatever the language', async () => {
    await loadHighlighter();
    const attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    for (const language of ['html', 'xml', 'js', 'nonsense', '']) {
      const html = markdownToHtml(fence(language, attack));
      expect(html).not.toMatch(/<img|<script/i);
      expect(html).toContain('&lt;');
      // Only highlight.js's own spans (and the block itself) are elements.
      const tags = [...html.matchAll(/<([a-z]+)/g)].map((m) => m[1]);
      expect(new Set(tags).size).toBeLessThanOrEqual(3);
      expect(tags.every((t) => t === 'pre' || t === 'code' || t === 'span')).toBe(true);
    }
  });

  it('keeps an attacker-chosen language name from breaking out of the class attribute', async () => {
    await loadHighlighter();
    const html = markdownToHtml(fence('x"><img', 'y'));
    expect(html).not.toMatch(/<img/);
  });

  it('leaves unknown languages and plain fences unhighlighted but escaped', async () => {
    await loadHighlighter();
    expect(markdownToHtml(fence('klingon', 'a < b'))).toBe(
      '<pre><code class="language-klingon">a &lt; b\n</code></pre>\n',
    );
  });
});

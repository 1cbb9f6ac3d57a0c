import { describe, expect, it } from 'vitest';
import { languageToLoad, loadLanguage } from '../../shared/ui/code-highlight';
import { fenceLanguage } from '../../shared/ui/code-languages';
import { markup, renderToDom } from './support/markdown-dom';

const fence = (language: string, code: string) => `\`\`\`${language}\n${code}\n\`\`\`\n`;

describe('code highlighting in messages', () => {
  it('renders code plain until its language has loaded, then in token spans', async () => {
    expect(languageToLoad('js')).toBe('javascript');
    const plain = renderToDom(fence('js', 'const a = 1;'));
    expect(markup(plain.root)).toBe('<pre><code class="language-js">const a = 1;\n</code></pre>');
    expect(plain.languagesToLoad).toEqual(['javascript']);
    await loadLanguage('js');
    const { root, languagesToLoad } = renderToDom(fence('js', 'const a = "x"; // note'));
    expect(languagesToLoad).toEqual([]);
    const html = markup(root);
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-string">"x"</span>');
    expect(html).toContain('<span class="hljs-comment">// note</span>');
  });

  it('loads each language on its own: JavaScript loaded leaves Python plain until it loads', async () => {
    await loadLanguage('javascript');
    const python = renderToDom(fence('py', 'def f(): return 1'));
    expect(python.root.querySelectorAll('span')).toHaveLength(0);
    expect(python.languagesToLoad).toEqual(['python']);
    await loadLanguage('py');
    expect(renderToDom(fence('python', 'def f(): return 1')).root.querySelector('.hljs-keyword')?.textContent).toBe(
      'def',
    );
  });

  it('never turns markup in a code block into elements, whatever the language', async () => {
    await Promise.all(['html', 'js'].map(loadLanguage));
    const attack = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    for (const language of ['html', 'xml', 'js', 'nonsense', '']) {
      const { root } = renderToDom(fence(language, attack));
      expect(root.querySelectorAll('img, script')).toHaveLength(0);
      expect(root.querySelector('code')?.textContent).toBe(`${attack}\n`);
      // Only highlight.js's own spans (and the block itself) are elements.
      const tags = new Set([...root.querySelectorAll('*')].map((node) => node.tagName.toLowerCase()));
      expect(
        [...tags].every((tag) => tag === 'pre' || tag === 'code' || tag === 'span'),
        language,
      ).toBe(true);
    }
  });

  it('keeps an attacker-chosen language name inside the class attribute', () => {
    const { root } = renderToDom(fence('x"><img', 'y'));
    expect(root.querySelectorAll('img')).toHaveLength(0);
    expect(root.querySelector('code')?.getAttribute('class')).toBe('language-x"><img');
  });

  it('leaves unknown languages and untagged fences plain, and loads nothing for them', async () => {
    await loadLanguage('js');
    for (const language of ['klingon', '']) {
      const { root, languagesToLoad } = renderToDom(fence(language, 'a < b'));
      expect(root.querySelectorAll('span')).toHaveLength(0);
      expect(root.querySelector('code')?.textContent).toBe('a < b\n');
      expect(languagesToLoad).toEqual([]);
    }
  });
});

describe('fenceLanguage', () => {
  it('reads the first word of the info string, by name or highlight.js alias, in any case', () => {
    expect(fenceLanguage('TypeScript')).toBe('typescript');
    expect(fenceLanguage('tsx title="x"')).toBe('typescript');
    expect(fenceLanguage('sh')).toBe('bash');
    expect(fenceLanguage('html')).toBe('xml');
    expect(fenceLanguage('c++')).toBe('cpp');
    expect(fenceLanguage('toString')).toBeUndefined();
    expect(fenceLanguage('__proto__')).toBeUndefined();
    expect(fenceLanguage('')).toBeUndefined();
  });
});

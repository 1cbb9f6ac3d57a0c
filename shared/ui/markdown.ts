/**
 * Assistant text → safe HTML.
 *
 * Two independent layers, because model output is attacker-influenced (a page the
 * agent read can put words in its mouth):
 * 1. `markdownToHtml` (pure, no DOM) never emits markup the model wrote: raw HTML in
 *    the Markdown is shown as text, links must be absolute http(s)/mailto URLs and open
 *    in a new tab without an opener, and images become links, because loading an
 *    image URL the model chose would let a prompt injection exfiltrate data in the URL.
 * 2. DOMPurify then sanitises that HTML in the real DOM, in case marked ever emits
 *    something layer 1 did not anticipate.
 */
import type { Config, DOMPurify } from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { highlightCode } from './code-highlight';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL a link may point to, or undefined. Relative URLs would resolve inside the extension: refused. */
export function safeLinkUrl(href: string): string | undefined {
  try {
    const url = new URL(href);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer"';

function anchor(url: string, title: string | null | undefined, innerHtml: string): string {
  const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
  return `<a href="${escapeHtml(url)}"${titleAttr} ${LINK_ATTRS}>${innerHtml}</a>`;
}

/**
 * A table goes in a box that scrolls sideways (and takes focus, so the keyboard can scroll it):
 * in a narrow panel its words must not be broken mid-word to fit. The model's own markup never
 * reaches here (it is escaped above), so every `<table>` in marked's output is marked's.
 */
function wrapTables(html: string): string {
  return html
    .replaceAll('<table>', '<div class="table-scroll" tabindex="0" role="group" aria-label="Table"><table>')
    .replaceAll('</table>', '</table></div>');
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  hooks: {
    postprocess: wrapTables,
  },
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      const text = escapeHtml(token.text);
      return token.block ? `<p>${text}</p>\n` : text;
    },
    /**
     * Fenced code, highlighted once the lazy highlighter has loaded (code-highlight.ts). Its output is
     * the source text escaped, in `<span class="hljs-…">`; without it, the text escaped as marked would.
     */
    code(token: Tokens.Code): string {
      const language = token.lang?.match(/^\S*/)?.[0] ?? '';
      const text = `${token.text.replace(/\n$/, '')}\n`;
      const body = highlightCode(text, language) ?? escapeHtml(text);
      const attr = language ? ` class="language-${escapeHtml(language)}"` : '';
      return `<pre><code${attr}>${body}</code></pre>\n`;
    },
    link(token: Tokens.Link): string {
      const inner = this.parser.parseInline(token.tokens);
      const url = safeLinkUrl(token.href);
      return url ? anchor(url, token.title, inner) : inner;
    },
    image(token: Tokens.Image): string {
      const label = escapeHtml(token.text || 'image');
      const url = safeLinkUrl(token.href);
      return url ? anchor(url, token.title, `[image: ${label}]`) : `[image: ${label}]`;
    },
  },
});

/** Markdown → HTML with no model-written markup in it. Pure; still sanitise before inserting it. */
export function markdownToHtml(markdown: string): string {
  return marked.parse(markdown, { async: false });
}

export type Sanitizer = Pick<DOMPurify, 'sanitize' | 'addHook' | 'isSupported'>;

export const SANITIZE_CONFIG: Config = {
  // `target` is not in DOMPurify's default allow-list; the hook below sets it on links only.
  ADD_ATTR: ['target'],
  FORBID_TAGS: ['style', 'img', 'picture', 'video', 'audio', 'source', 'iframe', 'form', 'svg', 'math'],
  FORBID_ATTR: ['style'],
  ALLOW_DATA_ATTR: false,
};

const hooked = new WeakSet<Sanitizer>();

/**
 * A renderer bound to one DOMPurify instance (pass a fresh `DOMPurify(window)` so
 * its hook does not change anyone else's sanitising). Where DOMPurify cannot run it
 * falls back to escaped plain text rather than trusting unsanitised HTML.
 */
export function createMarkdownRenderer(purify: Sanitizer): (markdown: string) => string {
  if (!hooked.has(purify)) {
    hooked.add(purify);
    purify.addHook('afterSanitizeAttributes', (node) => {
      if (node.nodeName !== 'A') {
        node.removeAttribute('target');
        return;
      }
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    });
  }
  return (markdown) => {
    if (!purify.isSupported) return `<p>${escapeHtml(markdown)}</p>`;
    return purify.sanitize(markdownToHtml(markdown), SANITIZE_CONFIG);
  };
}

/**
 * Assistant text → DOM nodes, safe by construction.
 *
 * Model output is attacker-influenced (a page the agent read can put words in its mouth), so no
 * string of it is ever parsed as HTML: marked's lexer splits the Markdown into tokens and this
 * module builds each element itself, from a fixed set of tags and attributes, with every word the
 * model wrote in a text node. Hence no sanitizer: there is no model-written markup to clean.
 * - Raw HTML in the Markdown is shown as text.
 * - Links must be absolute http(s)/mailto URLs (safeLinkUrl) and open in a new tab without an opener;
 *   any other link keeps its words and loses its target.
 * - Images become links, because loading an image URL the model chose would let a prompt injection
 *   exfiltrate data in the URL just by being displayed.
 * - Code is highlighted, once its language's chunk has loaded, from highlight.js's output read as a
 *   tree of spans and text (highlight-tree.ts), so only `<span class="hljs-…">` can come of it.
 */
import { Lexer, type MarkedToken, type Token, type Tokens } from 'marked';
import { decodeCharacterReferences } from './character-references';
import { highlightCode, languageToLoad } from './code-highlight';
import type { HighlightNode } from './highlight-tree';

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

export interface RenderedMarkdown {
  nodes: DocumentFragment;
  /** Languages of fences shown plain because their highlighter chunk has not loaded yet. */
  languagesToLoad: string[];
}

interface Build {
  doc: Document;
  languagesToLoad: Set<string>;
}

/** An element of a tag this module chose, with the children it was given. */
function element<K extends keyof HTMLElementTagNameMap>(
  build: Build,
  parent: ParentNode,
  tag: K,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = build.doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  parent.append(node);
  return node;
}

function text(build: Build, parent: ParentNode, value: string): void {
  parent.append(build.doc.createTextNode(value));
}

/** Scope classes highlight.js writes (`hljs-string`, `class_`, `language-xml`); no other class is copied. */
const HIGHLIGHT_CLASS = /^(?:hljs-[\w-]+|[A-Za-z]+_+|language-[\w-]+)$/;

function highlighted(build: Build, parent: ParentNode, nodes: readonly HighlightNode[]): void {
  for (const node of nodes) {
    if (typeof node === 'string') {
      text(build, parent, node);
      continue;
    }
    const classes = node.classes.filter((name) => HIGHLIGHT_CLASS.test(name));
    const into = classes.length ? element(build, parent, 'span', { class: classes.join(' ') }) : parent;
    highlighted(build, into, node.children);
  }
}

function checkbox(build: Build, parent: ParentNode, token: Tokens.Checkbox): void {
  const box = element(build, parent, 'input', { type: 'checkbox', disabled: '' });
  if (token.checked) box.setAttribute('checked', '');
  box.setAttribute('aria-label', token.checked ? 'Done' : 'Not done');
  text(build, parent, ' ');
}

function anchor(build: Build, parent: ParentNode, url: string, title: string | null | undefined): HTMLAnchorElement {
  const attributes: Record<string, string> = { href: url };
  if (title) attributes.title = title;
  return element(build, parent, 'a', { ...attributes, target: '_blank', rel: 'noopener noreferrer' });
}

function decodedTitle(build: Build, title: string | null | undefined): string | undefined {
  return title ? decodeCharacterReferences(title, build.doc) : undefined;
}

/** `inLink`: inside a link's words, where an image is words too (an anchor may not hold another). */
function inline(build: Build, parent: ParentNode, tokens: readonly Token[], inLink = false): void {
  for (const token of tokens as readonly MarkedToken[]) {
    switch (token.type) {
      case 'text':
        if ('tokens' in token && token.tokens) inline(build, parent, token.tokens, inLink);
        else text(build, parent, decodeCharacterReferences(token.text, build.doc));
        break;
      case 'escape':
        text(build, parent, token.text);
        break;
      case 'html':
        text(build, parent, token.text);
        break;
      case 'strong':
      case 'em':
      case 'del':
        inline(build, element(build, parent, token.type), token.tokens, inLink);
        break;
      case 'codespan':
        text(build, element(build, parent, 'code'), token.text);
        break;
      case 'br':
        element(build, parent, 'br');
        break;
      case 'checkbox':
        checkbox(build, parent, token);
        break;
      case 'link': {
        // Character references in a destination or title are resolved (CommonMark), before the scheme check.
        const url = safeLinkUrl(token.autolink ? token.href : decodeCharacterReferences(token.href, build.doc));
        const into = url ? anchor(build, parent, url, decodedTitle(build, token.title)) : parent;
        // Autolinks' text is the URL as written: no character references resolved.
        if (token.autolink) text(build, into, token.text);
        else inline(build, into, token.tokens, true);
        break;
      }
      case 'image': {
        const label = `[image: ${decodeCharacterReferences(token.text, build.doc) || 'image'}]`;
        const url = inLink ? undefined : safeLinkUrl(decodeCharacterReferences(token.href, build.doc));
        text(build, url ? anchor(build, parent, url, decodedTitle(build, token.title)) : parent, label);
        break;
      }
      default:
        // A token this module does not know (a marked update): its source, as text.
        text(build, parent, token.raw);
    }
  }
}

function code(build: Build, parent: ParentNode, token: Tokens.Code): void {
  const language = token.lang?.match(/^\S*/)?.[0] ?? '';
  const source = `${token.text.replace(/\n$/, '')}\n`;
  const block = element(
    build,
    element(build, parent, 'pre'),
    'code',
    language ? { class: `language-${language}` } : {},
  );
  const tree = highlightCode(source, language);
  if (tree) {
    highlighted(build, block, tree);
    return;
  }
  text(build, block, source);
  const wanted = languageToLoad(language);
  if (wanted) build.languagesToLoad.add(wanted);
}

/**
 * A table goes in a box that scrolls sideways (and takes focus, so the keyboard can scroll it):
 * in a narrow panel its words must not be broken mid-word to fit.
 */
function table(build: Build, parent: ParentNode, token: Tokens.Table): void {
  const scroller = element(build, parent, 'div', {
    class: 'table-scroll',
    tabindex: '0',
    role: 'group',
    'aria-label': 'Table',
  });
  const grid = element(build, scroller, 'table');
  const cell = (row: ParentNode, tag: 'th' | 'td', data: Tokens.TableCell) =>
    inline(build, element(build, row, tag, data.align ? { align: data.align } : {}), data.tokens);
  const head = element(build, element(build, grid, 'thead'), 'tr');
  for (const data of token.header) cell(head, 'th', data);
  if (token.rows.length === 0) return;
  const body = element(build, grid, 'tbody');
  for (const row of token.rows) {
    const line = element(build, body, 'tr');
    for (const data of row) cell(line, 'td', data);
  }
}

function blocks(build: Build, parent: ParentNode, tokens: readonly Token[]): void {
  for (const token of tokens as readonly MarkedToken[]) {
    switch (token.type) {
      case 'space':
      case 'def':
        break;
      case 'hr':
        element(build, parent, 'hr');
        break;
      case 'heading':
        inline(build, element(build, parent, `h${Math.min(Math.max(token.depth, 1), 6)}` as 'h1'), token.tokens);
        break;
      case 'paragraph':
        inline(build, element(build, parent, 'p'), token.tokens);
        break;
      case 'blockquote':
        blocks(build, element(build, parent, 'blockquote'), token.tokens);
        break;
      case 'code':
        code(build, parent, token);
        break;
      case 'table':
        table(build, parent, token);
        break;
      case 'list': {
        const start: Record<string, string> =
          token.ordered && token.start !== '' && token.start !== 1 ? { start: String(token.start) } : {};
        const list = element(build, parent, token.ordered ? 'ol' : 'ul', start);
        for (const item of token.items) blocks(build, element(build, list, 'li'), item.tokens);
        break;
      }
      case 'html':
        // Raw HTML the model wrote: its source, shown as text (a block of it, as a paragraph).
        text(build, token.block ? element(build, parent, 'p') : parent, token.text);
        break;
      case 'checkbox':
        checkbox(build, parent, token);
        break;
      case 'text':
        if (token.tokens) inline(build, parent, token.tokens);
        else text(build, parent, decodeCharacterReferences(token.text, build.doc));
        break;
      default:
        inline(build, parent, [token]);
    }
  }
}

/** Markdown → DOM nodes made by this module alone; `doc` makes them (a test passes its own). */
export function renderMarkdown(markdown: string, doc: Document = document): RenderedMarkdown {
  const build: Build = { doc, languagesToLoad: new Set() };
  const nodes = doc.createDocumentFragment();
  let tokens: Token[];
  try {
    tokens = Lexer.lex(markdown, { gfm: true, breaks: false });
  } catch {
    // marked gave up on this input (it throws rather than loop forever): show it as written.
    text(build, element(build, nodes, 'p'), markdown);
    return { nodes, languagesToLoad: [] };
  }
  blocks(build, nodes, tokens);
  return { nodes, languagesToLoad: [...build.languagesToLoad] };
}

/**
 * Readable Markdown from an HTML page: Readability finds the article, Turndown
 * writes it as Markdown. Runs wherever a DOM exists (Chrome's offscreen
 * document, Firefox's background page; linkedom in unit tests): the caller
 * passes the parser, so this module does not care which.
 *
 * Markup that is hidden without CSS (the `hidden` attribute, `aria-hidden`,
 * inline `display:none`) and comments are dropped; they are a favourite place
 * for instructions aimed at agents. This is one layer only: the content is
 * still marked untrusted, and the permission gate is the real boundary.
 */
import { Readability } from '@mozilla/readability';
import TurndownService from 'turndown';
import type { ReadableExtract } from '../../shared/protocol';

export type ParseHtml = (html: string) => Document;

const HIDDEN_SELECTOR = [
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  '[hidden]',
  '[aria-hidden="true"]',
  '[style*="display:none" i]',
  '[style*="display: none" i]',
  '[style*="visibility:hidden" i]',
  '[style*="visibility: hidden" i]',
].join(',');

/** Inline images can be megabytes of base64: keep the alt text, drop the data. */
const DATA_URL_PREFIX = 'data:';

export function createTurndown(): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
  });
  service.remove(['script', 'style', 'noscript', 'template', 'iframe']);
  service.addRule('inlineImages', {
    filter: (node) => node.nodeName === 'IMG' && (node.getAttribute('src') ?? '').startsWith(DATA_URL_PREFIX),
    replacement: (_content, node) => {
      const alt = (node as Element).getAttribute('alt') ?? '';
      return alt ? `![${alt}](inline image)` : '';
    },
  });
  service.addRule('scriptLinks', {
    filter: (node) => node.nodeName === 'A' && /^\s*javascript:/i.test(node.getAttribute('href') ?? ''),
    replacement: (content) => content,
  });
  return service;
}

function addBase(doc: Document, url: string): void {
  // A parsed document's base URL is the parsing page's (an extension page): links would resolve against it.
  if (doc.querySelector('base[href]')) return;
  const base = doc.createElement('base');
  base.setAttribute('href', url);
  const head = doc.head ?? doc.documentElement;
  head?.prepend(base);
}

function removeHidden(root: ParentNode): void {
  for (const element of Array.from(root.querySelectorAll(HIDDEN_SELECTOR))) element.remove();
}

function tidy(markdown: string): string {
  return markdown.replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Keeps the first `budget` characters of text under `root` and removes the
 * rest, so Turndown converts only what the model will see (converting a 1 MB
 * article to cut it at 40k characters would spend most of the time on text that
 * is thrown away). Linear: each node's text length is measured once on the path.
 */
export function truncateTree(root: Node, budget: number): boolean {
  let used = 0;
  let parent: Node = root;
  for (;;) {
    let child = parent.firstChild;
    while (child) {
      const length = child.textContent?.length ?? 0;
      if (used + length <= budget) {
        used += length;
        child = child.nextSibling;
        continue;
      }
      // This child crosses the budget: drop everything after it, then look inside it.
      while (child.nextSibling) parent.removeChild(child.nextSibling);
      if (child.nodeType === 3) {
        (child as Text).data = (child as Text).data.slice(0, Math.max(0, budget - used));
        return true;
      }
      break;
    }
    if (!child) return false;
    parent = child;
  }
}

export function extractReadable(
  html: string,
  url: string,
  parse: ParseHtml,
  maxChars: number,
  turndown: TurndownService = createTurndown(),
): ReadableExtract {
  const doc = parse(html);
  addBase(doc, url);
  const pageTitle = (doc.title ?? '').trim();
  if (doc.body) removeHidden(doc.body);
  const article = new Readability<Node>(doc, { serializer: (node) => node, charThreshold: 250 }).parse();
  // Markdown adds little to the text (link targets, markup); twice the budget keeps the cut in Markdown.
  const budget = maxChars * 2;
  if (article?.content) {
    const content = article.content as unknown as HTMLElement;
    const textChars = content.textContent?.length ?? 0;
    const cut = truncateTree(content, budget);
    return {
      title: (article.title ?? pageTitle).trim(),
      markdown: tidy(turndown.turndown(content)),
      readability: true,
      textChars,
      cut,
    };
  }
  // No article (a form, a list of links): the whole visible body, as Markdown.
  const fresh = parse(html);
  addBase(fresh, url);
  const body = fresh.body;
  if (!body) return { title: pageTitle, markdown: '', readability: false, textChars: 0, cut: false };
  removeHidden(body);
  const textChars = body.textContent?.length ?? 0;
  const cut = truncateTree(body, budget);
  return { title: pageTitle, markdown: tidy(turndown.turndown(body)), readability: false, textChars, cut };
}

/** Renders Markdown with the message renderer into a linkedom document, for DOM assertions in node. */
import { parseHTML } from 'linkedom';
import { renderMarkdown } from '../../../shared/ui/markdown';

export function renderToDom(markdown: string): { root: HTMLElement; languagesToLoad: string[] } {
  const { document } = parseHTML('<!doctype html><html><body><main></main></body></html>');
  const root = document.querySelector('main') as unknown as HTMLElement;
  const rendered = renderMarkdown(markdown, document as unknown as Document);
  root.append(rendered.nodes);
  return { root, languagesToLoad: rendered.languagesToLoad };
}

const VOID = new Set(['br', 'hr', 'input']);
const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The children's markup with each element's attributes in name order (linkedom keeps no stable order). */
export function markup(node: Node): string {
  return [...node.childNodes]
    .map((child) => {
      if (child.nodeType === 3) return escapeText(child.textContent ?? '');
      if (child.nodeType !== 1) return '';
      const element = child as Element;
      const tag = element.tagName.toLowerCase();
      const attributes = [...element.attributes]
        .map(({ name, value }) => ` ${name}="${escapeText(value).replace(/"/g, '&quot;')}"`)
        .sort()
        .join('');
      return VOID.has(tag) ? `<${tag}${attributes}>` : `<${tag}${attributes}>${markup(element)}</${tag}>`;
    })
    .join('');
}

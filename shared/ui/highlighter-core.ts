/**
 * The highlighter's core chunk, loaded lazily by code-highlight.ts the first time a fence in a
 * known language is on screen; each language arrives as a chunk of its own (code-languages.ts)
 * and is registered here. Its output is a tree of spans and text (highlight-tree.ts), never HTML.
 */
import hljs from 'highlight.js/lib/core';
import { type HighlightNode, parseHighlighted } from './highlight-tree';

export function registerLanguage(name: string, definition: (hljs: never) => unknown): void {
  hljs.registerLanguage(name, definition as Parameters<typeof hljs.registerLanguage>[1]);
}

/** `code` highlighted in `language` (registered by name), or undefined when it is not registered. */
export function highlightToTree(code: string, language: string): HighlightNode[] | undefined {
  if (!hljs.getLanguage(language)) return undefined;
  return parseHighlighted(hljs.highlight(code, { language, ignoreIllegals: true }).value);
}

/** Readable extraction with the browser's own DOMParser (offscreen document, Firefox background page). */
import type { ReadableExtract } from '../../shared/protocol';
import { createTurndown, extractReadable } from './readable';

let turndown: ReturnType<typeof createTurndown> | undefined;

export function extractWithDomParser(html: string, url: string, maxChars: number): ReadableExtract {
  turndown ??= createTurndown();
  const parser = new DOMParser();
  return extractReadable(html, url, (text) => parser.parseFromString(text, 'text/html'), maxChars, turndown);
}

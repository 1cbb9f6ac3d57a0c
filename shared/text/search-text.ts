/**
 * Text matching for search: case- and accent-insensitive, and length-preserving, so an offset
 * found in the folded text is the same offset in the original (a snippet can mark the match
 * in the words the person wrote). Pure.
 */

/** One UTF-16 unit → its folded unit; 0 = not computed yet. Filled lazily, 128 KiB at most. */
const table = new Uint16Array(0x10000);
/** Printable ASCII and line breaks fold by toLowerCase alone (the fast path); anything else unit by unit. */
const NON_ASCII = /[^ -~\t\n\r]/;
const COMBINING = /^\p{M}+$/u;

function foldUnit(code: number): number {
  const cached = table[code];
  if (cached) return cached;
  const unit = String.fromCharCode(code);
  // Lower-casing that changes the length (İ → i̇) would shift every later offset: keep the unit.
  const lower = unit.toLowerCase();
  let folded = lower.length === 1 ? lower : unit;
  const decomposed = folded.normalize('NFD');
  // é → e + ◌́ : keep the base letter when the rest is only accents.
  if (decomposed.length > 1 && COMBINING.test(decomposed.slice(1)) && decomposed.charCodeAt(0) < 0xd800) {
    const base = decomposed.charAt(0);
    const lowerBase = base.toLowerCase(); // İ → I + ◌̇ → i
    folded = lowerBase.length === 1 ? lowerBase : base;
  }
  const result = folded.charCodeAt(0) || code;
  table[code] = result;
  return result;
}

/** Lower case without accents, the same length as `text`. */
export function foldForSearch(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase();
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = foldUnit(text.charCodeAt(i));
  // In slices: spreading a long array into fromCharCode would overflow the call stack.
  let out = '';
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.subarray(i, i + 8192));
  return out;
}

/** The distinct folded words of a query, longest first (the rarest, usually, so the cheapest to rule out). */
export function searchWords(query: string): string[] {
  const words = new Set(foldForSearch(query).split(/\s+/).filter(Boolean));
  return [...words].sort((a, b) => b.length - a.length);
}

export interface TextMatch {
  snippet: string;
  ranges: Array<{ start: number; length: number }>;
}

const BEFORE = 40;
const SNIPPET_CHARS = 140;

/**
 * Whether every word occurs in `text` (given folded as `folded`); if so, a snippet around the
 * first occurrence of any word, with every occurrence inside it marked.
 */
export function matchText(text: string, folded: string, words: readonly string[]): TextMatch | undefined {
  let first = Number.POSITIVE_INFINITY;
  for (const word of words) {
    const at = folded.indexOf(word);
    if (at < 0) return undefined;
    if (at < first) first = at;
  }
  if (!Number.isFinite(first)) return undefined;
  let start = Math.max(0, first - BEFORE);
  // Start at a word boundary when one is near, never inside a surrogate pair.
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space >= 0 && space < first) start = space + 1;
  }
  if (isLowSurrogate(text.charCodeAt(start))) start++;
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (isLowSurrogate(text.charCodeAt(end))) end--;
  const window = folded.slice(start, end);
  const ranges: TextMatch['ranges'] = [];
  for (const word of words) {
    for (let at = window.indexOf(word); at >= 0; at = window.indexOf(word, at + word.length)) {
      ranges.push({ start: at + (start > 0 ? 1 : 0), length: Math.min(word.length, window.length - at) });
    }
  }
  ranges.sort((a, b) => a.start - b.start);
  const body = text.slice(start, end).replace(/\s/g, ' ');
  const snippet = `${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
  return { snippet, ranges: mergeOverlaps(ranges) };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function mergeOverlaps(ranges: TextMatch['ranges']): TextMatch['ranges'] {
  const merged: TextMatch['ranges'] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start <= last.start + last.length) {
      last.length = Math.max(last.length, range.start + range.length - last.start);
    } else {
      merged.push({ ...range });
    }
  }
  return merged;
}

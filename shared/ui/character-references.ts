/**
 * HTML character references (`&amp;`, `&#169;`, `&copy;`) in Markdown text, decoded to the
 * characters they name, as a browser would when parsing marked's HTML: the message builds text
 * nodes, which show their text literally, so the references must be decoded first.
 */

const REFERENCE = /&(?:#(\d{1,7})|#[xX]([\dA-Fa-f]{1,6})|([A-Za-z][A-Za-z\d]{1,31}));/g;

const named = new Map<string, string>();

/** A named reference by the browser's own table, parsed alone (it holds only letters and digits). */
function decodeNamed(reference: string, doc: Document): string {
  let text = named.get(reference);
  if (text === undefined) {
    const Parser = doc.defaultView?.DOMParser;
    // An inert document: nothing runs or loads; the reference is `&` + letters/digits + `;`.
    const parsed = Parser
      ? new Parser().parseFromString(`<!doctype html><html><body><p>${reference}</p></body></html>`, 'text/html')
      : undefined;
    text = parsed?.querySelector('p')?.textContent ?? reference;
    named.set(reference, text);
  }
  return text;
}

function codePoint(value: number): string {
  // As HTML does: NUL, surrogates and beyond Unicode become U+FFFD.
  return value === 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)
    ? '\uFFFD'
    : String.fromCodePoint(value);
}

export function decodeCharacterReferences(text: string, doc: Document): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (reference, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined) return codePoint(Number.parseInt(decimal, 10));
    if (hex !== undefined) return codePoint(Number.parseInt(hex, 16));
    return name ? decodeNamed(reference, doc) : reference;
  });
}

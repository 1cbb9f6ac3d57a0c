/**
 * highlight.js's output as plain data, so the message can build it into the DOM itself instead of
 * trusting (or sanitising) an HTML string. highlight.js escapes every character of the source and
 * adds only `<span class="…">` and `</span>`; this reads exactly that and nothing else: any other
 * markup would stay text, so even a highlighter bug cannot put an element or attribute on screen.
 */

export interface HighlightSpan {
  /** The span's class names, as highlight.js wrote them (`hljs-title`, `class_`, `language-xml`). */
  classes: string[];
  children: HighlightNode[];
}

export type HighlightNode = string | HighlightSpan;

const HLJS_ESCAPES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'" };

/** Undoes highlight.js's escapeHTML (its five references only; anything else stays as written). */
const unescapeHljs = (text: string) => text.replace(/&(?:amp|lt|gt|quot|#x27);/g, (ref) => HLJS_ESCAPES[ref] ?? ref);

const PIECE = /<span class="([^"<>]*)">|<\/span>|[^<]+|</g;

/** The tree of highlight.js's HTML output; unmatched or unknown markup becomes text. */
export function parseHighlighted(html: string): HighlightNode[] {
  const root: HighlightSpan = { classes: [], children: [] };
  const open: HighlightSpan[] = [root];
  for (const [piece, classes] of html.matchAll(PIECE)) {
    const parent = open.at(-1) ?? root;
    if (classes !== undefined) {
      const span: HighlightSpan = { classes: unescapeHljs(classes).split(/\s+/).filter(Boolean), children: [] };
      parent.children.push(span);
      open.push(span);
    } else if (piece === '</span>' && open.length > 1) {
      open.pop();
    } else {
      const text = unescapeHljs(piece);
      const last = parent.children.at(-1);
      if (typeof last === 'string') parent.children[parent.children.length - 1] = last + text;
      else parent.children.push(text);
    }
  }
  return root.children;
}

/**
 * Marks outside content (pages, files, connector results) for the model as data,
 * with delimiters the system prompt explains (runtime/system-prompt.ts imports
 * them from here, so this room never imports the engine). A page could contain the closing
 * delimiter itself to "end" the untrusted block early and write what looks like
 * Tandem's own text after it; any delimiter inside the content is defused first.
 */
export const UNTRUSTED_OPEN = '<untrusted_content';
export const UNTRUSTED_CLOSE = '</untrusted_content>';

const DELIMITER = /<\s*\/?\s*untrusted_content/gi;

export function defuseDelimiters(text: string): string {
  // A zero-width space after `<` keeps it readable to a person and inert as a tag.
  return text.replace(DELIMITER, (match) => `<\u200b${match.slice(1)}`);
}

/** `source` is a URL or origin; it is shown to the model, which is told where the data came from. */
export function wrapUntrusted(source: string, content: string): string {
  const safeSource = source.replace(/["<>\n\r]/g, '');
  return `${UNTRUSTED_OPEN} source="${safeSource}">\n${defuseDelimiters(content)}\n${UNTRUSTED_CLOSE}`;
}

/** Cuts text to `max` characters at a line break when one is near, saying so in the returned note. */
export function cutText(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  const newline = text.lastIndexOf('\n', max);
  const end = newline > max * 0.8 ? newline : max;
  return { text: text.slice(0, end), cut: true };
}

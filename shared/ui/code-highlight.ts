/**
 * Syntax highlighting for fenced code blocks in messages, loaded lazily: the highlighter
 * (code-languages.ts) is a separate chunk imported after the first paint, so it adds nothing to
 * the phone page's initial script. Until it has loaded, code renders plain; once it has, every
 * `<tandem-message>` that shows code renders again (the `HIGHLIGHTER_READY` event on window).
 */

type Highlight = (code: string, language: string) => string | undefined;

let highlight: Highlight | undefined;
let loading: Promise<void> | undefined;

export const HIGHLIGHTER_READY = 'tandem-highlighter-ready';

/** Highlighted HTML for a block, or undefined (no language, not loaded yet, or unknown language). */
export function highlightCode(code: string, language: string | undefined): string | undefined {
  const name = language?.trim().split(/\s+/)[0]?.toLowerCase();
  if (!name || !highlight) return undefined;
  // Very long blocks stay plain: highlighting is linear but runs on the UI thread.
  if (code.length > 50_000) return undefined;
  return highlight(code, name);
}

export function highlighterLoaded(): boolean {
  return highlight !== undefined;
}

/** Starts loading the highlighter once; resolves when it is ready (or failed: code stays plain). */
export function loadHighlighter(): Promise<void> {
  loading ??= import('./code-languages')
    .then((module) => {
      highlight = module.highlightToHtml;
      if (typeof window !== 'undefined') window.dispatchEvent(new Event(HIGHLIGHTER_READY));
    })
    .catch(() => {});
  return loading;
}

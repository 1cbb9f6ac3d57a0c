/**
 * Syntax highlighting for fenced code blocks in messages, loaded lazily and per language: the first
 * fence in a known language fetches the highlighter's core chunk (highlighter-core.ts) and that
 * language's chunk (code-languages.ts), after the first paint; nothing else is fetched until a fence
 * in another language shows up. Until then code renders plain; once a language is ready, the
 * `HIGHLIGHTER_READY` event on window (detail: the language) makes the messages showing it render again.
 */
import { fenceLanguage, LANGUAGE_LOADERS, type LanguageName } from './code-languages';
import type { HighlightNode } from './highlight-tree';

type HighlightToTree = (code: string, language: string) => HighlightNode[] | undefined;

let highlight: HighlightToTree | undefined;
const ready = new Set<LanguageName>();
const loading = new Map<LanguageName, Promise<void>>();
let core: Promise<typeof import('./highlighter-core')> | undefined;

export const HIGHLIGHTER_READY = 'tandem-highlighter-ready';

/** A language (or the core) that failed to load may be fetched again after this long. */
export const RETRY_FAILED_CHUNK_MS = 30_000;

/** Highlighted code as a tree of spans and text, or undefined (no known language, or not loaded yet). */
export function highlightCode(code: string, info: string | undefined): HighlightNode[] | undefined {
  const language = fenceLanguage(info);
  if (!language || !highlight || !ready.has(language)) return undefined;
  // Very long blocks stay plain: highlighting is linear but runs on the UI thread.
  if (code.length > 50_000) return undefined;
  return highlight(code, language);
}

/** The language a fence's info string asks for, when it is known and not highlightable yet. */
export function languageToLoad(info: string | undefined): LanguageName | undefined {
  const language = fenceLanguage(info);
  return language && !ready.has(language) ? language : undefined;
}

/**
 * Starts loading the core and `language` once each; resolves when the language is ready (or its
 * loading failed: its code stays plain). Unknown languages resolve at once.
 */
export function loadLanguage(info: string | undefined): Promise<void> {
  const language = fenceLanguage(info);
  if (!language) return Promise.resolve();
  let pending = loading.get(language);
  if (!pending) {
    core ??= import('./highlighter-core');
    pending = Promise.all([core, LANGUAGE_LOADERS[language]()])
      .then(([module, definition]) => {
        module.registerLanguage(language, definition.default);
        highlight = module.highlightToTree;
        ready.add(language);
        if (typeof window !== 'undefined')
          window.dispatchEvent(new CustomEvent(HIGHLIGHTER_READY, { detail: language }));
      })
      .catch(() => {
        // Code stays plain for now; a chunk lost offline (or refused) is tried again later, not on
        // every render and not never.
        setTimeout(() => {
          loading.delete(language);
          core = undefined; // importing a module that did load again costs nothing
        }, RETRY_FAILED_CHUNK_MS);
      });
    loading.set(language, pending);
  }
  return pending;
}

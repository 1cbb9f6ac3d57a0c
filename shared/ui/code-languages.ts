/**
 * The highlighter itself, loaded lazily by code-highlight.ts: highlight.js core with the languages
 * people paste and Claude writes most. Each language costs ~0.5–2 KB gzip; this set is ~26 KB gzip,
 * which is why it is its own chunk, fetched after the first paint and never part of the phone page's
 * initial script.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = { bash, c, cpp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/**
 * Highlighted HTML for `code` in `language` (a name or alias: js, ts, sh, html, py…), or undefined
 * for a language not in the set. highlight.js escapes every character of the source text and adds
 * only `<span class="hljs-…">`; the message's DOMPurify pass still sanitises the result.
 */
export function highlightToHtml(code: string, language: string): string | undefined {
  if (!hljs.getLanguage(language)) return undefined;
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

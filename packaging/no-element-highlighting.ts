/**
 * A Vite plugin for the extension build: takes the one `innerHTML` assignment out of highlight.js.
 *
 * Tandem highlights strings (shared/ui/highlighter-core.ts: `hljs.highlight(code)`, whose output is
 * read as a tree of spans and text, never as HTML); it never calls `highlightElement`, the DOM helper that
 * writes `element.innerHTML = result.value`. That dead assignment is still an UNSAFE_VAR_ASSIGNMENT
 * for `web-ext lint` and a store reviewer, so it becomes a `textContent` write: even if something
 * did call it, the element would show text, never markup.
 */
import type { Plugin } from 'vite';

const HLJS_CORE = /[\\/]highlight\.js[\\/]lib[\\/]core\.js$/;
const ASSIGNMENT = 'element.innerHTML = result.value;';

export function noElementHighlighting(): Plugin {
  return {
    name: 'tandem:no-element-highlighting',
    enforce: 'pre',
    transform(code, id) {
      if (!HLJS_CORE.test(id)) return undefined;
      // As packaging/inert-markup.ts: a library update that moves the text fails the build, rather
      // than shipping the sink again unnoticed.
      if (!code.includes(ASSIGNMENT)) this.error(`no-element-highlighting: "${ASSIGNMENT}" is no longer in ${id}`);
      return { code: code.replace(ASSIGNMENT, 'element.textContent = result.value;'), map: null };
    },
  };
}

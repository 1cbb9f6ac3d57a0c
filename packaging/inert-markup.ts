/**
 * A Vite plugin for the extension build: the `innerHTML` assignments the bundled libraries
 * make go through setInertMarkup (DOMParser) instead, so `web-ext lint` finds no
 * UNSAFE_VAR_ASSIGNMENT and a store reviewer sees no HTML sink:
 * - lit-html prepares each template (our own constant markup) by assigning it to a `<template>`;
 * - Readability restores a page between attempts and unwraps `<noscript>` images, on a document
 *   DOMParser made from the fetched page.
 * Each rewrite names the exact text it replaces and fails the build when it is gone (a library
 * update), rather than silently shipping the sink again.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const HELPER = fileURLToPath(new URL('./set-inert-markup.ts', import.meta.url));

interface Rewrite {
  file: RegExp;
  from: string;
  to: string;
}

const REWRITES: Rewrite[] = [
  {
    file: /[\\/]lit-html[\\/]lit-html\.js$/,
    from: 'return s.innerHTML=t,s}',
    to: 'return __tandemSetInertMarkup(s,t),s}',
  },
  {
    file: /[\\/]@mozilla[\\/]readability[\\/]Readability\.js$/,
    from: 'page.innerHTML = pageCacheHtml;',
    to: '__tandemSetInertMarkup(page, pageCacheHtml);',
  },
  {
    file: /[\\/]@mozilla[\\/]readability[\\/]Readability\.js$/,
    from: 'tmp.innerHTML = noscript.innerHTML;',
    to: '__tandemSetInertMarkup(tmp, noscript.innerHTML);',
  },
];

export function inertMarkup(): Plugin {
  return {
    name: 'tandem:inert-markup',
    enforce: 'pre',
    transform(code, id) {
      const rewrites = REWRITES.filter((rewrite) => rewrite.file.test(id));
      if (rewrites.length === 0) return undefined;
      let out = code;
      for (const { from, to } of rewrites) {
        if (!out.includes(from))
          this.error(`inert-markup: "${from}" is no longer in ${id}; update packaging/inert-markup.ts`);
        out = out.split(from).join(to);
      }
      // Readability is CommonJS: a require keeps it so; the others are ES modules.
      const binding = id.endsWith('Readability.js')
        ? `var __tandemSetInertMarkup = require(${JSON.stringify(HELPER)}).setInertMarkup;\n`
        : `import { setInertMarkup as __tandemSetInertMarkup } from ${JSON.stringify(HELPER)};\n`;
      return { code: binding + out, map: null };
    },
  };
}

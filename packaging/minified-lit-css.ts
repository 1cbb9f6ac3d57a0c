/**
 * A Vite plugin for the phone page and extension builds: the stylesheets of Tandem's own Lit
 * components (`css\`…\`` in shared/ and phone-web/src) are minified like any other CSS.
 *
 * The JavaScript minifier keeps template literals verbatim, so every component's styles shipped
 * with their indentation and newlines (about 2 KB gzip of the phone page's start-up script). Each
 * stylesheet is a whole CSS text; esbuild (already the project's minifier for the native host)
 * minifies it as CSS, so only what a CSS parser calls insignificant goes. A template the rewrite
 * cannot read as plain text (an interpolation, a backslash escape) is left exactly as written.
 * Builds only: `npm run phone:dev` serves the sources as they are.
 */
import { transformSync } from 'esbuild';
import type { Plugin } from 'vite';

/** Tandem's own modules (never a library's). */
const OWN_SOURCE = /[\\/](?:shared|phone-web[\\/]src|extension)[\\/][^\\/]+(?:[\\/][^\\/]+)*\.ts$/;
/** A `css` tagged template with no interpolation and no escape: its text is exactly the CSS. */
const PLAIN_CSS_TEMPLATE = /\bcss`([^`\\$]*)`/g;

/** The CSS text minified. Throws on CSS esbuild cannot parse, so a broken stylesheet fails the build. */
export function minifyCss(css: string): string {
  const { code, warnings } = transformSync(css, { loader: 'css', minify: true, logLevel: 'silent' });
  if (warnings.length > 0) throw new Error(`minified-lit-css: ${warnings.map((w) => w.text).join('; ')}`);
  return code.trimEnd();
}

/** A module's source with each plain `css\`…\`` template minified. */
export function withMinifiedCss(source: string): string {
  return source.replace(PLAIN_CSS_TEMPLATE, (_, css: string) => `css\`${minifyCss(css)}\``);
}

export function minifiedLitCss(): Plugin {
  return {
    name: 'tandem:minified-lit-css',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!OWN_SOURCE.test(id) || id.includes('node_modules') || !code.includes('css`')) return undefined;
      try {
        return { code: withMinifiedCss(code), map: null };
      } catch (error) {
        this.error(`${(error as Error).message} (${id})`);
      }
    },
  };
}

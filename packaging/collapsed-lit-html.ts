/**
 * A Vite plugin for the phone page build: the indentation of Tandem's own Lit templates goes.
 *
 * The JavaScript minifier keeps template literals verbatim, so every `html\`…\`` shipped with the
 * newlines and indentation it is written with. In HTML's normal flow a run of whitespace renders
 * as one space, so each run that holds a newline becomes one space: the same text nodes, the same
 * rendering, fewer bytes. A template that contains `<pre` or `<textarea` (where whitespace is
 * content) is left as written. Only the literal text changes, never an expression in `${…}`.
 * Builds only: `npm run phone:dev` serves the sources as they are.
 */
import { type Plugin, parseSync, Visitor } from 'vite';

/** Tandem's own modules (never a library's). */
const OWN_SOURCE = /[\\/](?:shared|phone-web[\\/]src)[\\/].+\.ts$/;
const TEMPLATE_TAGS = new Set(['html', 'svg']);
const WHITESPACE_IS_CONTENT = /<(?:pre|textarea)\b/i;
const LINE_BREAK_RUN = /\s*\n\s*/g;

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Quasi {
  start: number;
  value: { raw: string };
}

/** A module's source with each Lit template's line-break runs collapsed to one space. */
export function withCollapsedTemplates(source: string, file = 'module.ts'): string {
  const { program, errors } = parseSync(file, source);
  if (errors.length > 0) throw new Error(`collapsed-lit-html: cannot parse ${file}: ${errors[0]?.message}`);
  const edits: Edit[] = [];
  new Visitor({
    TaggedTemplateExpression(node) {
      if (node.tag.type !== 'Identifier' || !TEMPLATE_TAGS.has(node.tag.name)) return;
      const quasis = node.quasi.quasis as Quasi[];
      if (quasis.some((quasi) => WHITESPACE_IS_CONTENT.test(quasi.value.raw))) return;
      for (const { start, value } of quasis) {
        // A quasi starts at its opening "`" or the "}" closing the previous expression.
        const textStart = start + 1;
        if (source.slice(textStart, textStart + value.raw.length) !== value.raw)
          throw new Error(`collapsed-lit-html: template text not where the parser says in ${file}`);
        const text = value.raw.replace(LINE_BREAK_RUN, ' ');
        if (text !== value.raw) edits.push({ start: textStart, end: textStart + value.raw.length, text });
      }
    },
  }).visit(program);
  let out = source;
  for (const { start, end, text } of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, start) + text + out.slice(end);
  return out;
}

export function collapsedLitHtml(): Plugin {
  return {
    name: 'tandem:collapsed-lit-html',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!OWN_SOURCE.test(id) || id.includes('node_modules') || !/\b(?:html|svg)`/.test(code)) return undefined;
      try {
        return { code: withCollapsedTemplates(code, id), map: null };
      } catch (error) {
        this.error((error as Error).message);
      }
    },
  };
}

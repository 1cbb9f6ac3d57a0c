/**
 * A Vite plugin for the phone page and extension builds: marked without its default instance.
 *
 * Tandem uses only marked's `Lexer` (shared/ui/markdown.ts builds the DOM from its tokens), but
 * marked.esm.js ends by creating a default `Marked` instance at module top level and hanging every
 * API on a `marked` function; a bundler must keep that top-level code, and with it the Parser,
 * Renderer, Hooks and the instance's option handling (~3 KB gzip), none of which can run here.
 * The rewrite replaces that tail with an export of `Lexer` alone: the bundler keeps the standalone
 * classes it still exports even when nothing imports them (Parser and Renderer stayed in), so the
 * list is exactly what Tandem imports. Importing anything else from 'marked' fails the build with a
 * missing-export error, and then this list grows by that name.
 *
 * As packaging/inert-markup.ts: the rewrite names the exact text it replaces and fails the build
 * when it is gone (a marked update), rather than silently shipping something else.
 */
import type { Plugin } from 'vite';

const MARKED_ENTRY = /[\\/]marked[\\/]lib[\\/]marked\.esm\.js$/;

/** marked 18's tail: the default instance, the `marked` function built on it, and the export list. */
const DEFAULT_INSTANCE_TAIL =
  'var v=new ne;function x(l,e){return v.parse(l,e)}x.options=x.setOptions=function(l){return v.setOptions(l),' +
  'x.defaults=v.defaults,ue(x.defaults),x};x.getDefaults=G;x.defaults=S;function jt(...l){return v.use(...l),' +
  'x.defaults=v.defaults,ue(x.defaults),x}x.use=jt;x.walkTokens=function(l,e){return v.walkTokens(l,e)};' +
  'x.parseInline=v.parseInline;x.Parser=P;x.parser=P.parse;x.Renderer=I;x.TextRenderer=z;x.Lexer=w;' +
  'x.lexer=w.lex;x.Tokenizer=_;x.Hooks=A;x.parse=x;var En=x.options,zn=x.setOptions,Mn=x.walkTokens,' +
  'Bn=x.parseInline,Dn=x,qn=P.parse,vn=w.lex;export{A as Hooks,w as Lexer,ne as Marked,P as Parser,' +
  'I as Renderer,z as TextRenderer,_ as Tokenizer,S as defaults,G as getDefaults,vn as lexer,x as marked,' +
  'En as options,Dn as parse,Bn as parseInline,qn as parser,zn as setOptions,jt as use,Mn as walkTokens};';

/** What Tandem imports from marked (shared/ui/markdown.ts), bound as marked itself binds it. */
const LEXER_ONLY_EXPORT = 'export{w as Lexer};';

/** marked.esm.js's text without the default instance; throws when the expected tail is not there. */
export function withoutDefaultInstance(code: string): string {
  const at = code.indexOf(DEFAULT_INSTANCE_TAIL);
  if (at === -1 || code.indexOf(DEFAULT_INSTANCE_TAIL, at + 1) !== -1)
    throw new Error(
      "marked-without-default-instance: marked.esm.js's default-instance tail is not there exactly once " +
        '(a marked update?); update packaging/marked-without-default-instance.ts',
    );
  return code.slice(0, at) + LEXER_ONLY_EXPORT + code.slice(at + DEFAULT_INSTANCE_TAIL.length);
}

export function markedWithoutDefaultInstance(): Plugin {
  return {
    name: 'tandem:marked-without-default-instance',
    enforce: 'pre',
    transform(code, id) {
      if (!MARKED_ENTRY.test(id)) return undefined;
      try {
        return { code: withoutDefaultInstance(code), map: null };
      } catch (error) {
        this.error(`${(error as Error).message} (${id})`);
      }
    },
  };
}

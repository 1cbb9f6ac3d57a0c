import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Lexer } from 'marked';
import { afterAll, describe, expect, it } from 'vitest';
import { markedWithoutDefaultInstance, withoutDefaultInstance } from '../../packaging/marked-without-default-instance';
import { type PluginErrorContext, recordingPluginContext } from './support/plugin-context';

// The file Vite bundles for `import … from 'marked'` (package.json "exports" → default).
const markedEntry = join(dirname(createRequire(import.meta.url).resolve('marked/package.json')), 'lib/marked.esm.js');
const installed = readFileSync(markedEntry, 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'marked-rewrite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE =
  '# Title\n\nSome *em* and `code`, a [link](https://example.com).\n\n- one\n- two\n\n```ts\nconst a = 1;\n```\n';

describe('marked without its default instance', () => {
  it('leaves a module that exports only Lexer, lexing as marked does', async () => {
    const rewritten = withoutDefaultInstance(installed);
    expect(rewritten.length).toBeLessThan(installed.length);
    const file = join(dir, 'marked.esm.js');
    // Without marked's source map comment: its .map file is not next to the copy.
    writeFileSync(file, rewritten.replace(/\/\/# sourceMappingURL=.*$/m, ''));
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    expect(Object.keys(module)).toEqual(['Lexer']);
    const RewrittenLexer = module.Lexer as typeof Lexer;
    expect(RewrittenLexer.lex(SAMPLE)).toEqual(Lexer.lex(SAMPLE));
  });

  it('fails when the text it replaces has changed (a marked update), naming the file to update', () => {
    const changed = installed.replace('var v=new ne;', 'var v=new Marked;');
    expect(() => withoutDefaultInstance(changed)).toThrow(/packaging\/marked-without-default-instance\.ts/);
    expect(() => withoutDefaultInstance('export const Lexer = 1;')).toThrow(/not there exactly once/);
  });

  it('fails when the text is there twice, rather than guessing which to cut', () => {
    const tail = installed.slice(installed.indexOf('var v=new ne;'));
    expect(() => withoutDefaultInstance(installed + tail)).toThrow(/not there exactly once/);
  });

  it('as a plugin, rewrites only marked.esm.js and fails the build when the guard trips', () => {
    const plugin = markedWithoutDefaultInstance();
    const { context, errors } = recordingPluginContext();
    const transform = plugin.transform as (this: PluginErrorContext, code: string, id: string) => unknown;

    expect(transform.call(context, installed, '/app/node_modules/other/lib/marked.esm.js.txt')).toBeUndefined();
    expect(transform.call(context, 'const x = 1;', '/app/shared/ui/markdown.ts')).toBeUndefined();
    const out = transform.call(context, installed, markedEntry) as { code: string };
    expect(out.code).toContain('export{w as Lexer};');
    expect(out.code).not.toContain('var v=new ne;');

    expect(() => transform.call(context, 'export{w as Lexer};', markedEntry)).toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(markedEntry);
  });
});

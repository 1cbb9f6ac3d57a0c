import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minifiedLitCss, minifyCss, withMinifiedCss } from '../../packaging/minified-lit-css';
import { type PluginErrorContext, recordingPluginContext } from './support/plugin-context';

const root = resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe("minifying the Lit components' stylesheets", () => {
  it('drops only what CSS ignores: descendant spaces, strings and custom property values stay', () => {
    expect(
      minifyCss(
        `
      :host {
        display: flex;
        --gap: 8px 4px;
      }
      .row  .cell:hover {
        color: red;
      }
      .quote::before {
        content: '  two  spaces  ';
      }
      @media (hover: none) {
        .actions { opacity: 1; }
      }
    `,
      ),
    ).toBe(
      `:host{display:flex;--gap: 8px 4px}.row .cell:hover{color:red}.quote:before{content:"  two  spaces  "}` +
        '@media(hover:none){.actions{opacity:1}}',
    );
  });

  it('leaves a template with an interpolation or an escape exactly as written', () => {
    const interpolation = ['const a = css`\n  a { color: $', '{x}; }\n`;\n'].join('');
    const source = `${interpolation}const b = css\`\n  b::before { content: "\\2014"; }\n\`;\n`;
    expect(withMinifiedCss(source)).toBe(source);
    expect(withMinifiedCss('const c = css`\n  c {\n    margin: 0;\n  }\n`;')).toBe('const c = css`c{margin:0}`;');
  });

  it('fails the build on a stylesheet CSS cannot parse, rather than shipping it', () => {
    const { context, errors } = recordingPluginContext();
    const transform = minifiedLitCss().transform as (this: PluginErrorContext, code: string, id: string) => unknown;
    expect(() => transform.call(context, 'css`a { color: red`', '/app/shared/ui/broken.ts')).toThrow();
    expect(errors[0]).toMatch(/Expected "\}".*broken\.ts/);
    expect(transform.call(context, 'css`a { color: red }`', '/app/node_modules/lib/shared/x.ts')).toBeUndefined();
    expect(transform.call(context, 'const a = 1;', '/app/shared/ui/plain.ts')).toBeUndefined();
  });

  it("minifies every stylesheet of Tandem's own components", () => {
    const files = ['shared', 'phone-web/src'].flatMap((dir) => sourceFiles(join(root, dir)));
    const styled = files.filter((file) => readFileSync(file, 'utf8').includes('css`'));
    expect(styled.length).toBeGreaterThan(20);
    const untouched = styled.filter((file) => {
      const source = readFileSync(file, 'utf8');
      const templates = source.match(/\bcss`/g)?.length ?? 0;
      const minified = withMinifiedCss(source);
      return minified === source || (minified.match(/\bcss`[^`\n]*`/g)?.length ?? 0) !== templates;
    });
    expect(untouched.map((file) => relative(root, file))).toEqual([]);
  });
});

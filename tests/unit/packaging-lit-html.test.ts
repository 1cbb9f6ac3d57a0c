import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collapsedLitHtml, withCollapsedTemplates } from '../../packaging/collapsed-lit-html';
import { type PluginErrorContext, recordingPluginContext } from './support/plugin-context';

const root = resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const $ = '$'; // keeps `${` out of the string literals below

describe("collapsing the Lit templates' indentation", () => {
  it('turns each whitespace run holding a line break into one space, in the template text only', () => {
    const source = [
      'const view = html`',
      '  <div class="row">',
      `    <strong>Title</strong> …é ${$}{`,
      `      items.map((item) => html\`<li>\n        ${$}{item}\n      </li>\`)`,
      '    }',
      '  </div>',
      '`;',
      "const text = 'a\\n   b';",
      'const styles = css`\n  a {}\n`;',
    ].join('\n');
    const expected = [
      `const view = html\` <div class="row"> <strong>Title</strong> …é ${$}{`,
      `      items.map((item) => html\`<li> ${$}{item} </li>\`)`,
      '    } </div> `;',
      "const text = 'a\\n   b';",
      'const styles = css`\n  a {}\n`;',
    ].join('\n');
    expect(withCollapsedTemplates(source)).toBe(expected);
  });

  it('leaves a template holding <pre> or <textarea> (whitespace is content there) as written', () => {
    const source = 'const a = html`<pre>\n  one\n  two</pre>`;\nconst b = html`<textarea>\n  x</textarea>`;\n';
    expect(withCollapsedTemplates(source)).toBe(source);
  });

  it('fails the build on a module it cannot parse, rather than guessing', () => {
    const { context, errors } = recordingPluginContext();
    const transform = collapsedLitHtml().transform as (this: PluginErrorContext, code: string, id: string) => unknown;
    expect(() => transform.call(context, 'const a = html`<p>\n</p>` +;', '/app/shared/ui/broken.ts')).toThrow();
    expect(errors[0]).toMatch(/cannot parse .*broken\.ts/);
    expect(transform.call(context, 'html`<p>\n</p>`', '/app/node_modules/x/shared/y.ts')).toBeUndefined();
    expect(transform.call(context, 'const a = 1;', '/app/shared/ui/plain.ts')).toBeUndefined();
  });

  it("changes only whitespace in Tandem's own components", () => {
    const files = ['shared', 'phone-web/src'].flatMap((dir) => sourceFiles(join(root, dir)));
    let changed = 0;
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const out = withCollapsedTemplates(source, file);
      if (out !== source) changed++;
      expect(out.replace(/\s+/g, '')).toBe(source.replace(/\s+/g, ''));
    }
    expect(changed).toBeGreaterThan(20);
  });
});

/**
 * What the phone page must not carry: modules only the extension runs. A shared schema module that
 * imports one of them pulls it into every phone download (shared/protocol/files.ts once held the
 * whole native-host protocol for the sake of five folder and trash shapes). Walks the page's import
 * graph from its entry, type-only imports aside (they are erased), lazy `import()`s included.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const ENTRY = 'phone-web/src/main.ts';

/** Extension-only modules: the native host's own protocol (the phone never talks to the host). */
const EXTENSION_ONLY = ['shared/protocol/native-host.ts'];

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, resolve(base, 'index.ts')].find((path) => path.endsWith('.ts') && existsSync(path));
}

/** The relative modules a file imports at run time. */
function runtimeImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const statements = source.matchAll(/\b(import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g);
  // `import './x'` (for its side effects) and `import('./x')` (lazily).
  const bare = source.matchAll(/\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g);
  const specifiers = [
    ...[...statements].filter((match) => !match[2]).map((match) => match[3] ?? ''),
    ...[...bare].map((match) => match[1] ?? ''),
  ];
  return specifiers.flatMap((specifier) => resolveImport(file, specifier) ?? []);
}

function phoneGraph(): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(root, ENTRY)];
  for (let file = queue.pop(); file; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...runtimeImportsOf(file));
  }
  return new Set([...seen].map((file) => relative(root, file)));
}

describe("the phone page's import graph", () => {
  const graph = phoneGraph();

  it('reaches the shared UI and protocol the page runs', () => {
    expect([...graph]).toEqual(
      expect.arrayContaining(['shared/protocol/messages.ts', 'shared/protocol/files.ts', 'shared/ui/markdown.ts']),
    );
  });

  it('holds no extension-only module', () => {
    expect(EXTENSION_ONLY.filter((path) => graph.has(path))).toEqual([]);
  });
});

/**
 * The phone page bundles every schema under shared/ and phone-web/src. Classic zod
 * attaches every method to every schema, so one classic import pulls the whole
 * library (about 16 KB gzipped) into the phone's start-up JavaScript; zod/mini is
 * tree-shakable. The extension may compose these schemas but must do it with
 * zod/mini's functions (z.extend, z.optional, ...), never by importing classic here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const PHONE_ROOMS = ['shared', 'phone-web/src'];
const ALLOWED = new Set(['zod/mini', 'zod/locales']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) ? [path] : [];
  });
}

function zodImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import)\s*\(?\s*['"](zod(?:\/[^'"]*)?)['"]/g)].map((match) => match[1] ?? '');
}

describe('zod in the phone page', () => {
  const files = PHONE_ROOMS.flatMap((room) => sourceFiles(join(root, room)));

  it('imports only zod/mini (and its locales) in shared/ and phone-web/src', () => {
    const classic = files.flatMap((file) =>
      zodImportsOf(file)
        .filter((specifier) => !ALLOWED.has(specifier))
        .map((specifier) => `${relative(root, file)} imports '${specifier}'`),
    );
    expect(classic).toEqual([]);
  });

  it('finds the protocol schemas it guards', () => {
    const mini = files.filter((file) => zodImportsOf(file).includes('zod/mini')).map((file) => relative(root, file));
    expect(mini).toEqual(expect.arrayContaining(['shared/protocol/commands.ts', 'shared/protocol/events.ts']));
  });
});

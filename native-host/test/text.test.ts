/** Encoding detection, chunk alignment, globs and the replacement diff. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alignTextRange, detectEncoding, encodeText, isValidUtf8 } from '../src/text/encoding';
import { compileGlob } from '../src/text/glob';
import { findOccurrences, unifiedDiff } from '../src/text/unified-diff';
import { removeScratch, tempDir } from './helpers/host-process';

describe('detectEncoding', () => {
  it('tells text encodings and binary apart', () => {
    expect(detectEncoding(Buffer.from('plain ascii\n'), true)).toEqual({ kind: 'text', encoding: 'utf8', bomBytes: 0 });
    expect(detectEncoding(encodeText('x', 'utf8', true), true)).toMatchObject({ encoding: 'utf8', bomBytes: 3 });
    expect(detectEncoding(encodeText('x', 'utf16le', true), true)).toMatchObject({ encoding: 'utf16le', bomBytes: 2 });
    expect(detectEncoding(encodeText('x', 'utf16be', true), true)).toMatchObject({ encoding: 'utf16be', bomBytes: 2 });
    expect(detectEncoding(Buffer.from('no bom here', 'utf16le'), true)).toMatchObject({ encoding: 'utf16le' });
    expect(detectEncoding(Buffer.from('caf\xe9 cr\xe8me', 'latin1'), true)).toMatchObject({ encoding: 'latin1' });
    expect(detectEncoding(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]), true)).toEqual({ kind: 'binary' });
    expect(detectEncoding(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 0xff]), true)).toEqual({ kind: 'binary' });
  });
  it('accepts a sample that ends inside a character only when the file goes on', () => {
    const cut = Buffer.from('€').subarray(0, 2);
    expect(isValidUtf8(cut, true)).toBe(true);
    expect(isValidUtf8(cut, false)).toBe(false);
    expect(isValidUtf8(Buffer.from([0xc0, 0x80]), true)).toBe(false); // overlong
    expect(isValidUtf8(Buffer.from([0xed, 0xa0, 0x80]), true)).toBe(false); // surrogate
  });
});

describe('alignTextRange', () => {
  it('moves UTF-8 chunk edges off continuation bytes', () => {
    const bytes = Buffer.from('a€b'); // 61 e2 82 ac 62
    expect(alignTextRange('utf8', bytes, 0, 0, 2, 0, bytes.length)).toEqual({ start: 0, end: 1 });
    expect(alignTextRange('utf8', bytes, 0, 2, 5, 0, bytes.length)).toEqual({ start: 4, end: 5 });
    expect(alignTextRange('utf8', bytes, 0, 1, 4, 0, bytes.length)).toEqual({ start: 1, end: 4 });
  });
  it('keeps UTF-16 on code units and surrogate pairs together', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a😀b', 'utf16le')]);
    expect(alignTextRange('utf16le', bytes, 0, 0, 7, 2, bytes.length)).toEqual({ start: 2, end: 4 });
    expect(alignTextRange('utf16le', bytes, 0, 3, 8, 2, bytes.length)).toEqual({ start: 4, end: 8 });
  });
});

describe('compileGlob', () => {
  it('matches names and paths like a shell', () => {
    expect(compileGlob('*.ts', true).test('a.ts')).toBe(true);
    expect(compileGlob('*.ts', true).test('dir/a.ts')).toBe(false);
    expect(compileGlob('src/**/*.ts', true).test('src/a.ts')).toBe(true);
    expect(compileGlob('src/**/*.ts', true).test('src/x/y/a.ts')).toBe(true);
    expect(compileGlob('*.{md,txt}', true).test('read.txt')).toBe(true);
    expect(compileGlob('[!a]?', true).test('bc')).toBe(true);
    expect(compileGlob('[!a]?', true).test('ac')).toBe(false);
    expect(compileGlob('A.TS', false).test('a.ts')).toBe(true);
    expect(compileGlob('a(b)+.ts', true).test('a(b)+.ts')).toBe(true);
    expect(compileGlob('[a-c]x', true).test('bx')).toBe(true);
    expect(compileGlob('[a-c]x', true).test('dx')).toBe(false);
    expect(compileGlob('{a,b{c,d}}.md', true).test('bd.md')).toBe(true);
    expect(compileGlob('{a,b{c,d}}.md', true).test('b.md')).toBe(false);
    expect(compileGlob('**', true).test('x/y/z')).toBe(true);
    expect(compileGlob('\\*', true).test('*')).toBe(true);
    expect(compileGlob('\\*', true).test('x')).toBe(false);
  });

  it('runs in linear time on globs that make backtracking matchers explode', () => {
    const started = performance.now();
    const glob = compileGlob(`${'*a'.repeat(30)}*b`, false);
    for (let i = 0; i < 100; i++) expect(glob.test('a'.repeat(255))).toBe(false);
    expect(compileGlob('**/**/**/**/**/**/**/x', true).test(`${'d/'.repeat(500)}y`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('unifiedDiff', () => {
  function applyWithGit(oldText: string, diff: string): string {
    const dir = tempDir('diff');
    fs.writeFileSync(path.join(dir, 'f.txt'), oldText);
    fs.writeFileSync(path.join(dir, 'p.diff'), diff);
    execFileSync('git', ['apply', 'p.diff'], { cwd: dir, stdio: 'pipe' });
    return fs.readFileSync(path.join(dir, 'f.txt'), 'utf8');
  }

  it('produces patches that git applies to reproduce the edit, for random edits', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const words = ['alpha', 'beta', 'gamma', '\n', '\n', 'x', ' ', 'delta\n'];
    for (let round = 0; round < 60; round++) {
      const oldText = Array.from({ length: 30 + rand(200) }, () => words[rand(words.length)]).join('');
      const oldPart = words[rand(3)] as string;
      const newPart = ['', 'NEW', 'N1\nN2\n', '\n', 'Z'][rand(5)] as string;
      const positions = findOccurrences(oldText, oldPart);
      const newText = oldText.split(oldPart).join(newPart);
      const diff = unifiedDiff(
        'f.txt',
        oldText,
        newText,
        positions.map((at) => ({ at, oldLength: oldPart.length, newLength: newPart.length })),
      );
      if (oldText === newText) {
        expect(diff).toBe('');
        continue;
      }
      expect(applyWithGit(oldText, diff), `round ${round}`).toBe(newText);
    }
  });

  it('marks a missing final newline', () => {
    const diff = unifiedDiff('f', 'a\nb', 'a\nc', [{ at: 2, oldLength: 1, newLength: 1 }]);
    expect(diff).toBe(
      '--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n',
    );
  });
});

afterAll(() => {
  removeScratch();
});

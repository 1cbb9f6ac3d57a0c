/**
 * The rules of path-scoped ordering (path-order.ts) and the paths a lookup
 * passes through (request-footprint.ts), without a host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conflicts, type Footprint, pathsOverlap, type Scheduled } from '../src/path-order';
import { lookupPaths } from '../src/request-footprint';
import { removeScratch, tempDir } from './helpers/host-process';

afterAll(() => removeScratch());

const onPaths = (paths: string[], trash: 'none' | 'read' | 'add' = 'none'): Footprint => ({
  kind: 'paths',
  paths,
  trash,
});
const read = (footprint: Footprint): Scheduled => ({ footprint, changes: false, redirects: false });
const change = (footprint: Footprint): Scheduled => ({ footprint, changes: true, redirects: false });

describe('which requests conflict', () => {
  it('overlap is the same path or one inside the other, on a separator boundary', () => {
    expect(pathsOverlap(['/r/big'], ['/r/big'])).toBe(true);
    expect(pathsOverlap(['/r/big'], ['/r/big/d0/x'])).toBe(true);
    expect(pathsOverlap(['/r/big/d0/x'], ['/r'])).toBe(true);
    expect(pathsOverlap(['/r/big'], ['/r/big-sibling/x'])).toBe(false);
    expect(pathsOverlap(['/r/big'], ['/r/other'])).toBe(false);
    expect(pathsOverlap([], ['/r'])).toBe(false);
  });

  it('reads never conflict with reads, even on the same path', () => {
    expect(conflicts(read(onPaths(['/r/a'])), read(onPaths(['/r/a'])))).toBe(false);
    expect(conflicts(read({ kind: 'everything' }), read(onPaths(['/r/a'])))).toBe(false);
  });

  it('a change conflicts with what touches its paths, and only that', () => {
    expect(conflicts(change(onPaths(['/r/big'])), read(onPaths(['/r/big/x'])))).toBe(true);
    expect(conflicts(read(onPaths(['/r'])), change(onPaths(['/r/big'])))).toBe(true);
    expect(conflicts(change(onPaths(['/r/big'])), change(onPaths(['/r/other'])))).toBe(false);
    expect(conflicts(change(onPaths(['/r/big'])), read(onPaths(['/r/other'])))).toBe(false);
  });

  it('a change of everything (the allowed folders, an op we do not know) conflicts with all', () => {
    expect(conflicts(change({ kind: 'everything' }), read(onPaths([])))).toBe(true);
    expect(conflicts(read(onPaths(['/r/a'])), change({ kind: 'everything' }))).toBe(true);
  });

  it("adding to Tandem's trash conflicts with listing it, not with another addition", () => {
    expect(conflicts(change(onPaths(['/r/a'], 'add')), read(onPaths([], 'read')))).toBe(true);
    expect(conflicts(change(onPaths(['/r/a'], 'add')), change(onPaths(['/r/b'], 'add')))).toBe(false);
  });
});

describe('the paths a lookup passes through', () => {
  it('names the lexical path, every symlink on the way and where it ends', async () => {
    const root = tempDir('lookup');
    fs.mkdirSync(path.join(root, 'real', 'inner'), { recursive: true });
    fs.symlinkSync('real', path.join(root, 'link'));
    fs.symlinkSync(path.join(root, 'link', 'inner'), path.join(root, 'absolute-link'));
    const paths = await lookupPaths(path.join(root, 'absolute-link', 'file.txt'));
    expect(paths).toEqual([
      path.join(root, 'absolute-link', 'file.txt'),
      path.join(root, 'absolute-link'),
      path.join(root, 'link'),
      path.join(root, 'real', 'inner', 'file.txt'),
    ]);
  });

  it('stops at a symlink loop without throwing', async () => {
    const root = tempDir('loop');
    fs.symlinkSync('b', path.join(root, 'a'));
    fs.symlinkSync('a', path.join(root, 'b'));
    const paths = await lookupPaths(path.join(root, 'a', 'x'));
    expect(paths).toContain(path.join(root, 'a'));
    expect(paths).toContain(path.join(root, 'b'));
  });
});

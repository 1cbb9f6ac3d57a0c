/** The pure half of confinement and the component-wise resolver. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AccessPolicy, checkPathSyntax, decideAccess, displayPath, isInside, toAbsolute } from '../src/confine';
import { HostError, toHostError } from '../src/errors';
import { walkRealPath } from '../src/fs/real-path';
import { removeScratch, tempDir } from './helpers/host-process';

const policy: AccessPolicy = {
  roots: [
    { name: 'proj', path: '/home/me/proj', mode: 'read-write' },
    { name: 'docs', path: '/home/me/docs', mode: 'read' },
    { name: 'inner', path: '/home/me/docs/drafts', mode: 'read-write' },
  ],
  denied: ['/home/me/proj/.config/tandem'],
};

describe('isInside', () => {
  it('compares on a separator boundary (CVE-2025-53110)', () => {
    expect(isInside('/allowed', '/allowed')).toBe(true);
    expect(isInside('/allowed', '/allowed/x')).toBe(true);
    expect(isInside('/allowed', '/allowed_evil')).toBe(false);
    expect(isInside('/allowed', '/allowed_evil/x')).toBe(false);
    expect(isInside('/allowed', '/allowedx')).toBe(false);
    expect(isInside('/', '/anything')).toBe(true);
  });
});

describe('toAbsolute', () => {
  const ok = (p: string) => {
    const r = toAbsolute(policy, p);
    return r.ok ? r.value : `${r.code}`;
  };
  it('reads absolute and root-relative paths', () => {
    expect(ok('/home/me/proj/src/a.ts')).toBe('/home/me/proj/src/a.ts');
    expect(ok('proj/src/a.ts')).toBe('/home/me/proj/src/a.ts');
    expect(ok('proj')).toBe('/home/me/proj');
    expect(ok('proj/src/')).toBe('/home/me/proj/src');
    expect(ok('proj/./src//a.ts')).toBe('/home/me/proj/src/a.ts');
    expect(ok('proj/src/../b.ts')).toBe('/home/me/proj/b.ts');
  });
  it('refuses escapes before touching the disk', () => {
    for (const p of [
      'proj/..',
      'proj/../docs/x',
      '/home/me/proj/../secret',
      '/home/me/proj_evil',
      '/etc/passwd',
      'nope/x',
      '../x',
      '/',
    ]) {
      expect(ok(p), p).toBe('not_allowed');
    }
  });
  it('refuses NUL bytes, over-long paths and names', () => {
    expect(ok('proj/a\0b')).toBe('bad_request');
    expect(ok(`proj/${'a/'.repeat(2100)}`)).toBe('bad_request');
    expect(ok(`proj/${'x'.repeat(256)}`)).toBe('bad_request');
    expect(checkPathSyntax('')).not.toBeNull();
  });
  it('does not normalise Unicode: NFC and NFD names are different paths', () => {
    const nfd: AccessPolicy = { roots: [{ name: 'c', path: '/x/cafe\u0301', mode: 'read' }], denied: [] };
    expect(toAbsolute(nfd, '/x/caf\u00e9/secret').ok).toBe(false);
    expect(toAbsolute(nfd, '/x/cafe\u0301/own').ok).toBe(true);
  });
});

describe('decideAccess', () => {
  it('lets the innermost root decide the mode', () => {
    expect(decideAccess(policy, '/home/me/docs/a.md', 'write')).toMatchObject({ ok: false, code: 'read_only' });
    expect(decideAccess(policy, '/home/me/docs/drafts/a.md', 'write')).toMatchObject({ ok: true });
    expect(decideAccess(policy, '/home/me/docs/a.md', 'read')).toMatchObject({ ok: true });
  });
  it("refuses the host's own files and unclean paths", () => {
    expect(decideAccess(policy, '/home/me/proj/.config/tandem/host-config.json', 'read')).toMatchObject({
      ok: false,
      code: 'not_allowed',
    });
    expect(decideAccess(policy, '/home/me/proj/a/../b', 'read').ok).toBe(false);
    expect(decideAccess(policy, 'home/me/proj', 'read').ok).toBe(false);
  });
  it('names paths the way the extension does', () => {
    const root = policy.roots[0];
    if (!root) throw new Error('no root');
    expect(displayPath(root, '/home/me/proj/src/a.ts')).toBe('proj/src/a.ts');
    expect(displayPath(root, '/home/me/proj')).toBe('proj');
  });
});

describe('walkRealPath', () => {
  it('resolves symlinks component by component and reports the first missing name', async () => {
    const base = tempDir('walk');
    fs.mkdirSync(path.join(base, 'real/sub'), { recursive: true });
    fs.symlinkSync('real', path.join(base, 'rel-link'));
    fs.symlinkSync(path.join(base, 'real/sub'), path.join(base, 'abs-link'));
    fs.symlinkSync('../real/../real/sub', path.join(base, 'real/up-link'));
    fs.symlinkSync('loop-b', path.join(base, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(base, 'loop-b'));
    fs.writeFileSync(path.join(base, 'file'), '');
    expect(await walkRealPath(path.join(base, 'rel-link/sub'))).toEqual({
      kind: 'found',
      real: path.join(base, 'real/sub'),
    });
    expect(await walkRealPath(path.join(base, 'abs-link'))).toEqual({
      kind: 'found',
      real: path.join(base, 'real/sub'),
    });
    expect(await walkRealPath(path.join(base, 'real/up-link'))).toEqual({
      kind: 'found',
      real: path.join(base, 'real/sub'),
    });
    expect(await walkRealPath(path.join(base, 'rel-link/new/deeper'))).toEqual({
      kind: 'missing',
      parentReal: path.join(base, 'real'),
      missing: 'new',
      rest: ['deeper'],
    });
    await expect(walkRealPath(path.join(base, 'loop-a'))).rejects.toBeInstanceOf(HostError);
    // The failure says where the walk stood, so the caller can refuse to describe anything outside.
    await expect(walkRealPath(path.join(base, 'file/x'))).rejects.toMatchObject({
      failure: { code: 'wrong_type' },
      parentReal: base,
    });
  });
});

describe('error mapping', () => {
  it('maps system errors to protocol codes and anything else to internal', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(toHostError(errno('ENOENT')).code).toBe('not_found');
    expect(toHostError(errno('EEXIST')).code).toBe('exists');
    expect(toHostError(errno('EACCES')).code).toBe('io');
    expect(toHostError(errno('ELOOP')).code).toBe('not_allowed');
    expect(toHostError(new TypeError('bug')).code).toBe('internal');
    expect(toHostError('weird').code).toBe('internal');
  });
});

afterAll(() => {
  removeScratch();
});

/**
 * Path confinement against the real host: a corpus of escape attempts, each
 * thrown at every op, then a check-then-use race run hundreds of times. Success
 * means zero escapes: no answer carries outside content or an outside path, and
 * the outside tree is byte-for-byte what it was, with nothing added.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, buildHost, HostProcess, removeScratch, tempDir } from './helpers/host-process';

const SECRET = `SECRET-${Math.random().toString(36).slice(2)}`;
const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

let sandbox: string;
let allowed: string;
let nfdRoot: string;
let host: HostProcess;
let home: string;

/** Everything under `dir`: type, content hash, link target. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) out.set(p, `link:${fs.readlinkSync(p)}`);
    else if (st.isDirectory()) {
      out.set(p, `dir:${st.mode & 0o7777}`);
      for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    } else out.set(p, `file:${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}:${st.mode & 0o7777}`);
  };
  walk(dir);
  return out;
}

/** The world outside the allowed folders that the host must never touch. */
function outsideSnapshot(): Map<string, string> {
  const all = new Map<string, string>();
  for (const name of fs.readdirSync(sandbox)) {
    const p = path.join(sandbox, name);
    if (p === allowed || p === nfdRoot) continue;
    for (const [k, v] of snapshot(p)) all.set(k, v);
  }
  for (const file of ['/etc/passwd', '/etc/hostname']) {
    if (fs.existsSync(file)) all.set(file, createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  }
  return all;
}

function resetAllowed(): void {
  fs.rmSync(allowed, { recursive: true, force: true });
  fs.mkdirSync(path.join(allowed, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(allowed, 'inside.txt'), 'inside\n');
  fs.writeFileSync(path.join(allowed, 'sub', 'file.txt'), 'sub file\n');
  fs.symlinkSync(path.join(sandbox, 'outside', 'secret.txt'), path.join(allowed, 'link-out-file'));
  fs.symlinkSync('../outside', path.join(allowed, 'link-out-dir'));
  fs.symlinkSync('../outside', path.join(allowed, 'parentlink'));
  fs.symlinkSync('inside.txt', path.join(allowed, 'link-in'));
  fs.symlinkSync('loop2', path.join(allowed, 'loop1'));
  fs.symlinkSync('loop1', path.join(allowed, 'loop2'));
  fs.symlinkSync('../outside/created-through-dangling.txt', path.join(allowed, 'dangle-out'));
  fs.symlinkSync(`../${NFC}`, path.join(allowed, 'to-nfc'));
}

beforeAll(async () => {
  sandbox = tempDir('escape');
  allowed = path.join(sandbox, 'allowed');
  nfdRoot = path.join(sandbox, NFD);
  for (const dir of ['outside/dir', 'allowed_evil', NFC, NFD])
    fs.mkdirSync(path.join(sandbox, dir), { recursive: true });
  for (const file of ['outside/secret.txt', 'outside/dir/secret.txt', 'allowed_evil/secret.txt', `${NFC}/secret.txt`]) {
    fs.writeFileSync(path.join(sandbox, file), `${SECRET} ${file}\n`);
  }
  fs.writeFileSync(path.join(nfdRoot, 'own.txt'), 'nfd root file\n');
  resetAllowed();
  home = tempDir('escape-home');
  host = new HostProcess(buildHost(), home);
  await host.ok('roots.add', { path: allowed, mode: 'read-write', name: 'allowed' });
  await host.ok('roots.add', { path: nfdRoot, mode: 'read-write', name: 'nfd' });
});

afterAll(async () => {
  await host.close();
  removeScratch();
});

const corpus = (): string[] => {
  const out = path.join(sandbox, 'outside');
  return [
    // `..` in every position
    '..',
    'allowed/..',
    'allowed/../outside/secret.txt',
    'allowed/sub/../../outside/secret.txt',
    'allowed/sub/../..',
    '../outside/secret.txt',
    'allowed/./../outside',
    'allowed//..//outside//secret.txt',
    `allowed/${'../'.repeat(20)}etc/passwd`,
    `${allowed}/../outside/secret.txt`,
    `${allowed}/sub/../../outside/dir`,
    `${allowed}/..`,
    // absolute paths outside
    '/etc/passwd',
    `${out}/secret.txt`,
    `${out}/dir`,
    '/',
    `/proc/self/root${out}/secret.txt`,
    `/proc/self/cwd/secret.txt`,
    // prefix collision (CVE-2025-53110)
    `${sandbox}/allowed_evil/secret.txt`,
    `${sandbox}/allowed_evil`,
    'allowed_evil/secret.txt',
    // symlinks leading out (CVE-2025-53109): file, dir, parent, loop, dangling
    'allowed/link-out-file',
    'allowed/link-out-dir',
    'allowed/link-out-dir/secret.txt',
    'allowed/link-out-dir/dir/secret.txt',
    'allowed/link-out-dir/new-file.txt',
    'allowed/parentlink/secret.txt',
    'allowed/parentlink/new.txt',
    'allowed/loop1',
    'allowed/loop1/x',
    'allowed/dangle-out',
    'allowed/to-nfc/secret.txt',
    // NUL bytes
    'allowed/inside.txt\0.png',
    `${out}/secret.txt\0`,
    '\0',
    // trailing separators and dots
    'allowed/link-out-dir/',
    'allowed/link-out-dir/.',
    'allowed/link-out-file/.',
    'allowed/../outside/',
    `${out}/.`,
    `${out}/secret.txt.`,
    'allowed/...',
    'allowed/sub/./../../outside/./secret.txt/',
    // Unicode look-alikes: NFC outside vs the NFD root, and slash look-alikes
    `${sandbox}/${NFC}/secret.txt`,
    `${sandbox}/${NFC}`,
    `nfd/../${NFC}/secret.txt`,
    `${NFC}/secret.txt`,
    'allowed/..\uff0foutside\uff0fsecret.txt',
    'allowed/..\u2215outside\u2215secret.txt',
    'allowed\\..\\outside\\secret.txt',
    // very long paths
    `allowed/${'a/'.repeat(2100)}${'../'.repeat(2101)}outside/secret.txt`,
    `allowed/${'sub/../'.repeat(580)}../outside/secret.txt`,
    `allowed/${'x'.repeat(300)}`,
    `${out}/${'y'.repeat(5000)}`,
    // other spellings of "somewhere else"
    '~/secret.txt',
    'file:///etc/passwd',
    '',
  ];
};

interface Escape {
  request: string;
  detail: string;
}

/** Absolute paths a message names (up to a quote, space or separator-like punctuation). */
function namedPaths(message: string): string[] {
  return [...message.matchAll(/(?:^|[\s"'(])(\/[^\s"'`,;()]*)/g)].map((m) => m[1] as string);
}

const isInsideAllowed = (p: string) =>
  p === allowed || p.startsWith(`${allowed}/`) || p === nfdRoot || p.startsWith(`${nfdRoot}/`);

/**
 * An error may name what the request named and what is inside the allowed
 * folders; never where a symlink leads outside, and never outside content.
 */
function checkError(op: string, requested: string, answer: Answer, leaks: Escape[]) {
  if (answer.ok) return;
  const { message } = answer.error;
  const where = `${op} ${JSON.stringify(requested)}`;
  if (message.includes(SECRET)) leaks.push({ request: where, detail: 'secret content in an error' });
  const normalizedRequest = path.posix.normalize(requested);
  for (const named of namedPaths(message)) {
    // Requests built from the corpus path add these names below it.
    const trimmed = named.replace(/[.:]+$/, '').replace(/\/(pwned\.txt|newdir)$/, '');
    if (isInsideAllowed(trimmed) || requested.includes(trimmed) || normalizedRequest.includes(trimmed)) continue;
    leaks.push({ request: where, detail: `error names ${trimmed}: ${message.slice(0, 160)}` });
  }
}

/** Every path an ok answer names, and every text it carries, must stay inside. */
function checkAnswer(op: string, requested: string, answer: { ok: boolean; result?: unknown }, escapes: Escape[]) {
  if (!answer.ok) return;
  const text = JSON.stringify(answer.result);
  if (text.includes(SECRET)) escapes.push({ request: `${op} ${JSON.stringify(requested)}`, detail: 'secret content' });
  const paths = text.match(/"(?:path|from|to|originalPath)":"([^"]*)"/g) ?? [];
  for (const p of paths) {
    const value = JSON.parse(`{${p}}`) as Record<string, string>;
    const named = Object.values(value)[0] ?? '';
    if (
      !(named.startsWith(`${allowed}/`) || named === allowed || named.startsWith(`${nfdRoot}/`) || named === nfdRoot)
    ) {
      escapes.push({ request: `${op} ${JSON.stringify(requested)}`, detail: `answer names ${named}` });
    }
  }
}

async function throwAtEveryOp(p: string, escapes: Escape[], leaks: Escape[] = []): Promise<number> {
  let refused = 0;
  const tries: [string, Promise<Answer>][] = [
    ['read_file', host.call('read_file', { path: p })],
    ['read_file lines', host.call('read_file', { path: p, startLine: 1 })],
    ['list_dir', host.call('list_dir', { path: p })],
    ['stat', host.call('stat', { path: p })],
    ['search', host.call('search', { path: p, contentQuery: 'SECRET', includeHidden: true })],
    ['write_file', host.call('write_file', { path: p, content: 'PWNED', overwrite: true })],
    ['write_file new', host.call('write_file', { path: `${p}/pwned.txt`, content: 'PWNED', createParents: true })],
    ['edit_file', host.call('edit_file', { path: p, oldText: 'SECRET', newText: 'PWNED' })],
    ['make_dir', host.call('make_dir', { path: `${p}/newdir`, recursive: true })],
    ['move out', host.call('move', { from: 'allowed/inside.txt', to: p, overwrite: true })],
    ['move in', host.call('move', { from: p, to: 'allowed/stolen', overwrite: true })],
    ['trash', host.call('trash', { paths: [p] })],
  ];
  const begin = await host.call('write.begin', { path: p, overwrite: true });
  if (begin.ok) {
    const { transferId } = begin.result as { transferId: string };
    await host.call('write.chunk', { transferId, offset: 0, data: Buffer.from('PWNED').toString('base64') });
    tries.push(['write.commit', host.call('write.commit', { transferId })]);
  }
  if (!begin.ok) checkError('write.begin', p, begin, leaks);
  for (const [op, pending] of tries) {
    const answer = await pending;
    if (!answer.ok) refused++;
    checkAnswer(op, p, answer, escapes);
    checkError(op, p, answer, leaks);
  }
  return refused;
}

describe('path confinement', () => {
  it('lets no path in the corpus out, whatever the op', async () => {
    const before = outsideSnapshot();
    const escapes: Escape[] = [];
    let refused = 0;
    for (const p of corpus()) {
      resetAllowed();
      refused += await throwAtEveryOp(p, escapes);
    }
    expect(escapes).toEqual([]);
    expect(refused).toBeGreaterThan(corpus().length * 8);
    expect(outsideSnapshot()).toEqual(before);
    // Whatever reached the trash came from inside an allowed folder.
    const trash = await host.ok('trash.list', { limit: 500 });
    for (const entry of trash.entries) {
      expect(entry.originalPath.startsWith(`${allowed}/`) || entry.originalPath.startsWith(`${nfdRoot}/`)).toBe(true);
    }
  });

  it('names in its errors only what the request named, and never tells whether an outside path exists', async () => {
    const leaks: Escape[] = [];
    for (const p of corpus()) {
      resetAllowed();
      await throwAtEveryOp(p, [], leaks);
    }
    expect(leaks).toEqual([]);
    // Through a symlink out, an existing and a missing outside file must look the same.
    const differences: string[] = [];
    for (const [present, missing] of [
      ['allowed/link-out-dir/secret.txt', 'allowed/link-out-dir/no-such.txt'],
      ['allowed/link-out-dir/dir', 'allowed/link-out-dir/no-such-dir'],
      ['allowed/link-out-dir/secret.txt/x', 'allowed/link-out-dir/no-such.txt/x'],
    ] as const) {
      resetAllowed();
      const answersFor = async (p: string) => {
        const out: string[] = [];
        const tries: [string, () => Promise<Answer>][] = [
          ['read_file', () => host.call('read_file', { path: p })],
          ['list_dir', () => host.call('list_dir', { path: p })],
          ['stat', () => host.call('stat', { path: p })],
          ['search', () => host.call('search', { path: p, contentQuery: 'x' })],
          ['write_file', () => host.call('write_file', { path: p, content: 'x', overwrite: true })],
          ['edit_file', () => host.call('edit_file', { path: p, oldText: 'a', newText: 'b' })],
          ['make_dir', () => host.call('make_dir', { path: p, recursive: true })],
          ['trash', () => host.call('trash', { paths: [p] })],
          ['move', () => host.call('move', { from: p, to: 'allowed/moved' })],
          ['write.begin', () => host.call('write.begin', { path: p })],
        ];
        for (const [op, attempt] of tries) {
          const answer = await attempt();
          out.push(
            `${op}: ${answer.ok ? 'ok' : `${answer.error.code} ${answer.error.message.split(p).join('<path>')}`}`,
          );
        }
        return out;
      };
      const left = await answersFor(present);
      const right = await answersFor(missing);
      left.forEach((line, i) => {
        if (line !== right[i]) differences.push(`${line}  <>  ${right[i]}`);
      });
    }
    expect(differences).toEqual([]);
  });

  it('still serves the legitimate look-alikes: the NFD root, symlinks inside, odd names', async () => {
    resetAllowed();
    expect((await host.ok('read_file', { path: `${nfdRoot}/own.txt` })).content).toBe('nfd root file\n');
    expect((await host.ok('read_file', { path: 'allowed/link-in' })).content).toBe('inside\n');
    await host.ok('write_file', { path: 'allowed/...', content: 'dots' });
    await host.ok('write_file', { path: 'allowed/..\uff0fx', content: 'fullwidth slash is just a character' });
    expect(fs.readFileSync(path.join(allowed, '...'), 'utf8')).toBe('dots');
  });

  it('disables an allowed folder that was itself replaced by a symlink to outside', async () => {
    const victim = path.join(sandbox, 'victim');
    fs.mkdirSync(victim);
    await host.ok('roots.add', { path: victim, mode: 'read-write', name: 'victim' });
    fs.renameSync(victim, `${victim}-real`);
    fs.symlinkSync(path.join(sandbox, 'outside'), victim);
    try {
      for (const p of ['victim/secret.txt', `${victim}/secret.txt`]) {
        const answer = await host.call('read_file', { path: p });
        expect(answer.ok ? 'ok' : answer.error.code).toBe('not_allowed');
      }
      const write = await host.call('write_file', { path: 'victim/new.txt', content: 'PWNED' });
      expect(write.ok).toBe(false);
      const hello = await host.ok('hello', {});
      expect(hello.unavailableRoots.map((r) => r.name)).toEqual(['victim']);
      // Where the swapped folder now points is not the agent's business.
      expect(JSON.stringify(hello.unavailableRoots)).not.toContain(path.join(sandbox, 'outside'));
    } finally {
      fs.unlinkSync(victim);
      fs.renameSync(`${victim}-real`, victim);
      await host.ok('roots.remove', { name: 'victim' });
    }
    expect(fs.readdirSync(path.join(sandbox, 'outside')).sort()).toEqual(['dir', 'secret.txt']);
  });

  it("keeps the host's own files out of reach even inside an allowed folder", async () => {
    const parent = path.dirname(home);
    const h = new HostProcess(buildHost(), home);
    const added = await h.call('roots.add', { path: parent, mode: 'read-write', name: 'tmp-parent' });
    expect(added.ok).toBe(true);
    for (const op of [
      h.call('read_file', { path: path.join(home, 'host-config.json') }),
      h.call('list_dir', { path: home }),
      h.call('write_file', { path: path.join(home, 'host-config.json'), content: '{}', overwrite: true }),
      h.call('trash', { paths: [home] }),
      h.call('move', { from: home, to: path.join(parent, 'moved-home') }),
    ]) {
      const answer = await op;
      expect(answer.ok ? 'ok' : answer.error.code).toBe('not_allowed');
    }
    const search = await h.ok('search', {
      path: 'tmp-parent',
      nameGlob: 'host-config.json',
      includeHidden: true,
      maxResults: 5,
    });
    expect(search.results.filter((r) => r.path.startsWith(home))).toEqual([]);
    await h.ok('roots.remove', { name: 'tmp-parent' });
    await h.close();
  });
});

describe('check-then-use race', () => {
  it('a folder swapped for a symlink to outside, 500 times mid-operation, leaks and changes nothing', async () => {
    resetAllowed();
    const race = path.join(allowed, 'race');
    const d = path.join(race, 'd');
    const outsideD = path.join(sandbox, 'outside', 'dir');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'f.txt'), 'inside f\n');
    fs.writeFileSync(path.join(outsideD, 'f.txt'), `${SECRET} race\n`);
    const before = outsideSnapshot();

    // The attacker: a separate process swapping d <-> symlink as fast as it can.
    const racer = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         const [d, real, target] = process.argv.slice(1);
         const stop = Date.now() + 60000;
         while (Date.now() < stop) {
           try { fs.renameSync(d, real); fs.symlinkSync(target, d); fs.unlinkSync(d); fs.renameSync(real, d); } catch {}
         }`,
        d,
        `${d}-real`,
        outsideD,
      ],
      { stdio: 'ignore' },
    );
    const escapes: Escape[] = [];
    const outcomes = new Map<string, number>();
    try {
      for (let i = 0; i < 500; i++) {
        const ops: [string, Promise<{ ok: boolean; result?: unknown; error?: { code: string } }>][] = [
          ['read_file', host.call('read_file', { path: 'allowed/race/d/f.txt' })],
          ['list_dir', host.call('list_dir', { path: 'allowed/race/d' })],
          ['stat', host.call('stat', { path: 'allowed/race/d/f.txt' })],
          ['search', host.call('search', { path: 'allowed/race', contentQuery: 'SECRET' })],
          ['write_file', host.call('write_file', { path: `allowed/race/d/new-${i}.txt`, content: 'PWNED' })],
          ['overwrite', host.call('write_file', { path: 'allowed/race/d/f.txt', content: 'PWNED', overwrite: true })],
          ['edit_file', host.call('edit_file', { path: 'allowed/race/d/f.txt', oldText: 'SECRET', newText: 'PWNED' })],
          ['make_dir', host.call('make_dir', { path: `allowed/race/d/sub-${i}` })],
          ['trash', host.call('trash', { paths: [`allowed/race/d/sub-${i}`] })],
          ['move', host.call('move', { from: 'allowed/race/d/f.txt', to: 'allowed/race/moved.txt' })],
        ];
        for (const [op, pending] of ops) {
          const answer = await pending;
          checkAnswer(op, 'allowed/race/d', answer, escapes);
          const key = answer.ok ? 'ok' : (answer.error?.code ?? '?');
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
        // Put the file back for the next round if the move went through.
        if (fs.existsSync(path.join(race, 'moved.txt'))) {
          await host.call('move', { from: 'allowed/race/moved.txt', to: 'allowed/race/d/f.txt' });
        }
      }
    } finally {
      racer.kill('SIGKILL');
      await new Promise((resolve) => racer.on('exit', resolve));
    }
    expect(escapes).toEqual([]);
    expect(outsideSnapshot()).toEqual(before);
    // The racer really interfered: some operations met the symlink and were refused.
    expect(outcomes.get('not_allowed') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
  });
});

/**
 * Path-scoped ordering on the real host: while a big cross-device trash or
 * move, or a long search, runs, requests for unrelated paths are answered at
 * once, and a request that touches its tree (by name or through a symlink)
 * still waits for it and sees its result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Answer, buildHost, HostProcess, removeScratch, tempDir } from './helpers/host-process';

const hosts: HostProcess[] = [];
const homes: string[] = [];

afterAll(async () => {
  for (const host of hosts) host.kill();
  await Promise.all(hosts.map((h) => h.exited));
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
  removeScratch();
});

const shm = '/dev/shm';
const otherDevice = fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(tempDir('probe')).dev;

/** A host whose home (and trash) is on tmpfs while the allowed folder is on the disk: trashing copies. */
async function crossDeviceHost() {
  const home = fs.realpathSync(fs.mkdtempSync(path.join(shm, 'tandem-order-home-')));
  homes.push(home);
  const root = tempDir('root');
  const host = new HostProcess(buildHost(), home);
  hosts.push(host);
  await host.ok('roots.add', { path: root, mode: 'read-write', name: 'work' });
  return { host, home, root };
}

/** Thousands of files: copying them to the other file system takes seconds. */
function bigTree(dir: string): void {
  const block = Buffer.alloc(32 * 1024, 3);
  for (let d = 0; d < 30; d++) {
    fs.mkdirSync(path.join(dir, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `d${d}`, `f${f}.bin`), block);
  }
  fs.writeFileSync(path.join(dir, 'd0', 'inside.txt'), 'inside');
}

function staging(home: string): boolean {
  const trashDir = path.join(home, 'trash');
  return (
    fs.existsSync(trashDir) &&
    fs.readdirSync(trashDir).some((id) => {
      const entry = path.join(trashDir, id);
      return fs.statSync(entry).isDirectory() && fs.readdirSync(entry).some((n) => n.endsWith('.partial'));
    })
  );
}

const outcome = (answer: Answer | undefined) =>
  answer === undefined ? 'missing' : answer.ok ? 'ok' : answer.error.code;

/** The result of a successful answer (the test has already checked its outcome). */
function resultOf<T>(answer: Answer | undefined): T {
  if (!answer?.ok) throw new Error(`expected a successful answer, got ${JSON.stringify(answer)}`);
  return answer.result as T;
}

describe.skipIf(!otherDevice)('a long trash holds only the requests for its own paths', () => {
  it('answers reads and writes of other paths before the trash ends, and a read inside after it', async () => {
    const { host, home, root } = await crossDeviceHost();
    bigTree(path.join(root, 'big'));
    fs.mkdirSync(path.join(root, 'other'));
    fs.writeFileSync(path.join(root, 'other', 'note.txt'), 'unrelated');
    // A sibling whose name starts like the trashed folder: containment is on a separator boundary.
    fs.mkdirSync(path.join(root, 'big-sibling'));
    fs.writeFileSync(path.join(root, 'big-sibling', 'x.txt'), 'x');
    fs.symlinkSync('big', path.join(root, 'alias'));

    const order: string[] = [];
    const track = (label: string, pending: Promise<Answer>) =>
      pending.then((answer) => {
        order.push(label);
        return answer;
      });
    const trash = track('trash', host.call('trash', { paths: ['work/big'], transferId: 'big' }));
    await expect.poll(() => staging(home), { timeout: 30_000, interval: 5 }).toBe(true);

    const insideByName = track('inside', host.call('read_file', { path: 'work/big/d0/inside.txt' }));
    const insideByLink = track('via-link', host.call('stat', { path: 'work/alias/d0/inside.txt' }));
    const read = track('read', host.call('read_file', { path: 'work/other/note.txt' }));
    const list = track('list', host.call('list_dir', { path: `${root}/other` }));
    const stat = track('stat', host.call('stat', { path: 'work/big-sibling/x.txt' }));
    const write = track('write', host.call('write_file', { path: 'work/other/new.txt', content: 'written meanwhile' }));
    const readBack = track('read-back', host.call('read_file', { path: 'work/other/new.txt' }));
    // The extension's automatic backup goes to the host's own folder: never held up by the agent's file work.
    const backup = track('backup', host.call('backup.save', { content: '{"threads":[]}' }));
    // Its folder holds both the trash and the write (whose folder's mtime it lists): it waits.
    const listParent = track('list-parent', host.call('list_dir', { path: 'work' }));

    const unrelated = await Promise.all([read, list, stat, write, readBack, backup]);
    expect(unrelated.map(outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(order).not.toContain('trash');
    expect(resultOf<{ content: string }>(unrelated[0]).content).toBe('unrelated');
    expect(resultOf<{ content: string }>(unrelated[4]).content).toBe('written meanwhile');
    expect(fs.existsSync(path.join(root, 'big'))).toBe(true);

    const trashed = await trash;
    expect(outcome(trashed)).toBe('ok');
    expect(resultOf<{ entries: unknown[] }>(trashed).entries).toHaveLength(1);
    // Sent after the trash and about its tree: answered after it, and they see it gone.
    expect(outcome(await insideByName)).toBe('not_found');
    expect(outcome(await insideByLink)).toBe('not_found');
    const listed = await listParent;
    expect(outcome(listed)).toBe('ok');
    expect(resultOf<{ entries: { name: string }[] }>(listed).entries.map((e) => e.name)).not.toContain('big');
    const trashAt = order.indexOf('trash');
    for (const label of ['inside', 'via-link', 'list-parent']) expect(order.indexOf(label)).toBeGreaterThan(trashAt);
  });

  it('a change to an unrelated path does not overtake a read waiting behind the trash', async () => {
    const { host, home, root } = await crossDeviceHost();
    bigTree(path.join(root, 'big'));
    const trash = host.call('trash', { paths: ['work/big'] });
    await expect.poll(() => staging(home), { timeout: 30_000, interval: 5 }).toBe(true);
    // The read names both trees (search of the whole folder): it waits for the trash, and the
    // write sent after it must not change what it finds.
    const search = host.call('search', { path: 'work', nameGlob: 'late.txt' });
    const write = host.call('write_file', { path: 'work/late.txt', content: 'late' });
    expect(outcome(await trash)).toBe('ok');
    const found = await search;
    expect(outcome(found)).toBe('ok');
    expect(resultOf<{ results: unknown[] }>(found).results).toEqual([]);
    expect(outcome(await write)).toBe('ok');
    expect(fs.readFileSync(path.join(root, 'late.txt'), 'utf8')).toBe('late');
  });
});

describe.skipIf(!otherDevice)('a long move holds only the requests for its source and destination', () => {
  it('answers other paths during a cross-device move, and a read of the destination after it', async () => {
    const home = tempDir('home');
    const disk = tempDir('disk');
    const memory = fs.realpathSync(fs.mkdtempSync(path.join(shm, 'tandem-order-root-')));
    homes.push(memory);
    const host = new HostProcess(buildHost(), home);
    hosts.push(host);
    await host.ok('roots.add', { path: disk, mode: 'read-write', name: 'disk' });
    await host.ok('roots.add', { path: memory, mode: 'read-write', name: 'memory' });
    bigTree(path.join(disk, 'big'));
    fs.writeFileSync(path.join(memory, 'note.txt'), 'in memory');

    const order: string[] = [];
    const track = (label: string, pending: Promise<Answer>) =>
      pending.then((answer) => {
        order.push(label);
        return answer;
      });
    const move = track('move', host.call('move', { from: 'disk/big', to: 'memory/moved' }));
    // The copy is under way once its hidden staging folder shows up at the destination.
    await expect
      .poll(() => fs.readdirSync(memory).some((n) => n.startsWith('.')), { timeout: 30_000, interval: 5 })
      .toBe(true);
    // The write comes first: a change never overtakes a read waiting behind a move (the move
    // may bring symlinks that lead that read anywhere).
    const write = track('write', host.call('write_file', { path: 'disk/elsewhere.txt', content: 'meanwhile' }));
    const atDestination = track('destination', host.call('read_file', { path: 'memory/moved/d0/inside.txt' }));
    const atSource = track('source', host.call('stat', { path: 'disk/big' }));
    const other = track('other', host.call('read_file', { path: 'memory/note.txt' }));

    expect([await other, await write].map(outcome)).toEqual(['ok', 'ok']);
    expect(order).not.toContain('move');
    expect(outcome(await move)).toBe('ok');
    const read = await atDestination;
    expect(outcome(read)).toBe('ok');
    expect(resultOf<{ content: string }>(read).content).toBe('inside');
    expect(outcome(await atSource)).toBe('not_found');
    expect(order.indexOf('destination')).toBeGreaterThan(order.indexOf('move'));
  });
});

describe.skipIf(!otherDevice)('a change never overtakes a read a move may redirect', () => {
  it('a read through a symlink the move brings sees the file as it was when the read was sent', async () => {
    const home = tempDir('home');
    const disk = tempDir('disk');
    const memory = fs.realpathSync(fs.mkdtempSync(path.join(shm, 'tandem-order-root-')));
    homes.push(memory);
    const host = new HostProcess(buildHost(), home);
    hosts.push(host);
    await host.ok('roots.add', { path: disk, mode: 'read-write', name: 'disk' });
    await host.ok('roots.add', { path: memory, mode: 'read-write', name: 'memory' });
    bigTree(path.join(disk, 'big'));
    fs.mkdirSync(path.join(disk, 'target'));
    fs.writeFileSync(path.join(disk, 'target', 'file.txt'), 'before');
    // Moved along with the tree: after the move, memory/moved/link leads to disk/target.
    fs.symlinkSync(path.join(disk, 'target'), path.join(disk, 'big', 'link'));

    const move = host.call('move', { from: 'disk/big', to: 'memory/moved' });
    await expect
      .poll(() => fs.readdirSync(memory).some((n) => n.startsWith('.')), { timeout: 30_000, interval: 5 })
      .toBe(true);
    const read = host.call('read_file', { path: 'memory/moved/link/file.txt' });
    const overwrite = host.call('write_file', { path: 'disk/target/file.txt', content: 'after', overwrite: true });
    expect(outcome(await move)).toBe('ok');
    const answer = await read;
    expect(outcome(answer)).toBe('ok');
    expect(resultOf<{ content: string }>(answer).content).toBe('before');
    expect(outcome(await overwrite)).toBe('ok');
    expect(fs.readFileSync(path.join(disk, 'target', 'file.txt'), 'utf8')).toBe('after');
  });
});

describe('a long search holds only the changes inside its folder', () => {
  it('answers a write beside the searched folder at once, and one inside it after the search', async () => {
    // On tmpfs when there is one, so the tree is quick to make and the search is bound by the CPU.
    const base = otherDevice ? fs.realpathSync(fs.mkdtempSync(path.join(shm, 'tandem-order-search-'))) : tempDir('s');
    homes.push(base);
    const home = path.join(base, 'home');
    const root = path.join(base, 'root');
    fs.mkdirSync(home);
    fs.mkdirSync(path.join(root, 'haystack'), { recursive: true });
    // Short lines: the search looks at each one, so this takes seconds (it is cancelled once done with).
    const text = Buffer.from('h\n'.repeat(64 * 1024));
    for (let f = 0; f < 1000; f++) fs.writeFileSync(path.join(root, 'haystack', `f${f}.txt`), text);
    const host = new HostProcess(buildHost(), home);
    hosts.push(host);
    await host.ok('roots.add', { path: root, mode: 'read-write', name: 'work' });

    const order: string[] = [];
    const track = (label: string, pending: Promise<Answer>) =>
      pending.then((answer) => {
        order.push(label);
        return answer;
      });
    const search = track(
      'search',
      host.call('search', {
        path: 'work/haystack',
        contentQuery: 'needle',
        maxBytesScanned: 1024 * 1024 * 1024,
        transferId: 'long-search',
      }),
    );
    const beside = track('beside', host.call('write_file', { path: 'work/beside.txt', content: 'needle' }));
    // A change that waits holds back all after it, so this one is sent last.
    const inside = track('inside', host.call('write_file', { path: 'work/haystack/needle.txt', content: 'needle' }));
    expect(outcome(await beside)).toBe('ok');
    expect(order).toEqual(['beside']);
    await host.ok('cancel', { transferId: 'long-search' });
    const searched = await search;
    // Sent after the search and inside its folder: the search never sees it.
    if (searched.ok) expect(resultOf<{ results: unknown[] }>(searched).results).toEqual([]);
    else expect(searched.error.code).toBe('cancelled');
    expect(outcome(await inside)).toBe('ok');
    expect(order).toEqual(['beside', 'search', 'inside']);
  });
});

/**
 * Long operations never hold the host: a catastrophic glob is answered at
 * once, `hello` and `cancel` are answered while a search or a big
 * cross-device trash runs, and a search stops at its time budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Answer, buildHost, HostProcess, removeScratch, startHostWithRoot, tempDir } from './helpers/host-process';

const hosts: HostProcess[] = [];

afterAll(async () => {
  // A host stuck in a regex never reads stdin again: kill rather than close.
  for (const host of hosts) host.kill();
  await Promise.all(hosts.map((h) => h.exited));
  removeScratch();
});

function within<T>(ms: number, pending: Promise<T>): Promise<T | 'timeout'> {
  return Promise.race([pending, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);
}

const outcome = (answer: Answer | 'timeout') =>
  answer === 'timeout' ? 'timeout' : answer.ok ? 'ok' : answer.error.code;

async function start(env: Record<string, string> = {}) {
  const started = await startHostWithRoot(buildHost(), { env });
  hosts.push(started.host);
  return started;
}

describe('search never blocks the host', () => {
  it('answers a catastrophic glob, and hello and cancel around it, in time', async () => {
    const { host, root, name } = await start();
    fs.writeFileSync(path.join(root, 'a'.repeat(60)), 'x');
    const search = host.call('search', { path: name, nameGlob: '*a*a*a*a*a*a*a*a*a*b', transferId: 'redos' });
    const hello = host.call('hello', {});
    const cancel = host.call('cancel', { transferId: 'redos' });
    expect(outcome(await within(5000, hello))).toBe('ok');
    expect(outcome(await within(5000, cancel))).toBe('ok');
    expect(['ok', 'cancelled']).toContain(outcome(await within(10_000, search)));
    const matching = await within(10_000, host.call('search', { path: name, nameGlob: '*a*a*a*a*a*a*a*a*a*a' }));
    expect(matching !== 'timeout' && matching.ok && (matching.result as { results: unknown[] }).results).toHaveLength(
      1,
    );
  });

  it('stops a search at its time budget with what it found so far', async () => {
    const { host, root, name } = await start({ TANDEM_HOST_SEARCH_BUDGET_MS: '150' });
    for (let d = 0; d < 40; d++) {
      const dir = path.join(root, `d${d}`);
      fs.mkdirSync(dir);
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `f${f}.txt`), `line\nneedle ${d}/${f}\n`);
    }
    const started = Date.now();
    const result = await host.ok('search', { path: name, contentQuery: 'needle', maxResults: 1000 });
    expect(result).toMatchObject({ truncated: true, stoppedBecause: 'time_limit' });
    expect(result.results.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('a big cross-device trash does not hold hello', () => {
  const shm = '/dev/shm';
  const otherDevice = fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(tempDir('probe')).dev;

  it.skipIf(!otherDevice)('answers hello while the trash copies, then the trash', async () => {
    // The host's home (and trash) on tmpfs, the allowed folder on the disk: trashing copies.
    const home = fs.realpathSync(fs.mkdtempSync(path.join(shm, 'tandem-long-home-')));
    const root = tempDir('root');
    const host = new HostProcess(buildHost(), home);
    hosts.push(host);
    try {
      await host.ok('roots.add', { path: root, mode: 'read-write', name: 'work' });
      const big = path.join(root, 'big');
      fs.mkdirSync(big);
      const block = Buffer.alloc(8 * 1024 * 1024, 7);
      for (let i = 0; i < 16; i++) fs.writeFileSync(path.join(big, `part-${i}.bin`), block);
      const order: string[] = [];
      const trash = host.call('trash', { paths: ['work/big'] }).then((a) => {
        order.push('trash');
        return a;
      });
      const hello = host.call('hello', {}).then((a) => {
        order.push('hello');
        return a;
      });
      expect(outcome(await within(30_000, hello))).toBe('ok');
      expect(outcome(await within(60_000, trash))).toBe('ok');
      expect(order).toEqual(['hello', 'trash']);
      expect(fs.existsSync(big)).toBe(false);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it.skipIf(!otherDevice)(
    'a host killed mid-copy leaves the folder whole and its next start sweeps the copy',
    async () => {
      const home = fs.realpathSync(fs.mkdtempSync(path.join(shm, 'tandem-long-home-')));
      const root = tempDir('root');
      const doomed = new HostProcess(buildHost(), home);
      hosts.push(doomed);
      try {
        await doomed.ok('roots.add', { path: root, mode: 'read-write', name: 'work' });
        const big = path.join(root, 'big');
        fs.mkdirSync(big);
        const block = Buffer.alloc(8 * 1024 * 1024, 7);
        for (let i = 0; i < 24; i++) fs.writeFileSync(path.join(big, `part-${i}.bin`), block);
        void doomed.call('trash', { paths: ['work/big'] });
        const trashDir = path.join(home, 'trash');
        const staging = () =>
          fs.existsSync(trashDir) &&
          fs
            .readdirSync(trashDir)
            .some((id) => fs.readdirSync(path.join(trashDir, id)).some((n) => n.endsWith('.partial')));
        await expect.poll(staging, { timeout: 20_000, interval: 5 }).toBe(true);
        doomed.kill();
        await doomed.exited;
        expect(fs.readdirSync(big)).toHaveLength(24);
        const next = new HostProcess(buildHost(), home);
        hosts.push(next);
        await next.ok('hello', {});
        await expect.poll(() => fs.readdirSync(trashDir), { timeout: 10_000 }).toEqual([]);
        expect((await next.ok('trash.list', {})).totalEntries).toBe(0);
        expect(fs.readdirSync(big)).toHaveLength(24);
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!otherDevice)('cancels a big cross-device trash mid-copy, keeping the folder whole', async () => {
    const home = fs.realpathSync(fs.mkdtempSync(path.join(shm, 'tandem-long-home-')));
    const root = tempDir('root');
    const host = new HostProcess(buildHost(), home);
    hosts.push(host);
    try {
      await host.ok('roots.add', { path: root, mode: 'read-write', name: 'work' });
      const big = path.join(root, 'big');
      fs.mkdirSync(big);
      const block = Buffer.alloc(8 * 1024 * 1024, 7);
      for (let i = 0; i < 24; i++) fs.writeFileSync(path.join(big, `part-${i}.bin`), block);
      const trash = host.call('trash', { paths: ['work/big'], transferId: 'big-trash' });
      // Cancel once the copy is under way: a staging copy exists in the trash.
      const staging = () =>
        fs.existsSync(path.join(home, 'trash')) &&
        fs.readdirSync(path.join(home, 'trash')).some((id) => {
          const entry = path.join(home, 'trash', id);
          return fs.statSync(entry).isDirectory() && fs.readdirSync(entry).some((n) => n.endsWith('.partial'));
        });
      await expect.poll(staging, { timeout: 20_000, interval: 5 }).toBe(true);
      const cancelled = await host.ok('cancel', { transferId: 'big-trash' });
      expect(cancelled.cancelled).toBe(true);
      const answer = await within(60_000, trash);
      const result =
        answer !== 'timeout' && answer.ok
          ? (answer.result as { entries: unknown[]; failed: { error: { code: string } }[] })
          : null;
      expect(result?.entries).toEqual([]);
      expect(result?.failed.map((f) => f.error.code)).toEqual(['cancelled']);
      expect(fs.readdirSync(big)).toHaveLength(24);
      expect((await host.ok('trash.list', {})).totalEntries).toBe(0);
      expect(fs.readdirSync(path.join(home, 'trash'))).toEqual([]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

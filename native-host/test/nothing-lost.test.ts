/**
 * No agent write loses data: an overwrite keeps the previous content in the
 * trash, a killed host's temp files are swept at the next start, and a trash
 * whose answer would pass the 1 MiB frame limit still answers (summarised)
 * instead of turning finished work into `too_large`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHost, HostProcess, removeScratch, startHostWithRoot } from './helpers/host-process';

let host: HostProcess;
let home: string;
let root: string;
let name: string;

beforeAll(async () => {
  ({ host, home, root, name } = await startHostWithRoot(buildHost()));
});

afterAll(async () => {
  await host.close();
  removeScratch();
});

async function restoredContent(entryId: string, file: string): Promise<string> {
  await host.ok('trash.restore', { entryId, overwrite: true });
  return fs.readFileSync(path.join(root, file), 'utf8');
}

describe('overwriting keeps the previous content in the trash', () => {
  it('write_file with overwrite', async () => {
    fs.writeFileSync(path.join(root, 'w.txt'), 'first version');
    const written = await host.ok('write_file', { path: `${name}/w.txt`, content: 'second', overwrite: true });
    expect(fs.readFileSync(path.join(root, 'w.txt'), 'utf8')).toBe('second');
    expect(written.replaced).toMatchObject({ name: 'w.txt', type: 'file', size: 'first version'.length });
    expect(await restoredContent(written.replaced?.id ?? '', 'w.txt')).toBe('first version');
  });

  it('edit_file', async () => {
    fs.writeFileSync(path.join(root, 'e.txt'), 'hello world\n');
    const edited = await host.ok('edit_file', { path: `${name}/e.txt`, oldText: 'world', newText: 'there' });
    expect(fs.readFileSync(path.join(root, 'e.txt'), 'utf8')).toBe('hello there\n');
    expect(edited.replaced?.name).toBe('e.txt');
    expect(await restoredContent(edited.replaced?.id ?? '', 'e.txt')).toBe('hello world\n');
  });

  it('a chunked commit over an existing file', async () => {
    fs.writeFileSync(path.join(root, 'c.bin'), 'old bytes');
    const begin = await host.ok('write.begin', { path: `${name}/c.bin`, overwrite: true });
    await host.ok('write.chunk', {
      transferId: begin.transferId,
      offset: 0,
      data: Buffer.from('new').toString('base64'),
    });
    const committed = await host.ok('write.commit', { transferId: begin.transferId });
    expect(fs.readFileSync(path.join(root, 'c.bin'), 'utf8')).toBe('new');
    expect(committed.replaced?.name).toBe('c.bin');
    expect(await restoredContent(committed.replaced?.id ?? '', 'c.bin')).toBe('old bytes');
  });

  it('a new file has nothing to keep', async () => {
    const written = await host.ok('write_file', { path: `${name}/fresh.txt`, content: 'x' });
    expect(written.replaced ?? null).toBeNull();
  });
});

describe('a killed host', () => {
  it('leaves no temp file behind after the next start', async () => {
    const doomed = new HostProcess(buildHost(), home);
    const begin = await doomed.ok('write.begin', { path: `${name}/interrupted.bin` });
    await doomed.ok('write.chunk', { transferId: begin.transferId, offset: 0, data: 'aGVsbG8=' });
    const partials = () => fs.readdirSync(root).filter((n) => /^\.tandem-.*\.partial$/.test(n));
    expect(partials()).toHaveLength(1);
    doomed.kill();
    await doomed.exited;
    expect(partials()).toHaveLength(1);
    const next = new HostProcess(buildHost(), home);
    try {
      await next.ok('hello', {});
      await expect.poll(partials, { timeout: 5000 }).toEqual([]);
      // The running host's own transfer is not swept by the other host's start.
      const mine = await host.ok('write.begin', { path: `${name}/live.bin` });
      const third = new HostProcess(buildHost(), home);
      await third.ok('hello', {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(partials()).toHaveLength(1);
      await third.close();
      await host.ok('write.abort', { transferId: mine.transferId });
    } finally {
      await next.close();
    }
  });
});

describe('answers near the 1 MiB frame limit', () => {
  it('a trash of many long-named files answers ok, summarised, and every entry is in the trash', async () => {
    const deep = path.join(root, 'many', ...Array.from({ length: 7 }, (_, i) => `${'d'.repeat(240)}${i}`));
    fs.mkdirSync(deep, { recursive: true });
    const paths: string[] = [];
    for (let i = 0; i < 500; i++) {
      const file = `${String(i).padStart(4, '0')}${'f'.repeat(200)}`;
      fs.writeFileSync(path.join(deep, file), 'x');
      paths.push(path.join(deep, file));
    }
    const before = (await host.ok('trash.list', {})).totalEntries;
    const answer = await host.call('trash', { paths });
    expect(answer.ok ? 'ok' : answer.error.code).toBe('ok');
    const result = answer.ok
      ? (answer.result as { entries: unknown[]; failed: unknown[]; omittedEntries?: number })
      : null;
    expect((result?.entries.length ?? 0) + (result?.omittedEntries ?? 0)).toBe(500);
    expect(result?.failed).toEqual([]);
    expect((await host.ok('trash.list', {})).totalEntries).toBe(before + 500);
    expect(fs.readdirSync(deep)).toEqual([]);
  });
});

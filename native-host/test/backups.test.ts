/**
 * The extension's automatic backup on the computer's disk: `backup.save`, `backup.list`,
 * `backup.load` against the real built host. Saved atomically into the host's own data folder,
 * the newest few kept, loaded in chunks under the 1 MiB answer cap, and never reachable from the
 * file operations the model's tools use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_BACKUPS_KEPT, TRANSFER_CHUNK_BYTES } from '../../shared/protocol/native-host';
import { buildHost, type HostProcess, removeScratch, startHostWithRoot } from './helpers/host-process';

let host: HostProcess;
let home: string;
let root: string;

beforeAll(async () => {
  ({ host, home, root } = await startHostWithRoot(buildHost()));
});

afterAll(async () => {
  expect(await host.close()).toBe(0);
  removeScratch();
});

async function loadWhole(name: string): Promise<string> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const chunk = await host.ok('backup.load', { name, offset });
    expect(chunk.range.start).toBe(offset);
    parts.push(Buffer.from(chunk.content, 'base64'));
    offset = chunk.range.end;
    if (chunk.eof) return Buffer.concat(parts).toString('utf8');
  }
}

describe('backups in the host folder', () => {
  it('saves a backup atomically in its own folder and loads it back in chunks, byte for byte', async () => {
    // Larger than one answer can carry, with multi-byte text so chunk edges fall inside characters.
    const content = JSON.stringify({ format: 'tandem-backup', text: 'é✓'.repeat(600_000) });
    const saved = await host.ok('backup.save', { content });
    expect(saved.backup.size).toBe(Buffer.byteLength(content));
    expect(path.dirname(saved.folder)).toBe(home);
    const onDisk = fs.readdirSync(path.join(home, 'backups'));
    expect(onDisk).toEqual([saved.backup.name]); // no temp file left beside it
    const first = await host.ok('backup.load', { name: saved.backup.name });
    expect(first.eof).toBe(false);
    expect(first.range.end).toBeLessThanOrEqual(TRANSFER_CHUNK_BYTES);
    expect(await loadWhole(saved.backup.name)).toBe(content);
  });

  it('lists newest first and keeps only the newest few', async () => {
    const names: string[] = [];
    for (let i = 0; i < HOST_BACKUPS_KEPT + 2; i++) {
      names.push((await host.ok('backup.save', { content: `{"n":${i}}` })).backup.name);
    }
    const { backups } = await host.ok('backup.list', {});
    expect(backups.map((b) => b.name)).toEqual(names.slice(-HOST_BACKUPS_KEPT).reverse());
    expect(backups[0]?.savedAt).toBeGreaterThanOrEqual(backups[1]?.savedAt ?? Number.POSITIVE_INFINITY);
    expect(fs.readdirSync(path.join(home, 'backups')).sort()).toEqual([...names.slice(-HOST_BACKUPS_KEPT)].sort());
    expect(await loadWhole(backups[0]?.name ?? '')).toBe(`{"n":${HOST_BACKUPS_KEPT + 1}}`);
    // Owner-only: a backup holds every conversation.
    expect(fs.statSync(path.join(home, 'backups', backups[0]?.name ?? '')).mode & 0o077).toBe(0);
  });

  it("sweeps a killed host's leftover temp file, but not one another host may be writing now", async () => {
    const folder = path.join(home, 'backups');
    const stale = path.join(folder, '.backup-00000000000000aa.partial');
    const fresh = path.join(folder, '.backup-00000000000000bb.partial');
    fs.writeFileSync(stale, '{"half');
    fs.writeFileSync(fresh, '{"half');
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    await host.ok('backup.save', { content: '{"after":"a crash"}' });
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    fs.unlinkSync(fresh);
    // Temp files are never listed as backups.
    expect((await host.ok('backup.list', {})).backups.every((b) => /^backup-\d+\.json$/.test(b.name))).toBe(true);
  });

  it('refuses names that are not its own backups', async () => {
    expect(await host.fails('backup.load', { name: '../host-config.json' })).toBe('bad_request');
    expect(await host.fails('backup.load', { name: 'backup-1234567890123.json' })).toBe('not_found');
  });

  it('never lets the file operations reach the backup folder, even from inside an allowed folder', async () => {
    const { backups } = await host.ok('backup.list', {});
    const file = path.join(home, 'backups', backups[0]?.name ?? '');
    expect(await host.fails('list_dir', { path: path.join(home, 'backups') })).toBe('not_allowed');
    expect(await host.fails('read_file', { path: file })).toBe('not_allowed');
    expect(await host.fails('roots.add', { path: path.join(home, 'backups'), mode: 'read' })).toBe('not_allowed');
    // A symlink inside an allowed folder that points at it leads nowhere.
    fs.symlinkSync(path.join(home, 'backups'), path.join(root, 'sneaky'));
    expect(await host.fails('list_dir', { path: 'work/sneaky' })).toBe('not_allowed');
    expect(await host.fails('read_file', { path: `work/sneaky/${backups[0]?.name}` })).toBe('not_allowed');
    expect(await host.fails('write_file', { path: 'work/sneaky/x.json', content: '{}' })).toBe('not_allowed');
    // And a backup never lands in an allowed folder.
    expect(fs.readdirSync(root)).toEqual(['sneaky']);
  });
});

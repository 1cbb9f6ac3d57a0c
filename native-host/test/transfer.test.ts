/** Big transfers through the real host: 50 MB each way, byte-exact, and cancelling mid-way. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HOST_MESSAGE_BYTES, TRANSFER_CHUNK_BYTES } from '../../shared/protocol/native-host';
import { buildHost, type HostProcess, removeScratch, sha256, startHostWithRoot, tempDir } from './helpers/host-process';

const SIZE = 50 * 1024 * 1024;
let host: HostProcess;
let root: string;
let name: string;

beforeAll(async () => {
  ({ host, root, name } = await startHostWithRoot(buildHost()));
});

afterAll(async () => {
  await host.close();
  removeScratch();
});

describe('50 MB transfers', () => {
  it('writes 50 MB in pipelined chunks and the file matches byte for byte', async () => {
    const data = randomBytes(SIZE);
    const begin = await host.ok('write.begin', { path: `${name}/big.bin`, size: SIZE });
    expect(begin.chunkBytes).toBe(TRANSFER_CHUNK_BYTES);
    // All chunks are sent without waiting: the host must keep them in order.
    const pending = [];
    for (let offset = 0; offset < SIZE; offset += TRANSFER_CHUNK_BYTES) {
      const data64 = data.subarray(offset, offset + TRANSFER_CHUNK_BYTES).toString('base64');
      pending.push(host.call('write.chunk', { transferId: begin.transferId, offset, data: data64 }));
    }
    const answers = await Promise.all(pending);
    expect(answers.every((a) => a.ok)).toBe(true);
    const done = await host.ok('write.commit', { transferId: begin.transferId, sha256: sha256(data) });
    expect(done).toMatchObject({ size: SIZE, sha256: sha256(data) });
    expect(sha256(fs.readFileSync(path.join(root, 'big.bin')))).toBe(sha256(data));
  });

  it('reads 50 MB back in chunks, every answer under the 1 MiB cap, with the same sha256', async () => {
    const expected = sha256(fs.readFileSync(path.join(root, 'big.bin')));
    const parts: Buffer[] = [];
    let offset = 0;
    let largestAnswer = 0;
    const before = host.answers.length;
    for (;;) {
      const chunk = await host.ok('read_file', { path: `${name}/big.bin`, offset });
      expect(chunk.encoding).toBe('base64');
      expect(chunk.range.start).toBe(offset);
      parts.push(Buffer.from(chunk.content, 'base64'));
      offset = chunk.range.end;
      if (chunk.eof) break;
    }
    for (const answer of host.answers.slice(before)) {
      largestAnswer = Math.max(largestAnswer, Buffer.byteLength(JSON.stringify(answer)));
    }
    expect(largestAnswer).toBeLessThan(MAX_HOST_MESSAGE_BYTES);
    expect(parts).toHaveLength(SIZE / TRANSFER_CHUNK_BYTES);
    expect(sha256(Buffer.concat(parts))).toBe(expected);
  });
});

describe('cancelling', () => {
  it('cancels a half-written transfer: chunks already queued behind it and later ones are refused', async () => {
    const begin = await host.ok('write.begin', { path: `${name}/half.bin` });
    const chunk = randomBytes(TRANSFER_CHUNK_BYTES).toString('base64');
    await host.ok('write.chunk', { transferId: begin.transferId, offset: 0, data: chunk });
    const cancel = host.call('cancel', { transferId: begin.transferId });
    const late = host.call('write.chunk', { transferId: begin.transferId, offset: TRANSFER_CHUNK_BYTES, data: chunk });
    const cancelAnswer = await cancel;
    expect(cancelAnswer.ok).toBe(true);
    const lateAnswer = await late;
    expect(lateAnswer.ok ? 'ok' : lateAnswer.error.code).toBe('cancelled');
    expect((await host.call('write.commit', { transferId: begin.transferId })).ok).toBe(false);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('half') || n.endsWith('.partial'))).toEqual([]);
  });

  it('cancels a running search', async () => {
    for (let d = 0; d < 40; d++) {
      const dir = path.join(root, 'tree', `d${d}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `f${f}.txt`), 'nothing to see here\n'.repeat(20));
    }
    const searching = host.call('search', { path: `${name}/tree`, contentQuery: 'absent', transferId: 'search-1' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cancelled = await host.ok('cancel', { transferId: 'search-1' });
    const answer = await searching;
    expect(cancelled.cancelled).toBe(true);
    expect(answer.ok ? 'finished' : answer.error.code).toBe('cancelled');
    // The same search without cancelling runs to the end.
    const full = await host.ok('search', { path: `${name}/tree`, contentQuery: 'absent' });
    expect(full.filesScanned).toBe(4000);
  });

  it('cancels a search that has not started yet (the cancel came in the same read)', async () => {
    const tree = path.join(root, 'queued-tree');
    for (let f = 0; f < 50; f++) {
      fs.mkdirSync(tree, { recursive: true });
      fs.writeFileSync(path.join(tree, `f${f}.txt`), 'nothing to see here\n');
    }
    const [search, cancel] = host.callTogether([
      { op: 'search', fields: { path: `${name}/queued-tree`, contentQuery: 'absent', transferId: 'queued-1' } },
      { op: 'cancel', fields: { transferId: 'queued-1' } },
    ]);
    const cancelled = await cancel;
    const answer = await search;
    expect(cancelled.ok ? cancelled.result : cancelled.error).toEqual({ transferId: 'queued-1', cancelled: true });
    expect(answer.ok ? 'finished' : answer.error.code).toBe('cancelled');
    // The id is free again for a later search, which runs to the end.
    const again = await host.ok('search', {
      path: `${name}/queued-tree`,
      contentQuery: 'absent',
      transferId: 'queued-1',
    });
    expect(again.filesScanned).toBe(50);
  });

  it('a disconnect removes half-written temp files', async () => {
    const other = await startHostWithRoot(buildHost());
    const begin = await other.host.ok('write.begin', { path: `${other.name}/gone.bin` });
    await other.host.ok('write.chunk', { transferId: begin.transferId, offset: 0, data: 'aGVsbG8=' });
    expect(fs.readdirSync(other.root).some((n) => n.endsWith('.partial'))).toBe(true);
    expect(await other.host.close()).toBe(0);
    expect(fs.readdirSync(other.root)).toEqual([]);
  });
});

describe('revoking a folder mid-transfer', () => {
  const revocations = [
    ['removed', (folder: string) => host.ok('roots.remove', { name: folder }).then(() => 'not_allowed')],
    [
      'made read-only',
      (folder: string) => host.ok('roots.update', { name: folder, mode: 'read' }).then(() => 'read_only'),
    ],
  ] as const;
  for (const [how, revoke] of revocations) {
    it(`stops a transfer whose folder was ${how}: no chunk lands and nothing is created`, async () => {
      const folder = tempDir('revoked');
      const { root: added } = await host.ok('roots.add', { path: folder, mode: 'read-write' });
      const begin = await host.ok('write.begin', { path: `${added.name}/after-revoke.bin` });
      await host.ok('write.chunk', { transferId: begin.transferId, offset: 0, data: 'aGVsbG8=' });
      const code = await revoke(added.name);
      const chunk = await host.call('write.chunk', { transferId: begin.transferId, offset: 5, data: 'aGVsbG8=' });
      expect(chunk.ok ? 'ok' : chunk.error.code).toBe(code);
      const commit = await host.call('write.commit', { transferId: begin.transferId });
      expect(commit.ok).toBe(false);
      expect(fs.readdirSync(folder)).toEqual([]);
      await host.call('roots.remove', { name: added.name });
    });
  }

  it('refuses the commit when the folder was swapped for a symlink meanwhile', async () => {
    const folder = path.join(root, 'swapped');
    fs.mkdirSync(folder);
    const begin = await host.ok('write.begin', { path: `${name}/swapped/x.bin` });
    await host.ok('write.chunk', { transferId: begin.transferId, offset: 0, data: 'aGVsbG8=' });
    const elsewhere = tempDir('elsewhere');
    fs.renameSync(folder, path.join(root, 'swapped-away'));
    fs.symlinkSync(elsewhere, folder);
    const commit = await host.call('write.commit', { transferId: begin.transferId });
    expect(commit.ok ? 'ok' : commit.error.code).toBe('not_allowed');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(fs.readdirSync(path.join(root, 'swapped-away'))).toEqual([]);
  });
});

/**
 * Never lose data silently (issue 17, item 11): a durable marker outside IndexedDB notices a database
 * the browser emptied, space running out is said before it does, a backup restores what matters,
 * and in-memory thread states stay bounded.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assembleRuntime } from '../../extension/runtime/assemble';
import { MAX_LOADED_THREADS } from '../../extension/runtime/runtime';
import type { Snapshot, SnapshotStore } from '../../extension/storage/auto-backup';
import type { DurableMarker, MarkerStore } from '../../extension/storage/storage-watch';
import type { RuntimeMessage } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime, waitUntil } from '../support/runtime-harness';

let server: ModelServer;
let counter = 0;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function memoryMarker(): MarkerStore & { value: DurableMarker | undefined } {
  const store = {
    value: undefined as DurableMarker | undefined,
    get: async () => store.value,
    set: async (value: DurableMarker) => {
      store.value = value;
    },
  };
  return store;
}

function memorySnapshots(): SnapshotStore & { value: Snapshot | undefined } {
  const store = {
    value: undefined as Snapshot | undefined,
    get: async () => store.value,
    getAt: async () => store.value?.at,
    set: async (value: Snapshot) => {
      store.value = value;
    },
  };
  return store;
}

function assemble(
  marker: MarkerStore,
  estimate = { usage: 1_000, quota: 1_000_000 },
  snapshots?: SnapshotStore,
  databaseName = `tandem-safety-${process.pid}-${++counter}`,
) {
  return assembleRuntime({
    databaseName,
    storage: {
      marker,
      estimator: { estimate: async () => estimate },
      markerEveryMs: 0,
      ...(snapshots ? { snapshots, snapshotEveryMs: 0 } : {}),
    },
  });
}

const storageStatus = (messages: RuntimeMessage[]) =>
  messages.findLast((m): m is RuntimeMessage & { type: 'storage.status' } => m.type === 'storage.status')?.status;

describe('a database lost to the browser is said plainly', () => {
  it('a start that finds an empty database where the marker counted threads reports it as lost', async () => {
    const marker = memoryMarker();
    const before = assemble(marker);
    await before.runtime.resume();
    const panel = connect(before, 'panel');
    await newThread(panel);
    await newThread(panel);
    expect(marker.value).toMatchObject({ threadCount: 2, schemaVersion: before.db.verno });
    before.db.close();

    // The browser deleted the database: the next start finds it empty, but the marker survived.
    const after = assemble(marker);
    await after.runtime.resume();
    const fresh = connect(after, 'panel');
    expect(storageStatus(fresh.messages)).toMatchObject({
      state: 'lost',
      message: expect.stringContaining('held 2 conversations'),
    });
    // The warning stays until there are threads again; then the marker follows the database.
    await newThread(fresh);
    expect(storageStatus(fresh.messages)).toMatchObject({ state: 'ok' });
    expect(marker.value).toMatchObject({ threadCount: 1 });
  });

  it('notices at once when a reopen finds the database emptied, and restores the automatic backup', async () => {
    const marker = memoryMarker();
    const snapshots = memorySnapshots();
    const name = `tandem-safety-wiped-${process.pid}-${++counter}`;
    const assembled = assemble(marker, undefined, snapshots, name);
    await assembled.settings.update({ apiKey: server.apiKey, baseUrl: server.url });
    await assembled.runtime.resume();
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    server.script([{ kind: 'text', text: 'Saved apart from IndexedDB too.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'keep me' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    await assembled.runtime.idle();
    await waitUntil(() => snapshots.value !== undefined, 15_000, 'an automatic backup');

    // What Chromium's corruption handling does after a failed write: the database is deleted under
    // the runtime; Dexie's reopen then creates a fresh, empty one.
    assembled.db.close({ disableAutoOpen: false });
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });
    await assembled.runtime.storage
      .run(async () => {
        throw Object.assign(new Error('backing store failed'), { name: 'UnknownError' });
      })
      .catch(() => {});
    await waitUntil(() => storageStatus(panel.messages)?.state === 'lost', 15_000, 'a lost status');
    expect(storageStatus(panel.messages)).toMatchObject({ autoBackupAt: snapshots.value?.at });
    expect(marker.value).toMatchObject({ threadCount: 1 });

    expect((await panel.command({ type: 'backup.restoreAuto' })).type).toBe('ack');
    expect((await assembled.log.all(threadId)).some((e) => e.kind === 'assistant_message')).toBe(true);
    await waitUntil(() => storageStatus(panel.messages)?.state === 'ok', 15_000, 'an ok status');
  });

  it('warns before space runs out', async () => {
    const assembled = assemble(memoryMarker(), { usage: 95_000_000, quota: 100_000_000 });
    await assembled.runtime.resume();
    const panel = connect(assembled, 'panel');
    expect(storageStatus(panel.messages)).toMatchObject({
      state: 'low',
      message: expect.stringMatching(/almost full/),
    });
  });
});

describe('backup', () => {
  it('exports threads, settings without the key, grants and devices, and restores them into an empty database', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    server.script([{ kind: 'text', text: 'Kept in the backup.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'remember me' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    await assembled.grants.save('site', [{ scope: 'https://example.com', effect: 'allow', grantedAt: 1 }]);
    await assembled.db.devices.put({
      id: 'ab'.repeat(32),
      name: 'Phone',
      pairedAt: 1,
      lastSeenAt: 2,
      status: 'active',
    });

    expect((await panel.command({ type: 'backup.export' })).type).toBe('ack');
    const backup = panel.messages.findLast((m) => m.type === 'backup');
    if (backup?.type !== 'backup') throw new Error('no backup');
    expect(backup.fileName).toMatch(/^tandem-backup-.*\.json$/);
    expect(backup.json).not.toContain(server.apiKey);
    expect(backup.json).toContain('Kept in the backup.');

    const { assembled: empty } = await startRuntime({ baseUrl: server.url, apiKey: 'the-new-browsers-key' });
    const restorer = connect(empty, 'panel');
    expect((await restorer.command({ type: 'backup.import', json: backup.json })).type).toBe('ack');
    expect((await empty.log.all(threadId)).map((e) => e.kind)).toEqual(
      (await assembled.log.all(threadId)).map((e) => e.kind),
    );
    expect(await empty.grants.load('site')).toEqual([expect.objectContaining({ scope: 'https://example.com' })]);
    expect(await empty.db.devices.count()).toBe(1);
    // The key this browser has is kept: the backup had none.
    expect((await empty.settings.get()).apiKey).toBe('the-new-browsers-key');
    expect(await restorer.command({ type: 'backup.import', json: '{"nope":1}' })).toMatchObject({
      type: 'error',
      code: 'invalid_command',
    });
  });

  it('includes the API key only when asked, and never for a phone', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    await panel.command({ type: 'backup.export', includeApiKey: true });
    const backup = panel.messages.findLast((m) => m.type === 'backup');
    expect(backup?.type === 'backup' && backup.json).toContain(server.apiKey);
    const phone = connect(assembled, 'phone');
    expect(await phone.command({ type: 'backup.export' })).toMatchObject({ code: 'not_allowed' });
  });
});

describe('in-memory thread states', () => {
  it('are evicted when idle, bounded whatever the number of threads used', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    for (let i = 0; i < MAX_LOADED_THREADS + 6; i++) {
      const threadId = await newThread(panel);
      server.script([{ kind: 'text', text: `answer ${i}` }]);
      await panel.command({ type: 'message.send', threadId, text: `question ${i}` });
      await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
      await assembled.runtime.idle();
    }
    expect(assembled.runtime.loadedThreads).toBeLessThanOrEqual(MAX_LOADED_THREADS + 1);
  });
});

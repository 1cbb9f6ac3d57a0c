/**
 * The automatic backup also goes to the computer's disk when the file host is installed (issue 17,
 * item 11): the real runtime with the real host over stdio. After the browser deletes Tandem's
 * IndexedDB, and with nothing left in the browser's own storage either, the threads come back from
 * the host's backup folder.
 */
import 'fake-indexeddb/auto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBridge } from '../../extension/files/bridge-client';
import { HostBackups } from '../../extension/files/host-backups';
import type { NativeConnector, NativePort } from '../../extension/files/native-port';
import { assembleRuntime } from '../../extension/runtime/assemble';
import { AutoBackup, type Snapshot, type SnapshotStore } from '../../extension/storage/auto-backup';
import { Backup } from '../../extension/storage/backup';
import { TandemDatabase } from '../../extension/storage/db';
import type { DurableMarker, MarkerStore } from '../../extension/storage/storage-watch';
import { buildHost, removeScratch, tempDir } from '../../native-host/test/helpers/host-process';
import { ZERO_USAGE } from '../../shared/pricing';
import type { RuntimeMessage } from '../../shared/protocol';
import { EXTENSION_ONLY_OPS } from '../../shared/protocol/native-host';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { realHostConnector } from '../support/real-host-connector';
import { connect, newThread, waitUntil } from '../support/runtime-harness';

let server: ModelServer;
let bundle: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  bundle = buildHost();
}, 60_000);
afterAll(() => {
  server.close();
  for (const child of children) child.kill();
  removeScratch();
});

function memory<T>() {
  const store = {
    value: undefined as T | undefined,
    get: async () => store.value,
    set: async (value: T) => {
      store.value = value;
    },
  };
  return store;
}

function memorySnapshots(): SnapshotStore & { value: Snapshot | undefined } {
  const store = memory<Snapshot>();
  return Object.assign(store, { getAt: async () => store.value?.at });
}

const storageStatus = (messages: RuntimeMessage[]) =>
  messages.findLast((m): m is RuntimeMessage & { type: 'storage.status' } => m.type === 'storage.status')?.status;

function diskBackups(hostHome: string): string[] {
  try {
    return fs.readdirSync(path.join(hostHome, 'backups')).filter((n) => n.startsWith('backup-'));
  } catch {
    return [];
  }
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

function thread(id: string) {
  return {
    id,
    title: id,
    createdAt: 1,
    updatedAt: 1,
    archived: false,
    lastSeq: 0,
    status: 'idle' as const,
    pendingDecisions: 0,
    usage: ZERO_USAGE,
    costUsd: 0,
  };
}

/** What Chrome does without a host manifest: the port opens, then closes with this reason. */
function missingHost(): NativeConnector {
  return {
    connect(): NativePort {
      const onDisconnect: Array<() => void> = [];
      setTimeout(() => {
        for (const l of onDisconnect) l();
      }, 0);
      return {
        postMessage: () => undefined,
        disconnect: () => undefined,
        onMessage: { addListener: () => undefined },
        onDisconnect: { addListener: (l) => onDisconnect.push(l) },
      };
    },
    disconnectReason: () => 'Specified native messaging host not found.',
  };
}

describe('the automatic backup on the computer', () => {
  it('restores the threads from the host backup folder after the IndexedDB was emptied', async () => {
    const hostHome = tempDir('home');
    const marker = memory<DurableMarker>() as MarkerStore & { value: DurableMarker | undefined };
    const name = `tandem-host-backup-${process.pid}`;
    const assemble = (snapshots: SnapshotStore) =>
      assembleRuntime({
        databaseName: name,
        nativeMessaging: realHostConnector(bundle, hostHome, children),
        storage: { marker, markerEveryMs: 0, snapshots, snapshotEveryMs: 0 },
      });

    const before = assemble(memorySnapshots());
    await before.settings.update({ apiKey: server.apiKey, baseUrl: server.url });
    await before.runtime.resume();
    const panel = connect(before, 'panel');
    const threadId = await newThread(panel);
    server.script([{ kind: 'text', text: 'Kept on the computer too.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'keep me on disk' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    await before.runtime.idle();
    await waitUntil(() => diskBackups(hostHome).length > 0, 20_000, 'a backup in the host folder');
    const saved = fs.readFileSync(path.join(hostHome, 'backups', diskBackups(hostHome)[0] ?? ''), 'utf8');
    expect(saved).toContain('keep me on disk');
    expect(saved).not.toContain(server.apiKey); // never the key
    await waitUntil(() => storageStatus(panel.messages)?.diskBackupAt !== undefined, 20_000, 'the disk backup shown');
    expect(storageStatus(panel.messages)?.diskBackupFolder).toBe(path.join(hostHome, 'backups'));

    // The browser deletes the database, and the browser's own copy is gone as well (a new worker
    // with an empty storage.local): only the computer's folder still has the threads.
    before.files?.bridge.close();
    before.db.close();
    await deleteDatabase(name);
    const after = assemble(memorySnapshots());
    await after.runtime.resume();
    const fresh = connect(after, 'panel');
    await waitUntil(() => storageStatus(fresh.messages)?.diskBackupAt !== undefined, 20_000, 'the disk backup shown');
    expect(storageStatus(fresh.messages)).toMatchObject({
      state: 'lost',
      message: expect.stringContaining("computer's backup folder"),
    });

    const phone = connect(after, 'phone');
    expect(await phone.command({ type: 'backup.restoreFromHost' })).toMatchObject({ type: 'error' });
    expect(await fresh.command({ type: 'backup.restoreFromHost' })).toMatchObject({ type: 'ack' });
    const events = await after.log.all(threadId);
    expect(events.some((e) => e.kind === 'user_message' && e.text === 'keep me on disk')).toBe(true);
    expect(events.some((e) => e.kind === 'assistant_message')).toBe(true);
    await waitUntil(() => storageStatus(fresh.messages)?.state === 'ok', 15_000, 'an ok status');
    after.files?.bridge.close();
  }, 60_000);

  it('writes the computer copy when the browser storage refuses, and a missing host never fails a snapshot', async () => {
    const hostHome = tempDir('home');
    const db = new TandemDatabase(`tandem-host-backup-unit-${process.pid}`);
    await db.threads.add(thread('on-disk'));
    const full: SnapshotStore = {
      get: async () => undefined,
      getAt: async () => undefined,
      set: async () => {
        throw Object.assign(new Error('QUOTA_BYTES quota exceeded'), { name: 'QuotaExceededError' });
      },
    };
    const bridge = new FileBridge({ connector: realHostConnector(bundle, hostHome, children) });
    const auto = new AutoBackup(new Backup(db), full, Date.now, 0, new HostBackups(bridge));
    await auto.snapshotSoon(true);
    expect(diskBackups(hostHome)).toHaveLength(1);
    expect((await auto.latestOnDisk())?.json).toContain('"on-disk"');
    expect((await auto.diskInfo())?.folder).toBe(path.join(hostHome, 'backups'));
    bridge.close();

    // No host installed: the browser's copy is taken as always, and nothing waits for the host.
    let stored: Snapshot | undefined;
    const local: SnapshotStore = {
      get: async () => stored,
      getAt: async () => stored?.at,
      set: async (s) => {
        stored = s;
      },
    };
    const absent = new FileBridge({ connector: missingHost() });
    const withoutHost = new AutoBackup(new Backup(db), local, Date.now, 0, new HostBackups(absent));
    await withoutHost.snapshotSoon(true);
    expect(stored?.json).toContain('"on-disk"');
    expect(await withoutHost.diskInfo()).toBeUndefined();
    await expect(withoutHost.latestOnDisk()).rejects.toMatchObject({ code: 'not_installed' });
    db.close();
  });

  it('no model tool sends an extension-only host op', () => {
    const source = fs.readFileSync(path.join(__dirname, '../../extension/tools/files.ts'), 'utf8');
    for (const op of EXTENSION_ONLY_OPS) expect(source).not.toContain(`'${op}'`);
  });
});

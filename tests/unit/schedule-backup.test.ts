/** Schedules and shortcuts travel in backups (manual and automatic); older backups still import. */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleRuntime } from '../../extension/runtime/assemble';
import type { Snapshot } from '../../extension/storage/auto-backup';
import { Backup } from '../../extension/storage/backup';
import { TandemDatabase } from '../../extension/storage/db';
import type { RuntimeMessage } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime, waitUntil } from '../support/runtime-harness';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());

let counter = 0;

describe('schedules and shortcuts in backups', () => {
  it('exports them and restores them into an empty browser, where the schedule is armed again', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: {
        title: 'Morning check',
        prompt: 'Check the three sites.',
        recurrence: { kind: 'daily', time: '08:00' },
        timeZone: 'Europe/Paris',
      },
    });
    await panel.command({ type: 'shortcut.save', shortcut: { name: 'news', prompt: 'Summarise the news.' } });
    await panel.command({ type: 'backup.export', includeApiKey: false });
    const backup = panel.messages.find((m): m is Extract<RuntimeMessage, { type: 'backup' }> => m.type === 'backup');
    expect(backup).toBeDefined();

    const restored = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const other = connect(restored.assembled, 'panel');
    expect(await other.command({ type: 'backup.import', json: backup?.json ?? '' })).toMatchObject({ type: 'ack' });
    await other.command({ type: 'schedule.list' });
    await other.command({ type: 'shortcuts.list' });
    const schedules = other.messages.filter((m) => m.type === 'schedules').at(-1);
    const shortcuts = other.messages.filter((m) => m.type === 'shortcuts').at(-1);
    expect(schedules?.type === 'schedules' && schedules.schedules.map((s) => [s.title, s.threadId, s.status])).toEqual([
      ['Morning check', threadId, 'active'],
    ]);
    expect(schedules?.type === 'schedules' && (schedules.schedules[0]?.nextRunAt ?? 0) > Date.now()).toBe(true);
    expect(shortcuts?.type === 'shortcuts' && shortcuts.shortcuts).toEqual([
      { name: 'news', prompt: 'Summarise the news.' },
    ]);
  });

  it('imports a backup made before schedules existed, and never replaces a shortcut already here', async () => {
    const db = new TandemDatabase(`tandem-schedule-backup-${process.pid}-${++counter}`);
    await db.shortcuts.put({ name: 'news', prompt: 'Mine.' });
    const old = JSON.stringify({
      format: 'tandem-backup',
      version: 1,
      exportedAt: 1,
      threads: [],
      events: [],
      kv: [],
      devices: [],
    });
    await expect(new Backup(db).import(old)).resolves.toEqual({ threadsAdded: 0, threadsKept: 0 });
    const withShortcut = JSON.parse(old);
    withShortcut.shortcuts = [
      { name: 'news', prompt: 'Theirs.' },
      { name: 'mail', prompt: 'Read my mail.' },
    ];
    await new Backup(db).import(JSON.stringify(withShortcut));
    expect(await db.shortcuts.toArray()).toEqual([
      { name: 'mail', prompt: 'Read my mail.' },
      { name: 'news', prompt: 'Mine.' },
    ]);
  });

  it('is in the automatic snapshot, which is the same export', async () => {
    const db = new TandemDatabase(`tandem-schedule-backup-${process.pid}-${++counter}`);
    await db.shortcuts.put({ name: 'news', prompt: 'Summarise the news.' });
    const { json } = await new Backup(db).export({ includeApiKey: false });
    expect(JSON.parse(json).shortcuts).toEqual([{ name: 'news', prompt: 'Summarise the news.' }]);
  });

  it('refreshes the automatic snapshot when a shortcut or schedule changes, not only after a task', async () => {
    let stored: Snapshot | undefined;
    const assembled = assembleRuntime({
      databaseName: `tandem-schedule-backup-${process.pid}-${++counter}`,
      storage: {
        snapshots: {
          get: async () => stored,
          getAt: async () => stored?.at,
          set: async (s: Snapshot) => {
            stored = s;
          },
        },
        snapshotEveryMs: 200,
      },
    });
    await assembled.settings.update({ apiKey: server.apiKey, baseUrl: server.url, model: 'claude-sonnet-5-5' });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    await panel.command({ type: 'shortcut.save', shortcut: { name: 'news', prompt: 'Summarise the news.' } });
    await waitUntil(() => stored?.json.includes('Summarise the news.') ?? false, 5_000, 'a snapshot with the shortcut');
    await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: {
        title: 'Morning check',
        prompt: 'Check the three sites.',
        recurrence: { kind: 'daily', time: '08:00' },
        timeZone: 'Europe/Paris',
      },
    });
    // Snapshots are at least a little apart (auto-backup.ts), so this one may come a moment later.
    await waitUntil(() => stored?.json.includes('Morning check') ?? false, 15_000, 'a snapshot with the schedule');
  }, 20_000);
});

/**
 * A restorable backup of what matters: every thread's log, settings (the API key and the link's
 * private key only when the user opts in: a backup file is easy to leave lying around), grants
 * (site and folder answers), paired devices, schedules and shortcuts. Import adds threads,
 * schedules and shortcuts that are not there and replaces settings, grants and devices; it never
 * deletes anything the database already has. Schedules and shortcuts came later (version 1 files
 * without them still import); a schedule's run history stays behind, since a restored run marked
 * "due" would start again in the new browser.
 */
import { z } from 'zod';
import {
  LastRun,
  MissedRunPolicy,
  Recurrence,
  ScheduleStatus,
  Shortcut,
  ThreadEvent,
  ThreadSummary,
} from '../../shared/protocol';
import type { ScheduleRecord } from '../schedule/schedule-record';
import type { TandemDatabase } from './db';

const FORMAT = 'tandem-backup';
const VERSION = 1;
/** Keys holding secrets: in a backup only on request. */
const SECRET_KEYS = new Set(['link.identity']);
const SETTINGS_KEY = 'settings';
const PAIRING_STATE_PREFIXES = ['pairing'];

const BackupDevice = z.object({
  id: z.string().min(1).max(128),
  name: z.string(),
  pairedAt: z.number(),
  lastSeenAt: z.number(),
  status: z.enum(['active', 'revoked']),
});

/** A stored schedule (`ScheduleRecord`); `satisfies` below keeps the two in step. */
const BackupSchedule = z.object({
  id: z.string().min(1).max(128),
  threadId: z.string().min(1),
  title: z.string(),
  prompt: z.string(),
  recurrence: Recurrence,
  timeZone: z.string(),
  missedPolicy: MissedRunPolicy,
  capUsd: z.number().optional(),
  maxSteps: z.number().int().optional(),
  maxFailures: z.number().int(),
  status: ScheduleStatus,
  pausedReason: z.string().optional(),
  createdBy: z.enum(['user', 'model']),
  createdAt: z.number(),
  nextRunAt: z.number().optional(),
  lastRun: z.optional(LastRun),
  runCount: z.number().int(),
  consecutiveFailures: z.number().int(),
  costUsd: z.number(),
}) satisfies z.ZodType<ScheduleRecord>;

export const BackupFile = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  exportedAt: z.number(),
  threads: z.array(ThreadSummary),
  events: z.array(ThreadEvent),
  kv: z.array(z.object({ key: z.string(), value: z.unknown() })),
  devices: z.array(BackupDevice),
  schedules: z.array(BackupSchedule).default([]),
  shortcuts: z.array(Shortcut).default([]),
});
export type BackupFile = z.output<typeof BackupFile>;

export class BackupError extends Error {}

export interface ImportSummary {
  threadsAdded: number;
  threadsKept: number;
}

export class Backup {
  constructor(
    private readonly db: TandemDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  async export(options: { includeApiKey: boolean }): Promise<{ fileName: string; json: string }> {
    const [threads, events, kv, devices, schedules, shortcuts] = await Promise.all([
      this.db.threads.toArray(),
      this.db.events.toArray(),
      this.db.kv.toArray(),
      this.db.devices.toArray(),
      this.db.schedules.toArray(),
      this.db.shortcuts.toArray(),
    ]);
    const kept = kv
      .filter((row) => options.includeApiKey || !SECRET_KEYS.has(row.key))
      .filter((row) => !PAIRING_STATE_PREFIXES.some((prefix) => row.key.startsWith(prefix)))
      .map((row) => {
        if (row.key !== SETTINGS_KEY || options.includeApiKey || !row.value || typeof row.value !== 'object')
          return row;
        const { apiKey: _omitted, ...rest } = row.value as Record<string, unknown>;
        return { key: row.key, value: rest };
      });
    const at = this.now();
    const file: BackupFile = {
      format: FORMAT,
      version: VERSION,
      exportedAt: at,
      threads,
      events,
      kv: kept,
      devices,
      schedules,
      shortcuts,
    };
    const stamp = new Date(at).toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return { fileName: `tandem-backup-${stamp}.json`, json: JSON.stringify(file) };
  }

  /** Call inside a transaction over every table (the runtime's `atomic`). */
  async import(json: string): Promise<ImportSummary> {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new BackupError('That file is not a Tandem backup (it is not JSON).');
    }
    const parsed = BackupFile.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BackupError(
        `That file is not a Tandem backup this version can read${issue ? ` (${issue.path.join('.')}: ${issue.message})` : ''}.`,
      );
    }
    const file = parsed.data;
    let threadsAdded = 0;
    let threadsKept = 0;
    const added = new Set<string>();
    for (const thread of file.threads) {
      if (await this.db.threads.get(thread.id)) {
        threadsKept++;
        continue;
      }
      added.add(thread.id);
      threadsAdded++;
    }
    await this.db.threads.bulkPut(file.threads.filter((t) => added.has(t.id)));
    await this.db.events.bulkPut(file.events.filter((e) => added.has(e.threadId)));
    for (const row of file.kv) {
      if (row.key === SETTINGS_KEY) {
        // A backup without the key must not erase the key this browser has.
        const current = (await this.db.kv.get(SETTINGS_KEY))?.value;
        const currentKey =
          current && typeof current === 'object' ? (current as { apiKey?: unknown }).apiKey : undefined;
        const value = { ...(typeof currentKey === 'string' ? { apiKey: currentKey } : {}), ...(row.value as object) };
        await this.db.kv.put({ key: row.key, value });
      } else {
        await this.db.kv.put(row);
      }
    }
    await this.db.devices.bulkPut(file.devices);
    for (const schedule of file.schedules) {
      if (!(await this.db.schedules.get(schedule.id))) await this.db.schedules.add(schedule);
    }
    // A shortcut of the same name here is the user's newer word for it.
    for (const shortcut of file.shortcuts) {
      if (!(await this.db.shortcuts.get(shortcut.name))) await this.db.shortcuts.add(shortcut);
    }
    return { threadsAdded, threadsKept };
  }
}

/**
 * Schedules in a thread: stores them, wakes up when one is due, starts each run as an
 * ordinary task in its thread (a user message that carries the run and its limits), and
 * records how each run ended. Crash-safe by construction: a run is written as `due` before
 * it starts, and its message is appended once per run id (see schedule-record.ts).
 */
import type {
  EventBody,
  Recurrence,
  RunOutcome,
  ScheduledRun,
  ScheduleFields,
  ScheduleFieldsPatch,
  ScheduleView,
  TaskOutcome,
} from '../../shared/protocol';
import type { TandemDatabase } from '../storage/db';
import { describeRecurrence, lateLabel } from './describe';
import { type DuePlan, planDue } from './due-plan';
import { nextRunAfter, resolveRecurrence } from './next-run';
import { runResultLine } from './run-result';
import type { RunRecord, ScheduleRecord } from './schedule-record';

/** Appends a run's message to its thread once per key and starts the thread's loop; false for a repeat. */
export interface RunStarter {
  start(threadId: string, key: string, body: EventBody): Promise<boolean>;
}

/** Sets the one wake-up for the earliest next run (undefined: none). See wake-timer.ts. */
export interface WakeUp {
  at(when: number | undefined): void;
}

export interface ScheduleServiceDeps {
  db: TandemDatabase;
  now(): number;
  newId(): string;
  wake: WakeUp;
  runs: RunStarter;
  /** A run's outcome in one line, and a schedule paused by failures (desktop notification; the phone with push). */
  notify(title: string, message: string): Promise<void>;
  /** The list changed: clients are sent it again. */
  changed(): void;
}

export class ScheduleNotFound extends Error {
  constructor(id: string) {
    super(`No schedule with id ${id}.`);
    this.name = 'ScheduleNotFound';
  }
}

export class ScheduleBusy extends Error {
  constructor() {
    super('A run of this schedule is still going; it starts again once that run ends.');
    this.name = 'ScheduleBusy';
  }
}

const FAILED: ReadonlySet<RunOutcome> = new Set(['failed', 'refusal', 'max_tokens']);
export const RUN_KEY_PREFIX = 'schedule-run:';
/**
 * A run that started this long ago and never reported its end (its loop failed, say) no longer
 * counts as going: it must not block its schedule forever. A run waiting on an approval overnight
 * still does, so the next one is skipped rather than stacked.
 */
export const STALE_RUN_MS = 36 * 3_600_000;

function isGoing(run: RunRecord, now: number): boolean {
  if (run.status === 'due') return true;
  return run.status === 'started' && (run.startedAt ?? run.firedAt) > now - STALE_RUN_MS;
}

export class ScheduleService {
  /** Serialises firing: two alarms (or an alarm and a start) never plan the same due time twice. */
  private firing: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ScheduleServiceDeps) {}

  async create(threadId: string, fields: ScheduleFields, createdBy: 'user' | 'model'): Promise<ScheduleRecord> {
    const now = this.deps.now();
    const recurrence = resolveRecurrence(fields.recurrence, now);
    const schedule: ScheduleRecord = {
      id: this.deps.newId(),
      threadId,
      title: fields.title,
      prompt: fields.prompt,
      recurrence,
      timeZone: fields.timeZone,
      missedPolicy: fields.missedPolicy,
      ...(fields.capUsd === undefined ? {} : { capUsd: fields.capUsd }),
      ...(fields.maxSteps === undefined ? {} : { maxSteps: fields.maxSteps }),
      maxFailures: fields.maxFailures,
      status: 'active',
      createdBy,
      createdAt: now,
      runCount: 0,
      consecutiveFailures: 0,
      costUsd: 0,
    };
    const next = firstRunFrom(recurrence, fields.timeZone, now);
    if (next === undefined) throw new RangeError('That time is in the past.');
    schedule.nextRunAt = next;
    await this.deps.db.schedules.add(schedule);
    await this.settled();
    return schedule;
  }

  async update(id: string, patch: ScheduleFieldsPatch): Promise<ScheduleRecord> {
    return this.change(id, (schedule) => {
      const now = this.deps.now();
      const { recurrence, ...rest } = patch;
      Object.assign(schedule, rest);
      if (recurrence) schedule.recurrence = resolveRecurrence(recurrence, now);
      if (schedule.status !== 'paused') {
        const next = firstRunFrom(schedule.recurrence, schedule.timeZone, now);
        schedule.status = next === undefined ? 'done' : 'active';
        setNext(schedule, next);
      }
    });
  }

  pause(id: string): Promise<ScheduleRecord> {
    return this.change(id, (schedule) => {
      schedule.status = 'paused';
      schedule.pausedReason = 'Paused by you.';
      delete schedule.nextRunAt;
    });
  }

  /** Carries on from now: what was missed while paused is not run. */
  resume(id: string): Promise<ScheduleRecord> {
    return this.change(id, (schedule) => {
      const next = nextRunAfter(schedule.recurrence, schedule.timeZone, this.deps.now());
      schedule.status = next === undefined ? 'done' : 'active';
      schedule.consecutiveFailures = 0;
      delete schedule.pausedReason;
      setNext(schedule, next);
    });
  }

  async remove(id: string): Promise<void> {
    const db = this.deps.db;
    await db.transaction('rw', db.schedules, db.scheduleRuns, async () => {
      if (!(await db.schedules.get(id))) throw new ScheduleNotFound(id);
      await db.schedules.delete(id);
      await db.scheduleRuns.where('scheduleId').equals(id).delete();
    });
    await this.settled();
  }

  /** Removes a deleted thread's schedules. */
  async forgetThread(threadId: string): Promise<void> {
    const db = this.deps.db;
    await db.transaction('rw', db.schedules, db.scheduleRuns, async () => {
      await db.schedules.where('threadId').equals(threadId).delete();
      await db.scheduleRuns.where('threadId').equals(threadId).delete();
    });
    await this.settled();
  }

  /** Starts a run now, outside the rule (the next planned run is unchanged). */
  async runNow(id: string): Promise<RunRecord> {
    const run = await this.serial(async () => {
      const db = this.deps.db;
      return db.transaction('rw', db.schedules, db.scheduleRuns, async () => {
        const schedule = await db.schedules.get(id);
        if (!schedule) throw new ScheduleNotFound(id);
        if (await this.inProgress(id)) throw new ScheduleBusy();
        const now = this.deps.now();
        const record: RunRecord = {
          id: this.deps.newId(),
          scheduleId: id,
          threadId: schedule.threadId,
          dueAt: now,
          firedAt: now,
          manual: true,
          status: 'due',
        };
        await db.scheduleRuns.add(record);
        return record;
      });
    });
    await this.startDueRuns();
    await this.settled();
    return run;
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    return this.deps.db.schedules.get(id);
  }

  async list(threadId?: string): Promise<ScheduleView[]> {
    const db = this.deps.db;
    const schedules = threadId
      ? await db.schedules.where('threadId').equals(threadId).toArray()
      : await db.schedules.toArray();
    const now = this.deps.now();
    const running = new Set(
      (await db.scheduleRuns.where('status').anyOf('due', 'started').toArray())
        .filter((r) => isGoing(r, now))
        .map((r) => r.scheduleId),
    );
    const titles = new Map(
      (await db.threads.bulkGet([...new Set(schedules.map((s) => s.threadId))])).flatMap((t) =>
        t ? [[t.id, t.title]] : [],
      ),
    );
    return schedules
      .sort(
        (a, b) =>
          (a.nextRunAt ?? Number.POSITIVE_INFINITY) - (b.nextRunAt ?? Number.POSITIVE_INFINITY) ||
          a.createdAt - b.createdAt,
      )
      .map((s) => ({
        ...s,
        threadTitle: titles.get(s.threadId) ?? '',
        description: describeRecurrence(s.recurrence, s.timeZone),
        running: running.has(s.id),
      }));
  }

  /** On every start of the worker: runs recorded as due start now, overdue schedules fire, the wake-up is set again. */
  async start(): Promise<void> {
    await this.startDueRuns();
    await this.fireDue();
  }

  /** The wake-up fired (or the worker started): plans every schedule that is due and starts its run. */
  async fireDue(): Promise<void> {
    const skipped = await this.serial(async () => {
      const db = this.deps.db;
      return db.transaction('rw', db.schedules, db.scheduleRuns, async () => {
        const now = this.deps.now();
        const due = await db.schedules.where('nextRunAt').belowOrEqual(now).toArray();
        const skips: ScheduleRecord[] = [];
        for (const schedule of due) {
          const plan = planDue(schedule, now, await this.inProgress(schedule.id));
          if (plan.kind === 'none') continue;
          await this.apply(schedule, plan, now);
          if (plan.kind === 'skip') skips.push(schedule);
        }
        return skips;
      });
    });
    await this.startDueRuns();
    if (skipped.length > 0) this.deps.changed();
    await this.arm();
  }

  /**
   * A scheduled run's task ended: its outcome and cost go on the schedule; N failures in a row
   * pause the schedule; the user hears the outcome in one line.
   */
  async runFinished(threadId: string, outcome: TaskOutcome, run: ScheduledRun, costUsd: number): Promise<void> {
    const db = this.deps.db;
    const summary = await runResultLine(db, threadId, outcome);
    const result = await db.transaction('rw', db.schedules, db.scheduleRuns, async () => {
      const record = await db.scheduleRuns.get(run.runId);
      if (!record || record.status === 'finished') return undefined; // already recorded (a resumed worker)
      const now = this.deps.now();
      await db.scheduleRuns.update(run.runId, { status: 'finished', finishedAt: now, outcome, costUsd, summary });
      const schedule = await db.schedules.get(run.scheduleId);
      if (!schedule) return undefined;
      schedule.costUsd += costUsd;
      schedule.lastRun = {
        runId: run.runId,
        at: now,
        outcome,
        summary,
        ...(record.lateByMs === undefined ? {} : { lateByMs: record.lateByMs }),
      };
      schedule.consecutiveFailures = FAILED.has(outcome) ? schedule.consecutiveFailures + 1 : 0;
      const pausedNow = schedule.status === 'active' && schedule.consecutiveFailures >= schedule.maxFailures;
      if (pausedNow) {
        schedule.status = 'paused';
        schedule.pausedReason = `Paused after ${schedule.consecutiveFailures} failed runs in a row.`;
        delete schedule.nextRunAt;
      }
      await db.schedules.put(schedule);
      return { schedule, pausedNow };
    });
    if (!result) return;
    await this.settled();
    const title = `Tandem: ${result.schedule.title}`;
    // Best effort: a notification must never take the schedule down.
    await this.deps.notify(title, summary).catch(() => {});
    if (result.pausedNow) {
      await this.deps.notify(title, `${result.schedule.pausedReason} Resume it in the schedule list.`).catch(() => {});
    }
  }

  /** A task asked the user something: if it is a scheduled run, the user is told it waits. */
  async decisionRequested(threadId: string, title: string): Promise<void> {
    const db = this.deps.db;
    const now = this.deps.now();
    const runs = await db.scheduleRuns.where('threadId').equals(threadId).toArray();
    const going = runs.find((r) => r.status === 'started' && isGoing(r, now));
    const schedule = going && (await db.schedules.get(going.scheduleId));
    if (!schedule) return;
    await this.deps.notify(`Tandem: ${schedule.title}`, `Waiting for you: ${title}`).catch(() => {});
  }

  private async apply(schedule: ScheduleRecord, plan: Exclude<DuePlan, { kind: 'none' }>, now: number) {
    const db = this.deps.db;
    const run: RunRecord = {
      id: this.deps.newId(),
      scheduleId: schedule.id,
      threadId: schedule.threadId,
      dueAt: plan.dueAt,
      firedAt: now,
      status: plan.kind === 'run' ? 'due' : 'skipped',
      ...(plan.kind === 'run' && plan.lateByMs !== undefined ? { lateByMs: plan.lateByMs } : {}),
      ...(plan.kind === 'skip' ? { outcome: 'skipped' as const, summary: plan.reason, finishedAt: now } : {}),
    };
    await db.scheduleRuns.add(run);
    if (plan.kind === 'skip') {
      schedule.lastRun = { runId: run.id, at: now, outcome: 'skipped', summary: plan.reason };
    }
    if (plan.nextRunAt === undefined && schedule.recurrence.kind === 'once') schedule.status = 'done';
    setNext(schedule, plan.nextRunAt);
    await db.schedules.put(schedule);
  }

  /** Starts every run recorded as due (just planned, or left so by a worker that died). */
  private async startDueRuns(): Promise<void> {
    const db = this.deps.db;
    const due = await db.scheduleRuns.where('status').equals('due').toArray();
    for (const run of due) {
      const schedule = await db.schedules.get(run.scheduleId);
      const thread = await db.threads.get(run.threadId);
      if (!schedule || !thread) {
        // The thread was deleted under it: its schedules go with it.
        await this.forgetThread(run.threadId);
        continue;
      }
      if (thread.trashedAt !== undefined) {
        await this.skip(run, schedule, 'Skipped: the conversation is in the trash.');
        continue;
      }
      const label = run.lateByMs === undefined ? '' : ` — ${lateLabel(run.lateByMs)}`;
      const body: EventBody = {
        kind: 'user_message',
        text: `[Scheduled: ${schedule.title}${label}]\n${schedule.prompt}`,
        by: { kind: 'runtime', clientId: 'schedule' },
        commandId: run.id,
        run: {
          scheduleId: schedule.id,
          runId: run.id,
          ...(run.lateByMs === undefined ? {} : { lateByMs: run.lateByMs }),
          ...(schedule.capUsd === undefined ? {} : { capUsd: schedule.capUsd }),
          ...(schedule.maxSteps === undefined ? {} : { maxSteps: schedule.maxSteps }),
        },
      };
      await this.deps.runs.start(schedule.threadId, RUN_KEY_PREFIX + run.id, body);
      await db.transaction('rw', db.schedules, db.scheduleRuns, async () => {
        await db.scheduleRuns.update(run.id, { status: 'started', startedAt: this.deps.now() });
        await db.schedules.update(schedule.id, { runCount: schedule.runCount + 1 });
      });
      this.deps.changed();
    }
  }

  private async skip(run: RunRecord, schedule: ScheduleRecord, reason: string): Promise<void> {
    const db = this.deps.db;
    const now = this.deps.now();
    await db.transaction('rw', db.schedules, db.scheduleRuns, async () => {
      await db.scheduleRuns.update(run.id, { status: 'skipped', outcome: 'skipped', summary: reason, finishedAt: now });
      await db.schedules.update(schedule.id, {
        lastRun: { runId: run.id, at: now, outcome: 'skipped', summary: reason },
      });
    });
    this.deps.changed();
  }

  private async inProgress(scheduleId: string): Promise<boolean> {
    const runs = await this.deps.db.scheduleRuns.where('scheduleId').equals(scheduleId).toArray();
    const now = this.deps.now();
    return runs.some((r) => isGoing(r, now));
  }

  private async change(id: string, edit: (schedule: ScheduleRecord) => void): Promise<ScheduleRecord> {
    const db = this.deps.db;
    const schedule = await db.transaction('rw', db.schedules, async () => {
      const found = await db.schedules.get(id);
      if (!found) throw new ScheduleNotFound(id);
      edit(found);
      await db.schedules.put(found);
      return found;
    });
    await this.settled();
    return schedule;
  }

  private async settled(): Promise<void> {
    await this.arm();
    this.deps.changed();
  }

  /** One wake-up, at the earliest next run of an active schedule. */
  private async arm(): Promise<void> {
    const first = await this.deps.db.schedules.orderBy('nextRunAt').first();
    this.deps.wake.at(first?.nextRunAt);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.firing.then(work);
    this.firing = run.catch(() => {});
    return run;
  }
}

/**
 * The first run of a new or edited rule: a time of day that is exactly now counts (08:00 set at
 * 08:00 runs), but an interval starts one period after its anchor, not at once.
 */
function firstRunFrom(rule: Recurrence, timeZone: string, now: number): number | undefined {
  return nextRunAfter(rule, timeZone, rule.kind === 'interval' ? Math.max(now, rule.anchorAt) : now - 1);
}

function setNext(schedule: ScheduleRecord, next: number | undefined): void {
  if (next === undefined) delete schedule.nextRunAt;
  else schedule.nextRunAt = next;
}

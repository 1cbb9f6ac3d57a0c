/**
 * When a schedule runs, as data: a one-off at a time, every N minutes or hours,
 * daily at a time, on chosen weekdays, or monthly on a day. Wall-clock rules are
 * read in the schedule's IANA time zone (extension/schedule/next-run.ts); intervals are absolute.
 * Shared by the runtime and both clients: the protocol carries these shapes.
 */
import { z } from 'zod/mini';

/** "HH:MM", 24-hour, local to the schedule's time zone. */
export const WallTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a 24-hour time such as 08:00.'));

export const Recurrence = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once'), at: z.int().check(z.nonnegative()) }),
  z.object({
    kind: z.literal('interval'),
    every: z.int().check(z.gte(1), z.lte(10_000)),
    unit: z.enum(['minutes', 'hours']),
    /** Runs fall at anchorAt + k × period (the creation time, unless given). */
    anchorAt: z.int().check(z.nonnegative()),
  }),
  z.object({ kind: z.literal('daily'), time: WallTime }),
  z.object({
    kind: z.literal('weekly'),
    /** 0 = Sunday … 6 = Saturday. */
    days: z.pipe(
      z.array(z.int().check(z.gte(0), z.lte(6))).check(z.minLength(1), z.maxLength(7)),
      z.transform((days) => [...new Set(days)].sort((a, b) => a - b)),
    ),
    time: WallTime,
  }),
  /** `day` past a month's end means that month's last day (31 → 30 April, 28 or 29 February). */
  z.object({ kind: z.literal('monthly'), day: z.int().check(z.gte(1), z.lte(31)), time: WallTime }),
]);
export type Recurrence = z.infer<typeof Recurrence>;

/**
 * What a client or the model sends: a rule, or a one-off "after N minutes" that is fixed to a
 * time when the schedule is created (and an interval without an anchor, anchored then too).
 */
export const RecurrenceInput = z.union([
  z.object({ kind: z.literal('after'), minutes: z.int().check(z.gte(1), z.lte(525_600)) }),
  z.object({
    kind: z.literal('interval'),
    every: z.int().check(z.gte(1), z.lte(10_000)),
    unit: z.enum(['minutes', 'hours']),
    anchorAt: z.optional(z.int().check(z.nonnegative())),
  }),
  Recurrence,
]);
export type RecurrenceInput = z.infer<typeof RecurrenceInput>;

/** A time zone the platform's Intl knows; an unknown one would silently fall back to UTC otherwise. */
export const TimeZone = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'Unknown time zone.'),
);

/** A schedule's prompt: what each run sends to the thread, as a user message would. */
export const SchedulePrompt = z.string().check(z.trim(), z.minLength(1), z.maxLength(20_000));

/**
 * `run_once`: a run missed while the browser was closed or the computer asleep runs once when
 * Tandem is back, labelled "late by N min"; `skip`: it is skipped (noted in the list). Never stacked.
 */
export const MissedRunPolicy = z.enum(['run_once', 'skip']);
export type MissedRunPolicy = z.infer<typeof MissedRunPolicy>;

/** What a user (or the model, after the user approved) sets on a schedule. */
export const ScheduleFields = z.object({
  title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  prompt: SchedulePrompt,
  recurrence: RecurrenceInput,
  timeZone: TimeZone,
  missedPolicy: z._default(MissedRunPolicy, 'run_once'),
  /** Spending cap per run (USD): the run pauses and asks, as a task at the global cap does. */
  capUsd: z.optional(z.number().check(z.positive(), z.lte(10_000))),
  /** Model calls per run before it pauses and asks. */
  maxSteps: z.optional(z.int().check(z.gte(1), z.lte(1_000))),
  /** This many failed runs in a row pause the schedule and tell the user. */
  maxFailures: z._default(z.int().check(z.gte(1), z.lte(100)), 3),
});
export type ScheduleFields = z.infer<typeof ScheduleFields>;
export const ScheduleFieldsPatch = z.strictObject(z.partial(ScheduleFields).shape);
export type ScheduleFieldsPatch = z.infer<typeof ScheduleFieldsPatch>;

export const ScheduleStatus = z.enum(['active', 'paused', 'done']);
export type ScheduleStatus = z.infer<typeof ScheduleStatus>;

export const RunOutcome = z.enum([
  'completed',
  'stopped',
  'failed',
  'max_tokens',
  'refusal',
  'budget_stopped',
  'skipped',
]);
export type RunOutcome = z.infer<typeof RunOutcome>;

export const LastRun = z.object({
  runId: z.string(),
  at: z.number(),
  outcome: RunOutcome,
  /** The run's result in one line (the last thing the model said, or why it was skipped). */
  summary: z.string(),
  lateByMs: z.optional(z.number().check(z.nonnegative())),
});
export type LastRun = z.infer<typeof LastRun>;

/** A schedule as clients see it (the list per thread and across threads). */
export const ScheduleView = z.object({
  id: z.string(),
  threadId: z.string(),
  threadTitle: z.string(),
  title: z.string(),
  prompt: z.string(),
  recurrence: Recurrence,
  timeZone: z.string(),
  missedPolicy: MissedRunPolicy,
  capUsd: z.optional(z.number()),
  maxSteps: z.optional(z.int()),
  maxFailures: z.int(),
  /** The rule in words: "Every weekday at 08:00". */
  description: z.string(),
  status: ScheduleStatus,
  pausedReason: z.optional(z.string()),
  createdBy: z.enum(['user', 'model']),
  createdAt: z.number(),
  nextRunAt: z.optional(z.number()),
  lastRun: z.optional(LastRun),
  /** A run started and not finished yet. */
  running: z.boolean(),
  runCount: z.int().check(z.nonnegative()),
  consecutiveFailures: z.int().check(z.nonnegative()),
  costUsd: z.number().check(z.nonnegative()),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

/** A saved prompt, invoked as `/name` in the composer; its optional default schedule is a starting point. */
export const ShortcutName = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'Use 1-32 lowercase letters, digits, "-" or "_".'));
export const Shortcut = z.object({
  name: ShortcutName,
  prompt: SchedulePrompt,
  defaultRecurrence: z.optional(RecurrenceInput),
});
export type Shortcut = z.infer<typeof Shortcut>;

/** What a scheduled run's user message carries: which schedule, and the per-run limits. */
export const ScheduledRun = z.object({
  scheduleId: z.string(),
  runId: z.string(),
  lateByMs: z.optional(z.number().check(z.nonnegative())),
  capUsd: z.optional(z.number().check(z.positive())),
  maxSteps: z.optional(z.int().check(z.positive())),
});
export type ScheduledRun = z.infer<typeof ScheduledRun>;

/**
 * When a schedule runs, as data: a one-off at a time, every N minutes or hours,
 * daily at a time, on chosen weekdays, or monthly on a day. Wall-clock rules are
 * read in the schedule's IANA time zone (extension/schedule/next-run.ts); intervals are absolute.
 * Shared by the runtime and both clients: the protocol carries these shapes.
 */
import { z } from 'zod';

/** "HH:MM", 24-hour, local to the schedule's time zone. */
export const WallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a 24-hour time such as 08:00.');

export const Recurrence = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once'), at: z.number().int().nonnegative() }),
  z.object({
    kind: z.literal('interval'),
    every: z.number().int().min(1).max(10_000),
    unit: z.enum(['minutes', 'hours']),
    /** Runs fall at anchorAt + k × period (the creation time, unless given). */
    anchorAt: z.number().int().nonnegative(),
  }),
  z.object({ kind: z.literal('daily'), time: WallTime }),
  z.object({
    kind: z.literal('weekly'),
    /** 0 = Sunday … 6 = Saturday. */
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1)
      .max(7)
      .transform((days) => [...new Set(days)].sort((a, b) => a - b)),
    time: WallTime,
  }),
  /** `day` past a month's end means that month's last day (31 → 30 April, 28 or 29 February). */
  z.object({ kind: z.literal('monthly'), day: z.number().int().min(1).max(31), time: WallTime }),
]);
export type Recurrence = z.infer<typeof Recurrence>;

/**
 * What a client or the model sends: a rule, or a one-off "after N minutes" that is fixed to a
 * time when the schedule is created (and an interval without an anchor, anchored then too).
 */
export const RecurrenceInput = z.union([
  z.object({ kind: z.literal('after'), minutes: z.number().int().min(1).max(525_600) }),
  z.object({
    kind: z.literal('interval'),
    every: z.number().int().min(1).max(10_000),
    unit: z.enum(['minutes', 'hours']),
    anchorAt: z.number().int().nonnegative().optional(),
  }),
  Recurrence,
]);
export type RecurrenceInput = z.infer<typeof RecurrenceInput>;

/** A time zone the platform's Intl knows; an unknown one would silently fall back to UTC otherwise. */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'Unknown time zone.');

/** A schedule's prompt: what each run sends to the thread, as a user message would. */
export const SchedulePrompt = z.string().trim().min(1).max(20_000);

/**
 * `run_once`: a run missed while the browser was closed or the computer asleep runs once when
 * Tandem is back, labelled "late by N min"; `skip`: it is skipped (noted in the list). Never stacked.
 */
export const MissedRunPolicy = z.enum(['run_once', 'skip']);
export type MissedRunPolicy = z.infer<typeof MissedRunPolicy>;

/** What a user (or the model, after the user approved) sets on a schedule. */
export const ScheduleFields = z.object({
  title: z.string().trim().min(1).max(200),
  prompt: SchedulePrompt,
  recurrence: RecurrenceInput,
  timeZone: TimeZone,
  missedPolicy: MissedRunPolicy.default('run_once'),
  /** Spending cap per run (USD): the run pauses and asks, as a task at the global cap does. */
  capUsd: z.number().positive().max(10_000).optional(),
  /** Model calls per run before it pauses and asks. */
  maxSteps: z.number().int().min(1).max(1_000).optional(),
  /** This many failed runs in a row pause the schedule and tell the user. */
  maxFailures: z.number().int().min(1).max(100).default(3),
});
export type ScheduleFields = z.infer<typeof ScheduleFields>;
export const ScheduleFieldsPatch = ScheduleFields.partial().strict();
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
  lateByMs: z.number().nonnegative().optional(),
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
  capUsd: z.number().optional(),
  maxSteps: z.number().int().optional(),
  maxFailures: z.number().int(),
  /** The rule in words: "Every weekday at 08:00". */
  description: z.string(),
  status: ScheduleStatus,
  pausedReason: z.string().optional(),
  createdBy: z.enum(['user', 'model']),
  createdAt: z.number(),
  nextRunAt: z.number().optional(),
  lastRun: LastRun.optional(),
  /** A run started and not finished yet. */
  running: z.boolean(),
  runCount: z.number().int().nonnegative(),
  consecutiveFailures: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

/** A saved prompt, invoked as `/name` in the composer; its optional default schedule is a starting point. */
export const ShortcutName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'Use 1-32 lowercase letters, digits, "-" or "_".');
export const Shortcut = z.object({
  name: ShortcutName,
  prompt: SchedulePrompt,
  defaultRecurrence: RecurrenceInput.optional(),
});
export type Shortcut = z.infer<typeof Shortcut>;

/** What a scheduled run's user message carries: which schedule, and the per-run limits. */
export const ScheduledRun = z.object({
  scheduleId: z.string(),
  runId: z.string(),
  lateByMs: z.number().nonnegative().optional(),
  capUsd: z.number().positive().optional(),
  maxSteps: z.number().int().positive().optional(),
});
export type ScheduledRun = z.infer<typeof ScheduledRun>;

/**
 * When a schedule runs, as data: a one-off at a time, every N minutes or hours,
 * daily at a time, on chosen weekdays, or monthly on a day. Wall-clock rules are
 * read in the schedule's IANA time zone (see next-run.ts); intervals are absolute.
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

export function resolveRecurrence(input: RecurrenceInput, now: number): Recurrence {
  if (input.kind === 'after') return { kind: 'once', at: now + input.minutes * 60_000 };
  if (input.kind === 'interval') return { ...input, anchorAt: input.anchorAt ?? now };
  return input;
}

export function periodMs(rule: Extract<Recurrence, { kind: 'interval' }>): number {
  return rule.every * (rule.unit === 'hours' ? 3_600_000 : 60_000);
}

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

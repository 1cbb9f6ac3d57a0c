/**
 * The next time a schedule runs, strictly after a given instant. Pure: the caller
 * passes the clock's reading, so tests cover DST, month ends and leap days without waiting.
 */
import type { Recurrence, RecurrenceInput } from '../../shared/protocol/schedules';
import { daysInMonth, wallClockOf, weekdayOf, zonedToUtc } from './zoned-time';

/** Far enough for any rule (a monthly one on the 31st still runs every month, clamped). */
const MAX_DAYS_AHEAD = 400;

export function nextRunAfter(rule: Recurrence, timeZone: string, after: number): number | undefined {
  switch (rule.kind) {
    case 'once':
      return rule.at > after ? rule.at : undefined;
    case 'interval': {
      const period = periodMs(rule);
      if (after < rule.anchorAt) return rule.anchorAt;
      return rule.anchorAt + (Math.floor((after - rule.anchorAt) / period) + 1) * period;
    }
    default:
      return nextWallClockRun(rule, timeZone, after);
  }
}

function nextWallClockRun(
  rule: Extract<Recurrence, { kind: 'daily' | 'weekly' | 'monthly' }>,
  timeZone: string,
  after: number,
): number | undefined {
  const [hour, minute] = rule.time.split(':').map(Number) as [number, number];
  const start = wallClockOf(after, timeZone);
  // Walk calendar dates from the day before (a zone's offset can put the next run on the local "yesterday").
  let cursor = Date.UTC(start.year, start.month - 1, start.day) - 86_400_000;
  for (let i = 0; i <= MAX_DAYS_AHEAD; i++, cursor += 86_400_000) {
    const date = new Date(cursor);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (!matches(rule, year, month, day)) continue;
    const at = zonedToUtc({ year, month, day, hour, minute }, timeZone);
    if (at > after) return at;
  }
  return undefined;
}

function matches(rule: Extract<Recurrence, { kind: 'daily' | 'weekly' | 'monthly' }>, y: number, m: number, d: number) {
  if (rule.kind === 'daily') return true;
  if (rule.kind === 'weekly') return rule.days.includes(weekdayOf(y, m, d));
  return d === Math.min(rule.day, daysInMonth(y, m));
}

/** Fixes a client's "after N minutes" to a time, and anchors an interval, when the schedule is created. */
export function resolveRecurrence(input: RecurrenceInput, now: number): Recurrence {
  if (input.kind === 'after') return { kind: 'once', at: now + input.minutes * 60_000 };
  if (input.kind === 'interval') return { ...input, anchorAt: input.anchorAt ?? now };
  return input;
}

export function periodMs(rule: Extract<Recurrence, { kind: 'interval' }>): number {
  return rule.every * (rule.unit === 'hours' ? 3_600_000 : 60_000);
}

/** The latest time the rule ran (or should have) at or before `now`, from a known one: what a late run is late against. */
export function latestRunAtOrBefore(rule: Recurrence, timeZone: string, known: number, now: number): number {
  if (rule.kind === 'interval') {
    const period = periodMs(rule);
    return known + Math.floor((now - known) / period) * period;
  }
  let latest = known;
  // Bounded: a daily rule asleep for a year is 365 steps.
  for (let i = 0; i < 5_000; i++) {
    const next = nextRunAfter(rule, timeZone, latest);
    if (next === undefined || next > now) break;
    latest = next;
  }
  return latest;
}

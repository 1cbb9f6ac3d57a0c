/**
 * What to do with a schedule at an instant: nothing yet, run (on time or late), or skip
 * a missed run. Pure; the service applies the plan in one transaction.
 */
import { latestRunAtOrBefore, nextRunAfter } from './next-run';
import type { ScheduleRecord } from './schedule-record';

/** An alarm this late is still "on time": Chrome may delay alarms, and a worker takes a moment to wake. */
export const ON_TIME_GRACE_MS = 60_000;

export type DuePlan =
  | { kind: 'none' }
  | { kind: 'run'; dueAt: number; lateByMs: number | undefined; nextRunAt: number | undefined }
  | { kind: 'skip'; dueAt: number; reason: string; nextRunAt: number | undefined };

/**
 * Every missed occurrence collapses into one: the next time is computed from now, not from the
 * missed one, so a week asleep gives one late run (or one skip), never seven.
 */
export function planDue(schedule: ScheduleRecord, now: number, runInProgress: boolean): DuePlan {
  const firstDue = schedule.nextRunAt;
  if (schedule.status !== 'active' || firstDue === undefined || firstDue > now) return { kind: 'none' };
  // Late against the most recent time it should have run, not the first one missed.
  const dueAt = latestRunAtOrBefore(schedule.recurrence, schedule.timeZone, firstDue, now);
  const nextRunAt = nextRunAfter(schedule.recurrence, schedule.timeZone, now);
  const late = now - dueAt;
  if (runInProgress) return { kind: 'skip', dueAt, reason: 'Skipped: the previous run was still going.', nextRunAt };
  if (late <= ON_TIME_GRACE_MS) return { kind: 'run', dueAt, lateByMs: undefined, nextRunAt };
  if (schedule.missedPolicy === 'skip') {
    return { kind: 'skip', dueAt, reason: 'Skipped: missed while the browser was closed or asleep.', nextRunAt };
  }
  return { kind: 'run', dueAt, lateByMs: late, nextRunAt };
}

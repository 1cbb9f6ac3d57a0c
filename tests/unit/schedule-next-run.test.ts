import { describe, expect, it } from 'vitest';
import { describeRecurrence } from '../../extension/schedule/describe';
import { nextRunAfter } from '../../extension/schedule/next-run';
import { zonedToUtc } from '../../extension/schedule/zoned-time';
import { Recurrence } from '../../shared/protocol/schedules';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('schedule next run', () => {
  it('runs daily at a wall-clock time in the user time zone', () => {
    const rule = Recurrence.parse({ kind: 'daily', time: '08:00' });
    // 07:59 in Paris (UTC+1 in January) → 08:00 the same day.
    expect(iso(nextRunAfter(rule, 'Europe/Paris', utc('2026-01-15T06:59:00Z')))).toBe('2026-01-15T07:00:00.000Z');
    // Exactly at 08:00 → the next day (strictly after).
    expect(iso(nextRunAfter(rule, 'Europe/Paris', utc('2026-01-15T07:00:00Z')))).toBe('2026-01-16T07:00:00.000Z');
  });

  it('keeps 08:00 local across DST forward and back (Europe and America)', () => {
    const rule = Recurrence.parse({ kind: 'daily', time: '08:00' });
    // Europe springs forward on 2026-03-29: 08:00 is 07:00Z before, 06:00Z after.
    expect(iso(nextRunAfter(rule, 'Europe/Paris', utc('2026-03-28T07:30:00Z')))).toBe('2026-03-29T06:00:00.000Z');
    // And falls back on 2026-10-25: 06:00Z before, 07:00Z after.
    expect(iso(nextRunAfter(rule, 'Europe/Paris', utc('2026-10-24T06:30:00Z')))).toBe('2026-10-25T07:00:00.000Z');
    // New York: forward 2026-03-08, back 2026-11-01.
    expect(iso(nextRunAfter(rule, 'America/New_York', utc('2026-03-07T13:30:00Z')))).toBe('2026-03-08T12:00:00.000Z');
    expect(iso(nextRunAfter(rule, 'America/New_York', utc('2026-10-31T12:30:00Z')))).toBe('2026-11-01T13:00:00.000Z');
  });

  it('moves a time that does not exist (spring gap) forward by the gap and runs a repeated time once', () => {
    const rule = Recurrence.parse({ kind: 'daily', time: '02:30' });
    // 02:30 does not exist in Paris on 2026-03-29 (02:00 → 03:00): it runs at 03:30 local = 01:30Z.
    expect(iso(nextRunAfter(rule, 'Europe/Paris', utc('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 happens twice on 2026-10-25: the first one (CEST, 00:30Z), and not again at 01:30Z.
    const fallBack = Recurrence.parse({ kind: 'daily', time: '02:30' });
    const first = nextRunAfter(fallBack, 'Europe/Paris', utc('2026-10-24T12:00:00Z'));
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextRunAfter(fallBack, 'Europe/Paris', first as number))).toBe('2026-10-26T01:30:00.000Z');
  });

  it('runs on chosen weekdays only', () => {
    const rule = Recurrence.parse({ kind: 'weekly', days: [1, 2, 3, 4, 5], time: '08:00' });
    // Friday 2026-01-16 after 08:00 UTC → Monday 2026-01-19.
    expect(iso(nextRunAfter(rule, 'UTC', utc('2026-01-16T09:00:00Z')))).toBe('2026-01-19T08:00:00.000Z');
    expect(iso(nextRunAfter(rule, 'UTC', utc('2026-01-19T07:00:00Z')))).toBe('2026-01-19T08:00:00.000Z');
  });

  it('runs monthly on a day, on the last day of shorter months, and on leap days', () => {
    const rule = Recurrence.parse({ kind: 'monthly', day: 31, time: '09:00' });
    expect(iso(nextRunAfter(rule, 'UTC', utc('2026-01-31T10:00:00Z')))).toBe('2026-02-28T09:00:00.000Z');
    expect(iso(nextRunAfter(rule, 'UTC', utc('2026-02-28T10:00:00Z')))).toBe('2026-03-31T09:00:00.000Z');
    expect(iso(nextRunAfter(rule, 'UTC', utc('2026-04-01T00:00:00Z')))).toBe('2026-04-30T09:00:00.000Z');
    const leap = Recurrence.parse({ kind: 'monthly', day: 29, time: '09:00' });
    expect(iso(nextRunAfter(leap, 'UTC', utc('2028-01-30T00:00:00Z')))).toBe('2028-02-29T09:00:00.000Z');
    expect(iso(nextRunAfter(leap, 'UTC', utc('2027-01-30T00:00:00Z')))).toBe('2027-02-28T09:00:00.000Z');
  });

  it('runs every N minutes or hours from its anchor, in absolute time (DST does not shift it)', () => {
    const rule = Recurrence.parse({
      kind: 'interval',
      every: 90,
      unit: 'minutes',
      anchorAt: utc('2026-03-29T00:00:00Z'),
    });
    expect(iso(nextRunAfter(rule, 'Europe/Paris', utc('2026-03-29T00:00:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(nextRunAfter(rule, 'Europe/Paris', utc('2026-03-29T04:00:00Z')))).toBe('2026-03-29T04:30:00.000Z');
    const hours = Recurrence.parse({
      kind: 'interval',
      every: 2,
      unit: 'hours',
      anchorAt: utc('2026-01-01T00:00:00Z'),
    });
    expect(iso(nextRunAfter(hours, 'UTC', utc('2026-01-01T03:00:00Z')))).toBe('2026-01-01T04:00:00.000Z');
  });

  it('runs a one-off once, and never after its time', () => {
    const rule = Recurrence.parse({ kind: 'once', at: utc('2026-05-01T10:00:00Z') });
    expect(iso(nextRunAfter(rule, 'UTC', utc('2026-05-01T09:00:00Z')))).toBe('2026-05-01T10:00:00.000Z');
    expect(nextRunAfter(rule, 'UTC', utc('2026-05-01T10:00:00Z'))).toBeUndefined();
  });

  it('refuses malformed rules with a clear error', () => {
    expect(Recurrence.safeParse({ kind: 'daily', time: '25:00' }).success).toBe(false);
    expect(Recurrence.safeParse({ kind: 'weekly', days: [], time: '08:00' }).success).toBe(false);
    expect(Recurrence.safeParse({ kind: 'monthly', day: 32, time: '08:00' }).success).toBe(false);
    expect(Recurrence.safeParse({ kind: 'interval', every: 0, unit: 'minutes', anchorAt: 0 }).success).toBe(false);
  });

  it('converts a wall-clock time to UTC in a zone', () => {
    expect(iso(zonedToUtc({ year: 2026, month: 7, day: 1, hour: 12, minute: 0 }, 'Asia/Kolkata'))).toBe(
      '2026-07-01T06:30:00.000Z',
    );
  });

  it('says each rule in words', () => {
    expect(describeRecurrence(Recurrence.parse({ kind: 'weekly', days: [1, 2, 3, 4, 5], time: '08:00' }), 'UTC')).toBe(
      'Every weekday at 08:00',
    );
    expect(describeRecurrence(Recurrence.parse({ kind: 'weekly', days: [1, 3], time: '18:30' }), 'UTC')).toBe(
      'Every Mon, Wed at 18:30',
    );
    expect(describeRecurrence(Recurrence.parse({ kind: 'daily', time: '07:05' }), 'UTC')).toBe('Every day at 07:05');
    expect(
      describeRecurrence(Recurrence.parse({ kind: 'interval', every: 1, unit: 'hours', anchorAt: 0 }), 'UTC'),
    ).toBe('Every hour');
    expect(
      describeRecurrence(Recurrence.parse({ kind: 'interval', every: 15, unit: 'minutes', anchorAt: 0 }), 'UTC'),
    ).toBe('Every 15 minutes');
    expect(describeRecurrence(Recurrence.parse({ kind: 'monthly', day: 31, time: '09:00' }), 'UTC')).toBe(
      'Monthly on day 31 at 09:00 (the last day in shorter months)',
    );
    expect(
      describeRecurrence(Recurrence.parse({ kind: 'once', at: utc('2026-05-01T10:00:00Z') }), 'Europe/Paris'),
    ).toBe('Once, on 2026-05-01 at 12:00');
  });
});

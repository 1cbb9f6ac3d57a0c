import { describe, expect, it } from 'vitest';
import { dateGroup, groupByDate, messageTime } from '../../shared/ui/date-groups';

const now = new Date(2026, 11, 1, 16, 30).getTime();
const at = (days: number, hours = 12) => new Date(2026, 11, 1 - days, hours, 5).getTime();

describe('thread list date groups', () => {
  it('names calendar days, not 24-hour spans', () => {
    expect(dateGroup(new Date(2026, 11, 1, 0, 1).getTime(), now)).toBe('Today');
    expect(dateGroup(new Date(2026, 10, 30, 23, 59).getTime(), now)).toBe('Yesterday');
    expect(dateGroup(at(3), now)).toBe('Previous 7 days');
    expect(dateGroup(at(12), now)).toBe('Previous 30 days');
    expect(dateGroup(at(90), now)).toBe('Older');
  });

  it('cuts a newest-first list into consecutive groups', () => {
    const threads = [at(0), at(0, 9), at(1), at(5), at(40)].map((updatedAt, i) => ({ id: `t${i}`, updatedAt }));
    const groups = groupByDate(threads, (t) => t.updatedAt, now);
    expect(groups.map((g) => [g.label, g.items.map((t) => t.id)])).toEqual([
      ['Today', ['t0', 't1']],
      ['Yesterday', ['t2']],
      ['Previous 7 days', ['t3']],
      ['Older', ['t4']],
    ]);
  });
});

describe('message times', () => {
  it('shows the time today, the weekday this week, and the date before', () => {
    expect(messageTime(at(0, 14), now, 'en-GB')).toBe('14:05');
    expect(messageTime(at(1, 14), now, 'en-GB')).toBe('Mon 14:05');
    expect(messageTime(at(40, 14), now, 'en-GB')).toBe('22 Oct 14:05');
  });
});

/** "Today", "Yesterday", … for the thread list, and short message times. Pure (the clock is passed in). */

export type DateGroup = 'Today' | 'Yesterday' | 'Previous 7 days' | 'Previous 30 days' | 'Older';

function startOfDay(ms: number): number {
  const day = new Date(ms);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** The group a time falls in, by calendar day in the local time zone. */
export function dateGroup(at: number, now: number): DateGroup {
  const today = startOfDay(now);
  const day = startOfDay(at);
  // Whole days between the two calendar days (DST makes a day 23 or 25 hours: round).
  const daysAgo = Math.round((today - day) / 86_400_000);
  if (daysAgo <= 0) return 'Today';
  if (daysAgo === 1) return 'Yesterday';
  if (daysAgo < 7) return 'Previous 7 days';
  if (daysAgo < 30) return 'Previous 30 days';
  return 'Older';
}

/** Items (already sorted newest first) cut into consecutive runs of the same group. */
export function groupByDate<T>(items: readonly T[], at: (item: T) => number, now: number) {
  const groups: { label: DateGroup; items: T[] }[] = [];
  for (const item of items) {
    const label = dateGroup(at(item), now);
    const last = groups.at(-1);
    if (last?.label === label) last.items.push(item);
    else groups.push({ label, items: [item] });
  }
  return groups;
}

/** "14:05" today, "Mon 14:05" this week, "3 Nov 14:05" before; the full date goes in a tooltip. */
export function messageTime(at: number, now: number, locale?: string): string {
  const time = new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const group = dateGroup(at, now);
  if (group === 'Today') return time;
  if (group === 'Yesterday' || group === 'Previous 7 days') {
    return `${new Date(at).toLocaleDateString(locale, { weekday: 'short' })} ${time}`;
  }
  return `${new Date(at).toLocaleDateString(locale, { day: 'numeric', month: 'short' })} ${time}`;
}

/** How the Sites view words a rule: its duration and when it was last used. Pure, unit-tested. */
import type { SiteEntry } from '../../../shared/protocol/messages';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function relativeTime(at: number, now: number): string {
  const ago = now - at;
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  const days = Math.floor(ago / DAY);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

export function durationText(entry: SiteEntry, now: number, locale?: string): string {
  switch (entry.duration) {
    case 'always':
      return 'Always';
    case 'task':
      return 'For one task';
    case 'timed': {
      const until = entry.expiresAt ?? now;
      const sameDay = new Date(until).toDateString() === new Date(now).toDateString();
      const time = new Date(until).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
      return sameDay
        ? `Until ${time}`
        : `Until ${new Date(until).toLocaleDateString(locale, { weekday: 'short' })} ${time}`;
    }
  }
}

export function lastUsedText(entry: SiteEntry, now: number): string {
  return entry.lastUsedAt === undefined ? 'Not used yet' : `Used ${relativeTime(entry.lastUsedAt, now)}`;
}

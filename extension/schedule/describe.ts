/** A schedule's rule in words, for the list and the approval card ("Every weekday at 08:00"). */
import type { Recurrence } from '../../shared/protocol/schedules';
import { wallClockOf } from './zoned-time';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

export function describeRecurrence(rule: Recurrence, timeZone: string): string {
  switch (rule.kind) {
    case 'once': {
      const w = wallClockOf(rule.at, timeZone);
      return `Once, on ${w.year}-${pad(w.month)}-${pad(w.day)} at ${pad(w.hour)}:${pad(w.minute)}`;
    }
    case 'interval': {
      const unit = rule.unit === 'hours' ? 'hour' : 'minute';
      return rule.every === 1 ? `Every ${unit}` : `Every ${rule.every} ${unit}s`;
    }
    case 'daily':
      return `Every day at ${rule.time}`;
    case 'weekly': {
      const days = rule.days.join(',');
      if (days === '1,2,3,4,5') return `Every weekday at ${rule.time}`;
      if (days === '0,6') return `Every weekend day at ${rule.time}`;
      if (rule.days.length === 7) return `Every day at ${rule.time}`;
      return `Every ${rule.days.map((d) => DAY_NAMES[d]).join(', ')} at ${rule.time}`;
    }
    case 'monthly':
      return `Monthly on day ${rule.day} at ${rule.time}${rule.day > 28 ? ' (the last day in shorter months)' : ''}`;
  }
}

/** "late by 47 min" (never "late by 0 min"). */
export function lateLabel(lateByMs: number): string {
  const minutes = Math.max(1, Math.round(lateByMs / 60_000));
  if (minutes < 120) return `late by ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `late by ${hours} h${rest ? ` ${rest} min` : ''}`;
}

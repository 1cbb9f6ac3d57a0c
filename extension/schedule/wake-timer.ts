/**
 * The one wake-up for the earliest due schedule, kept two ways:
 * - a durable platform alarm (`alarms.create(name, { when })`), which wakes a stopped service
 *   worker and is set again on every start, since alarms do not survive everything (an update,
 *   a profile copied, Firefox restarts);
 * - an in-process timer for the exact time while the worker is alive: Chrome may fire an alarm
 *   late (it batches them; packed extensions get at most one per 30 s), a timer is on time.
 * Both end in the same `fire()`, which is idempotent (see ScheduleService.fireDue).
 */
import type { WakeUp } from './schedule-service';

/** The browser alarm that wakes the worker for the earliest due schedule. */
export const SCHEDULE_ALARM = 'tandem-schedule';

export interface AlarmPort {
  set(when: number): void;
  clear(): void;
}

/** setTimeout's limit is 2^31-1 ms; a far wake-up re-arms itself hourly instead. */
const MAX_TIMER_MS = 3_600_000;

export class WakeTimer implements WakeUp {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private when: number | undefined;

  constructor(
    private readonly alarm: AlarmPort | undefined,
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  at(when: number | undefined): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.when = when;
    if (when === undefined) {
      this.alarm?.clear();
      return;
    }
    this.alarm?.set(when);
    this.schedule();
  }

  private schedule(): void {
    const when = this.when;
    if (when === undefined) return;
    const wait = Math.max(0, when - this.now());
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (wait > MAX_TIMER_MS) this.schedule();
        else this.fire();
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }
}

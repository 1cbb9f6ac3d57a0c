/** How schedules and their runs are stored (extension/storage/db.ts, tables `schedules` and `scheduleRuns`). */
import type { LastRun, MissedRunPolicy, Recurrence, RunOutcome, ScheduleStatus } from '../../shared/protocol';

export interface ScheduleRecord {
  id: string;
  threadId: string;
  title: string;
  prompt: string;
  recurrence: Recurrence;
  timeZone: string;
  missedPolicy: MissedRunPolicy;
  capUsd?: number;
  maxSteps?: number;
  maxFailures: number;
  status: ScheduleStatus;
  pausedReason?: string;
  createdBy: 'user' | 'model';
  createdAt: number;
  /** Absent when the schedule will not run again (a one-off that ran, or paused). */
  nextRunAt?: number;
  lastRun?: LastRun;
  runCount: number;
  consecutiveFailures: number;
  costUsd: number;
}

/**
 * One run. It is written as `due` (with the schedule's next time advanced) in one transaction
 * before anything starts: a worker that dies after that finds it on its next start and starts it,
 * and the message it sends is appended once per run id, so a run never starts twice.
 */
export interface RunRecord {
  id: string;
  scheduleId: string;
  threadId: string;
  dueAt: number;
  firedAt: number;
  lateByMs?: number;
  manual?: boolean;
  status: 'due' | 'started' | 'finished' | 'skipped';
  startedAt?: number;
  finishedAt?: number;
  outcome?: RunOutcome;
  costUsd?: number;
  summary?: string;
}

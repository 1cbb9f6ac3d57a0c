/** Keeps a thread's summary row in step with the events appended to it (pure). */

import { addUsage } from '../../shared/pricing';
import type { ThreadEvent, ThreadSummary } from '../../shared/protocol';

/** Applies events to a summary in place; returns true when a client-visible field changed. */
export function applyToSummary(thread: ThreadSummary, events: readonly ThreadEvent[]): boolean {
  let changed = false;
  for (const event of events) {
    switch (event.kind) {
      case 'task_started':
      case 'turn_started':
        changed ||= thread.status !== 'running';
        thread.status = thread.pendingDecisions > 0 ? 'waiting' : 'running';
        break;
      case 'decision_requested':
        thread.pendingDecisions++;
        thread.status = 'waiting';
        changed = true;
        break;
      case 'decision_resolved':
        thread.pendingDecisions = Math.max(0, thread.pendingDecisions - 1);
        thread.status = thread.pendingDecisions > 0 ? 'waiting' : 'running';
        changed = true;
        break;
      case 'retry_scheduled':
        thread.status = 'retrying';
        changed = true;
        break;
      case 'assistant_message':
        thread.usage = addUsage(thread.usage, event.usage);
        thread.costUsd += event.costUsd;
        changed = true;
        break;
      case 'task_finished':
        thread.status = event.outcome === 'failed' ? 'failed' : 'idle';
        thread.pendingDecisions = 0;
        changed = true;
        break;
      case 'user_message':
        changed = true;
        break;
      default:
        break;
    }
  }
  return changed;
}

/** Builds thread events for pure unit tests: each call appends with the next seq. */
import type { EventBody, ThreadEvent } from '../../shared/protocol';

export function eventBuilder(threadId = 't1') {
  const events: ThreadEvent[] = [];
  const add = (...bodies: EventBody[]) => {
    for (const body of bodies)
      events.push({ ...body, threadId, seq: events.length + 1, at: 1000 + events.length } as ThreadEvent);
    return events.at(-1) as ThreadEvent;
  };
  return { events, add };
}

export const panel = { kind: 'panel' as const, clientId: 'p1' };
export const phone = { kind: 'phone' as const, clientId: 'f1' };
export const zeroUsage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

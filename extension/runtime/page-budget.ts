/**
 * Thread pages bounded by bytes, not only by count: one message with attachments can be megabytes
 * (protocol/attachments.ts), and a page the phone link cannot carry (8 MiB, shared/link/chunking.ts)
 * would close the phone's session on every resubscribe. A page keeps at least one event, and only
 * a contiguous run, so clients still see seqs in order with no gaps: the subscribe and history pages
 * keep their newest events (the client pages back for the rest), a catch-up keeps its oldest and
 * continues from there.
 */
import type { ThreadEvent } from '../../shared/protocol';

/** Half the link's message limit: the envelope and JSON escaping never push a page past it. */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

export function withinPageBudget(
  events: readonly ThreadEvent[],
  keep: 'newest' | 'oldest',
  maxBytes: number = MAX_PAGE_BYTES,
): ThreadEvent[] {
  const ordered = keep === 'newest' ? [...events].reverse() : [...events];
  const kept: ThreadEvent[] = [];
  let bytes = 0;
  for (const event of ordered) {
    bytes += JSON.stringify(event).length;
    if (kept.length > 0 && bytes > maxBytes) break;
    kept.push(event);
  }
  return keep === 'newest' ? kept.reverse() : kept;
}

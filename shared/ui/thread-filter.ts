/** Which threads the thread list shows, in what order. Pure. */
import type { ThreadSummary } from '../protocol/messages';

export interface ThreadFilter {
  /** Case-insensitive; every word must appear in the title. */
  query: string;
  showArchived: boolean;
}

/** Most recently updated first; archived threads only when asked for. */
export function filterThreads(threads: readonly ThreadSummary[], filter: ThreadFilter): ThreadSummary[] {
  const words = filter.query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return threads
    .filter((t) => filter.showArchived || !t.archived)
    .filter((t) => {
      const title = t.title.toLocaleLowerCase();
      return words.every((w) => title.includes(w));
    })
    .sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
}

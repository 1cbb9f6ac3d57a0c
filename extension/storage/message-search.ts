/**
 * Search inside messages across every thread (the thread list's search field, `threads.search`).
 *
 * Reads only the message events, through the events table's `kind` index (db.ts v4): tool
 * results (page text, screenshots) are most of a log's bytes and are never deserialised here.
 * Newest match first; threads in the trash are left out.
 */
import type { MessageHit, ThreadEvent, ThreadEventOf } from '../../shared/protocol';
import { foldForSearch, matchText, searchWords } from '../../shared/text/search-text';
import { summarizeToolInput } from '../../shared/ui/tool-input-summary';
import type { TandemDatabase } from './db';

export const SEARCHED_KINDS = ['user_message', 'assistant_message'] as const;

export interface SearchResult {
  hits: MessageHit[];
  more: boolean;
}

export async function searchMessages(db: TandemDatabase, query: string, limit: number): Promise<SearchResult> {
  const words = searchWords(query);
  if (words.length === 0) return { hits: [], more: false };
  const [events, threads] = await db.transaction('r', db.events, db.threads, () =>
    Promise.all([
      // One key range per kind (IDBIndex.getAll), not anyOf: a multi-range cursor is far slower.
      Promise.all(SEARCHED_KINDS.map((kind) => db.events.where('kind').equals(kind).toArray())),
      db.threads.toArray(),
    ]),
  );
  const trashed = new Set(threads.filter((t) => t.trashedAt !== undefined).map((t) => t.id));
  const hits: MessageHit[] = [];
  for (const event of events.flat()) {
    if (!trashed.has(event.threadId)) hits.push(...matchEvent(event, words));
  }
  hits.sort((a, b) => b.at - a.at || b.seq - a.seq || a.threadId.localeCompare(b.threadId));
  return { hits: hits.slice(0, limit), more: hits.length > limit };
}

function matchEvent(event: ThreadEvent, words: readonly string[]): MessageHit[] {
  const base = { threadId: event.threadId, seq: event.seq, at: event.at };
  if (event.kind === 'user_message') {
    const match = matchText(event.text, foldForSearch(event.text), words);
    return match ? [{ ...base, kind: 'user', ...match }] : [];
  }
  if (event.kind !== 'assistant_message') return [];
  return assistantHits(event, words).map((hit) => ({ ...base, turnId: event.turnId, ...hit }));
}

function assistantHits(event: ThreadEventOf<'assistant_message'>, words: readonly string[]) {
  const hits: Array<Pick<MessageHit, 'kind' | 'snippet' | 'ranges' | 'toolUseId'>> = [];
  // The same text the thread view shows for the turn.
  const text = event.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const match = text ? matchText(text, foldForSearch(text), words) : undefined;
  if (match) hits.push({ kind: 'assistant', ...match });
  for (const block of event.content) {
    if (block.type !== 'tool_use') continue;
    // What the tool card shows: the tool's name and its one-line input summary.
    const line = `${block.name} ${summarizeToolInput(block.input)}`.trim();
    const found = matchText(line, foldForSearch(line), words);
    if (found) hits.push({ kind: 'tool', toolUseId: block.id, ...found });
  }
  return hits;
}

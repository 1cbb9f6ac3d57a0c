/**
 * Search inside messages across every thread (the thread list's search field, `threads.search`).
 *
 * The first search reads only the message events, through the events table's `kind` index
 * (db.ts v5): tool results (page text, screenshots) are most of a log's bytes and are never
 * deserialised for it. Their text is then kept in memory, so the searches that follow while the
 * person types cost a scan of strings, not of IndexedDB. The cache checks itself against each
 * thread's `lastSeq` on every search and reads only what was appended since (by whatever path:
 * the runner, a restore), so it needs no hook into the writers. Newest match first; threads in
 * the trash are left out.
 */
import { Dexie } from 'dexie';
import type { MessageHit, ThreadEvent } from '../../shared/protocol';
import { foldForSearch, matchText, searchWords } from '../../shared/text/search-text';
import { summarizeToolInput } from '../../shared/ui/tool-input-summary';
import type { TandemDatabase } from './db';

export const SEARCHED_KINDS = ['user_message', 'assistant_message'] as const;
const SEARCHED = new Set<string>(SEARCHED_KINDS);
/** Past this much cached text (UTF-16 units) the cache is dropped and each search reads the log. */
const MAX_CACHED_CHARS = 40_000_000;

export interface SearchResult {
  hits: MessageHit[];
  more: boolean;
}

/** One searchable text: a user message, an assistant turn's words, or one tool call's summary line. */
interface Entry {
  seq: number;
  at: number;
  kind: MessageHit['kind'];
  turnId?: string;
  toolUseId?: string;
  text: string;
}

interface CachedThread {
  lastSeq: number;
  entries: Entry[];
}

export class MessageSearch {
  private cache = new Map<string, CachedThread>();
  private cachedChars = 0;
  private warm = false;

  constructor(private readonly db: TandemDatabase) {}

  async search(query: string, limit: number): Promise<SearchResult> {
    const words = searchWords(query);
    if (words.length === 0) return { hits: [], more: false };
    const threads = await this.refresh();
    const hits: MessageHit[] = [];
    for (const [threadId, cached] of threads) {
      for (const entry of cached.entries) {
        const match = matchText(entry.text, foldForSearch(entry.text), words);
        if (!match) continue;
        const { text: _text, ...where } = entry;
        hits.push({ threadId, ...where, ...match });
      }
    }
    hits.sort((a, b) => b.at - a.at || b.seq - a.seq || a.threadId.localeCompare(b.threadId));
    return { hits: hits.slice(0, limit), more: hits.length > limit };
  }

  /** The searchable texts of every thread not in the trash, brought up to date with the log. */
  private async refresh(): Promise<Map<string, CachedThread>> {
    return this.db.transaction('r', this.db.events, this.db.threads, async () => {
      const threads = await this.db.threads.toArray();
      const live = new Map<string, CachedThread>();
      if (!this.warm) {
        // Cold: every message event in one pass per kind (IDBIndex.getAll over a key range;
        // Dexie's anyOf() would walk a multi-range cursor, far slower).
        const lists = await Promise.all(
          SEARCHED_KINDS.map((kind) => this.db.events.where('kind').equals(kind).toArray()),
        );
        const byThread = new Map<string, ThreadEvent[]>();
        for (const event of lists.flat()) {
          const list = byThread.get(event.threadId) ?? [];
          list.push(event);
          byThread.set(event.threadId, list);
        }
        this.cache = new Map();
        this.cachedChars = 0;
        for (const thread of threads) {
          const events = (byThread.get(thread.id) ?? []).filter((e) => e.seq <= thread.lastSeq);
          this.store(thread.id, { lastSeq: thread.lastSeq, entries: events.flatMap(entriesOf) });
        }
        this.warm = this.cachedChars <= MAX_CACHED_CHARS;
      } else {
        for (const thread of threads) {
          const cached = this.cache.get(thread.id);
          if (cached && cached.lastSeq === thread.lastSeq) continue;
          // New events since the last search (or a thread not seen yet): read just those.
          const from = cached && cached.lastSeq < thread.lastSeq ? cached.lastSeq : 0;
          const added = await this.db.events
            .where('[threadId+seq]')
            .between([thread.id, from], [thread.id, Dexie.maxKey], false)
            .filter((e) => SEARCHED.has(e.kind))
            .toArray();
          const entries = [...(from > 0 && cached ? cached.entries : []), ...added.flatMap(entriesOf)];
          this.store(thread.id, { lastSeq: thread.lastSeq, entries });
        }
        if (this.cachedChars > MAX_CACHED_CHARS) this.warm = false;
      }
      const ids = new Set(threads.map((t) => t.id));
      for (const id of [...this.cache.keys()]) if (!ids.has(id)) this.forget(id);
      for (const thread of threads) {
        const cached = this.cache.get(thread.id);
        if (cached && thread.trashedAt === undefined) live.set(thread.id, cached);
      }
      if (!this.warm) this.cache = new Map(); // too big to keep: read again next time
      return live;
    });
  }

  private store(threadId: string, thread: CachedThread): void {
    this.forget(threadId);
    this.cache.set(threadId, thread);
    for (const entry of thread.entries) this.cachedChars += entry.text.length;
  }

  private forget(threadId: string): void {
    for (const entry of this.cache.get(threadId)?.entries ?? []) this.cachedChars -= entry.text.length;
    this.cache.delete(threadId);
  }
}

function entriesOf(event: ThreadEvent): Entry[] {
  const base = { seq: event.seq, at: event.at };
  if (event.kind === 'user_message') return event.text ? [{ ...base, kind: 'user', text: event.text }] : [];
  if (event.kind !== 'assistant_message') return [];
  const entries: Entry[] = [];
  // The same text the thread view shows for the turn.
  const text = event.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  if (text) entries.push({ ...base, kind: 'assistant', turnId: event.turnId, text });
  for (const block of event.content) {
    if (block.type !== 'tool_use') continue;
    // What the tool card shows: the tool's name and its one-line input summary.
    const line = `${block.name} ${summarizeToolInput(block.input)}`.trim();
    entries.push({ ...base, kind: 'tool', turnId: event.turnId, toolUseId: block.id, text: line });
  }
  return entries;
}

/** One search without a cache kept (tests, benchmarks). */
export function searchMessages(db: TandemDatabase, query: string, limit: number): Promise<SearchResult> {
  return new MessageSearch(db).search(query, limit);
}

/**
 * Search inside messages (issue 15), on an in-memory IndexedDB (fake-indexeddb, slower than a
 * browser's) holding 5,000 messages in 100 threads, each assistant turn followed by an 8 KB tool
 * result (the page text that makes up most of a real log):
 * - search_5000_messages_ms: median time of a first (cold) search for a rare word (goal < 200 ms).
 * - search_while_typing_ms: the same with the texts kept from the search before (the runtime's case).
 * - search_common_word_ms: the same for a word in every message (every message is a hit, 50 kept).
 * - search_vs_full_scan_ratio: that time over a baseline measured in the same run, the naive
 *   search that reads every event of the log and matches the same text. In fake-indexeddb an index
 *   read costs about what a table scan does (≈ 1); a browser's IndexedDB is where the index pays.
 * - search_while_typing_vs_full_scan_ratio: the kept-texts search over that baseline. Goal < 0.1.
 */
import 'fake-indexeddb/auto';
import { TandemDatabase } from '../extension/storage/db';
import { EventLog } from '../extension/storage/event-log';
import { MessageSearch, searchMessages } from '../extension/storage/message-search';
import { ZERO_USAGE } from '../shared/pricing';
import type { EventBody } from '../shared/protocol';
import { foldForSearch, matchText, searchWords } from '../shared/text/search-text';
import type { Metric } from './index';
import { median, round } from './stats';

const THREADS = 100;
const MESSAGES = 5_000;
const RUNS = 3;
const WORDS = 'the report says revenue grew in spring while costs fell across every region we looked at'.split(' ');

function sentence(i: number, length: number): string {
  let text = '';
  for (let w = 0; text.length < length; w++) text += `${WORDS[(i * 7 + w) % WORDS.length]} `;
  return text.trim();
}

async function fill(db: TandemDatabase): Promise<void> {
  const log = new EventLog(db);
  const perThread = MESSAGES / THREADS;
  for (let t = 0; t < THREADS; t++) {
    const id = `thread-${t}`;
    await db.threads.add({
      id,
      title: id,
      createdAt: 0,
      updatedAt: 0,
      archived: false,
      lastSeq: 0,
      status: 'idle',
      pendingDecisions: 0,
      usage: ZERO_USAGE,
      costUsd: 0,
    });
    const bodies: EventBody[] = [];
    for (let m = 0; m < perThread; m += 2) {
      const n = t * perThread + m;
      const rare = n === 4_320 ? ' zanzibar' : '';
      bodies.push({
        kind: 'user_message',
        text: `${sentence(n, 200)}${rare}`,
        by: { kind: 'panel', clientId: 'p' },
        commandId: `c${n}`,
      });
      bodies.push({
        kind: 'assistant_message',
        taskId: 'task',
        turnId: `turn-${n}`,
        model: 'claude-sonnet-5-5',
        content: [
          { type: 'text', text: sentence(n + 1, 600) },
          { type: 'tool_use', id: `tool-${n}`, name: 'read_page', input: { url: `https://example.com/${n}` } },
        ],
        stopReason: 'tool_use',
        usage: ZERO_USAGE,
        costUsd: 0,
      });
      bodies.push({
        kind: 'tool_result',
        taskId: 'task',
        toolUseId: `tool-${n}`,
        name: 'read_page',
        isError: false,
        truncated: false,
        content: [{ type: 'text', text: sentence(n + 2, 8_000) }],
      });
    }
    await log.append(id, bodies);
  }
}

/** The baseline: every event read, the same matching applied. */
async function fullScan(db: TandemDatabase, query: string): Promise<number> {
  const words = searchWords(query);
  let hits = 0;
  for (const event of await db.events.toArray()) {
    const text =
      event.kind === 'user_message'
        ? event.text
        : event.kind === 'assistant_message'
          ? event.content.map((b) => (b.type === 'text' ? b.text : '')).join('')
          : '';
    if (text && matchText(text, foldForSearch(text), words)) hits++;
  }
  return hits;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function runSearchBench(): Promise<Metric[]> {
  const db = new TandemDatabase(`bench-search-${process.pid}`);
  let started = performance.now();
  await fill(db);
  console.error(`  filled the log in ${Math.round(performance.now() - started)} ms`);
  started = performance.now();
  const rareHits = await searchMessages(db, 'Zanzibar', 50);
  if (rareHits.hits.length !== 1) throw new Error(`expected one hit for the rare word, got ${rareHits.hits.length}`);
  console.error(`  first search (cold) in ${Math.round(performance.now() - started)} ms`);
  const rare = await timed(() => searchMessages(db, 'zanzibar', 50));
  const common = await timed(() => searchMessages(db, 'report', 50));
  const baseline = await timed(() => fullScan(db, 'report'));
  // While typing: the runtime's MessageSearch keeps the texts between searches.
  const typing = new MessageSearch(db);
  await typing.search('report', 50);
  const warm = await timed(() => typing.search('zanzibar', 50));
  db.close();
  return [
    { metric: 'search_5000_messages_ms', value: round(rare), unit: 'ms' },
    { metric: 'search_common_word_ms', value: round(common), unit: 'ms' },
    { metric: 'search_while_typing_ms', value: round(warm), unit: 'ms' },
    { metric: 'search_full_scan_baseline_ms', value: round(baseline), unit: 'ms' },
    { metric: 'search_vs_full_scan_ratio', value: round(common / baseline, 3), unit: 'ratio' },
    { metric: 'search_while_typing_vs_full_scan_ratio', value: round(warm / baseline, 3), unit: 'ratio' },
  ];
}

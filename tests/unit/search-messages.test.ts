import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { TandemDatabase } from '../../extension/storage/db';
import { EventLog } from '../../extension/storage/event-log';
import { MessageSearch, searchMessages } from '../../extension/storage/message-search';
import { ZERO_USAGE } from '../../shared/pricing';
import type { EventBody } from '../../shared/protocol';
import { foldForSearch, matchText, searchWords } from '../../shared/text/search-text';

let dbCounter = 0;
const panel = { kind: 'panel' as const, clientId: 'p' };

async function freshLog() {
  const db = new TandemDatabase(`search-${process.pid}-${++dbCounter}`);
  let clock = 1_000;
  const log = new EventLog(db, () => ++clock);
  const thread = async (id: string, title = id) => {
    await db.threads.add({
      id,
      title,
      createdAt: 0,
      updatedAt: 0,
      archived: false,
      lastSeq: 0,
      status: 'idle',
      pendingDecisions: 0,
      usage: ZERO_USAGE,
      costUsd: 0,
    });
  };
  return { db, log, thread };
}

const user = (text: string): EventBody => ({ kind: 'user_message', text, by: panel, commandId: `c-${text}` });
const assistant = (turnId: string, text: string, tools: Array<{ id: string; name: string; url: string }> = []) =>
  ({
    kind: 'assistant_message',
    taskId: 'task',
    turnId,
    model: 'claude-sonnet-5-5',
    content: [
      ...(text ? [{ type: 'text' as const, text }] : []),
      ...tools.map((t) => ({ type: 'tool_use' as const, id: t.id, name: t.name, input: { url: t.url } })),
    ],
    stopReason: 'end_turn',
    usage: ZERO_USAGE,
    costUsd: 0,
  }) satisfies EventBody;
const toolResult = (toolUseId: string, text: string): EventBody => ({
  kind: 'tool_result',
  taskId: 'task',
  toolUseId,
  name: 'read_page',
  isError: false,
  truncated: false,
  content: [{ type: 'text', text }],
});

describe('search text', () => {
  it('folds case and accents without changing the length, so offsets carry over', () => {
    const text = 'Crème Brûlée in İstanbul, ÉTÉ';
    const folded = foldForSearch(text);
    expect(folded).toHaveLength(text.length);
    expect(folded).toBe('creme brulee in istanbul, ete');
    expect(searchWords('  BRÛLÉE creme creme ')).toEqual(['brulee', 'creme']);
  });

  it('marks every word inside a snippet cut around the first match', () => {
    const text = `${'lorem '.repeat(30)}the Invoice for March is attached; see invoice 12.${' ipsum'.repeat(40)}`;
    const match = matchText(text, foldForSearch(text), searchWords('invoice march'));
    expect(match).toBeDefined();
    const marked = match?.ranges.map((r) => match.snippet.slice(r.start, r.start + r.length));
    expect(marked).toEqual(['Invoice', 'March', 'invoice']);
    expect(match?.snippet.startsWith('…')).toBe(true);
    expect(match?.snippet.endsWith('…')).toBe(true);
    expect(match?.snippet.length).toBeLessThan(160);
    expect(matchText(text, foldForSearch(text), searchWords('invoice april'))).toBeUndefined();
  });
});

describe('searchMessages over the Dexie log', () => {
  it('finds user text, assistant text and tool calls across threads, newest first, never tool output', async () => {
    const { db, log, thread } = await freshLog();
    await thread('t1');
    await thread('t2');
    await log.append('t1', [user('Book a table at the Café Lisboa for Friday')]);
    await log.append('t1', [assistant('turn-1', 'I found café lisboa on the map.', [])]);
    await log.append('t2', [user('Read the menu')]);
    await log.append('t2', [
      assistant('turn-2', 'Opening it.', [{ id: 'tool-1', name: 'open_page', url: 'https://menus.example/lisbon' }]),
    ]);
    // Page text the model read is not the conversation: a match only there is no hit.
    await log.append('t2', [toolResult('tool-1', 'Welcome to Zanzibar grill, the menu of Café Lisboa')]);

    const { hits, more } = await searchMessages(db, 'CAFE lisboa', 50);
    expect(more).toBe(false);
    expect(hits.map((h) => [h.threadId, h.seq, h.kind])).toEqual([
      ['t1', 2, 'assistant'],
      ['t1', 1, 'user'],
    ]);
    expect(hits[0]).toMatchObject({ turnId: 'turn-1', snippet: 'I found café lisboa on the map.' });
    const first = hits[1];
    expect(first?.ranges.map((r) => first.snippet.slice(r.start, r.start + r.length))).toEqual(['Café', 'Lisboa']);

    const tool = await searchMessages(db, 'MENUS.example', 50);
    expect(tool.hits).toEqual([
      expect.objectContaining({ threadId: 't2', kind: 'tool', toolUseId: 'tool-1', turnId: 'turn-2' }),
    ]);
    expect((await searchMessages(db, 'zanzibar', 50)).hits).toEqual([]);
    db.close();
  });

  it('leaves out threads in the trash and says when more matched than the limit', async () => {
    const { db, log, thread } = await freshLog();
    await thread('kept');
    await thread('trashed');
    for (let i = 0; i < 5; i++) await log.append('kept', [user(`report number ${i}`)]);
    await log.append('trashed', [user('report in the trash')]);
    const row = await db.threads.get('trashed');
    if (row) await db.threads.put({ ...row, trashedAt: 5 });

    const { hits, more } = await searchMessages(db, 'report', 3);
    expect(more).toBe(true);
    expect(hits.map((h) => h.snippet)).toEqual(['report number 4', 'report number 3', 'report number 2']);
    expect((await searchMessages(db, 'trash', 10)).hits).toEqual([]);
    db.close();
  });

  it('keeps texts in memory between searches yet sees what was appended, deleted or trashed since', async () => {
    const { db, log, thread } = await freshLog();
    await thread('a');
    await thread('b');
    await log.append('a', [user('first note about otters')]);
    const search = new MessageSearch(db);
    expect((await search.search('otters', 10)).hits).toHaveLength(1);
    await log.append('a', [assistant('turn-a', 'Otters hold hands while sleeping.')]);
    await log.append('b', [user('otters again')]);
    expect((await search.search('otters', 10)).hits.map((h) => [h.threadId, h.seq])).toEqual([
      ['b', 1],
      ['a', 2],
      ['a', 1],
    ]);
    await log.deleteThread('b');
    const row = await db.threads.get('a');
    if (row) await db.threads.put({ ...row, trashedAt: 9 });
    expect((await search.search('otters', 10)).hits).toEqual([]);
    db.close();
  });

  it('searches messages written before the upgrade (a version 3 database gets the kind index)', async () => {
    const name = `search-upgrade-${process.pid}`;
    const old = new Dexie(name);
    old.version(1).stores({
      threads: 'id, updatedAt',
      events: '[threadId+seq]',
      audit: '++id, threadId, at',
      commands: 'id, at',
      kv: 'key',
    });
    old.version(2).stores({ devices: 'id, status', pairings: 'secretId, expiresAt' });
    old.version(3).stores({
      schedules: 'id, threadId, nextRunAt',
      scheduleRuns: 'id, scheduleId, threadId, status',
      shortcuts: 'name',
    });
    await old.open();
    await old.table('threads').put({ id: 't1', title: 'Old', updatedAt: 1, lastSeq: 1, archived: false });
    await old.table('events').put({ threadId: 't1', seq: 1, at: 1, ...user('an old message about gardens') });
    old.close();

    const db = new TandemDatabase(name);
    await db.open();
    expect(db.verno).toBe(5);
    expect((await searchMessages(db, 'garden', 10)).hits).toEqual([
      expect.objectContaining({ threadId: 't1', seq: 1, kind: 'user' }),
    ]);
    db.close();
  });
});

describe('threads.search through the runtime', () => {
  it('answers a phone (read-only, not trusted-only) with the hits for its query', async () => {
    const { startModelServer } = await import('../fixtures/model-server');
    const { connect, newThread, startRuntime } = await import('../support/runtime-harness');
    const server = await startModelServer();
    try {
      const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
      const computer = connect(assembled, 'panel');
      const threadId = await newThread(computer);
      await assembled.log.append(threadId, [user('Where is the nearest pharmacy?')]);
      const phone = connect(assembled, 'phone');
      const answer = await phone.command({ type: 'threads.search', query: 'PHARMACY', limit: 5 });
      expect(answer.type).toBe('ack');
      expect(phone.messages).toContainEqual({
        type: 'threads.found',
        query: 'PHARMACY',
        more: false,
        hits: [expect.objectContaining({ threadId, seq: 1, kind: 'user', snippet: 'Where is the nearest pharmacy?' })],
      });
      const refused = await phone.command({ type: 'threads.search', query: '   ' });
      expect(refused).toMatchObject({ type: 'error', code: 'invalid_command' });
    } finally {
      await server.close();
    }
  });
});

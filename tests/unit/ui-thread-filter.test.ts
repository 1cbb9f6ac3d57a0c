import { describe, expect, it } from 'vitest';
import type { ThreadSummary } from '../../shared/protocol/messages';
import { filterThreads } from '../../shared/ui/thread-filter';

const usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
function thread(id: string, title: string, updatedAt: number, archived = false): ThreadSummary {
  return {
    id,
    title,
    createdAt: 0,
    updatedAt,
    archived,
    lastSeq: 0,
    status: 'idle',
    pendingDecisions: 0,
    usage,
    costUsd: 0,
  };
}

const threads = [
  thread('a', 'Book a flight to Lisbon', 10),
  thread('b', 'Summarise the quarterly report', 30),
  thread('c', 'Old flight search', 20, true),
];

describe('filterThreads', () => {
  it('lists the most recently updated first and hides archived threads', () => {
    expect(filterThreads(threads, { query: '', showArchived: false }).map((t) => t.id)).toEqual(['b', 'a']);
  });

  it('includes archived threads when asked', () => {
    expect(filterThreads(threads, { query: '', showArchived: true }).map((t) => t.id)).toEqual(['b', 'c', 'a']);
  });

  it('matches every word of the query in the title, ignoring case', () => {
    expect(filterThreads(threads, { query: 'FLIGHT', showArchived: true }).map((t) => t.id)).toEqual(['c', 'a']);
    expect(filterThreads(threads, { query: 'flight lisbon', showArchived: true }).map((t) => t.id)).toEqual(['a']);
    expect(filterThreads(threads, { query: '  report  ', showArchived: false }).map((t) => t.id)).toEqual(['b']);
    expect(filterThreads(threads, { query: 'nothing like this', showArchived: true })).toEqual([]);
  });

  it('does not reorder the array it was given', () => {
    const input = [...threads];
    filterThreads(input, { query: '', showArchived: true });
    expect(input.map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });
});

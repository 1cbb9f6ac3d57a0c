import { describe, expect, it } from 'vitest';
import { revealTargetOf, snippetParts } from '../../shared/conversation/hit-target';
import { ThreadViewBuilder } from '../../shared/conversation/thread-view';
import type { MessageHit, ThreadEvent } from '../../shared/protocol';

const hit = (over: Partial<MessageHit>): MessageHit => ({
  threadId: 't',
  seq: 1,
  at: 1,
  kind: 'user',
  snippet: '',
  ranges: [],
  ...over,
});

describe('message hits', () => {
  it('cuts a snippet into plain and marked parts (text only, nothing parsed as HTML)', () => {
    const parts = snippetParts(hit({ snippet: 'see <b>Café</b> menu', ranges: [{ start: 7, length: 4 }] }));
    expect(parts).toEqual([
      { text: 'see <b>', match: false },
      { text: 'Café', match: true },
      { text: '</b> menu', match: false },
    ]);
  });

  it('points each kind of hit at the item the thread view shows for it', () => {
    const by = { kind: 'panel' as const, clientId: 'p' };
    const usage = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
    const events: ThreadEvent[] = [
      { threadId: 't', seq: 1, at: 1, kind: 'user_message', text: 'hi', by, commandId: 'c' },
      { threadId: 't', seq: 2, at: 2, kind: 'turn_started', taskId: 'k', turnId: 'r1', model: 'm', attempt: 1 },
      {
        threadId: 't',
        seq: 3,
        at: 3,
        kind: 'assistant_message',
        taskId: 'k',
        turnId: 'r1',
        model: 'm',
        content: [
          { type: 'text', text: 'Opening' },
          { type: 'tool_use', id: 'u1', name: 'open_page', input: { url: 'https://a.example' } },
        ],
        stopReason: 'tool_use',
        usage,
        costUsd: 0,
      },
    ];
    const builder = new ThreadViewBuilder();
    builder.apply(events);
    const keys = builder.view().items.map((item) => item.key);
    for (const found of [
      hit({ kind: 'user', seq: 1 }),
      hit({ kind: 'assistant', seq: 3, turnId: 'r1' }),
      hit({ kind: 'tool', seq: 3, turnId: 'r1', toolUseId: 'u1' }),
    ]) {
      expect(keys).toContain(revealTargetOf(found).itemKey);
    }
  });
});

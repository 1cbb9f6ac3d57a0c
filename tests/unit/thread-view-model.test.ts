/**
 * What the thread shows for the model-facing cases of issue 17: one retry card
 * per task updated in place, the compaction notice, an empty answer, a refusal.
 */
import { describe, expect, it } from 'vitest';
import { buildThreadView } from '../../shared/conversation/thread-view';
import { eventBuilder, panel, zeroUsage } from '../support/events';

function started() {
  const b = eventBuilder();
  b.add({ kind: 'user_message', text: 'hi', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k' });
  return b;
}

const retry = (attempt: number) => ({
  kind: 'retry_scheduled' as const,
  taskId: 'k',
  attempt,
  delayMs: 12_000,
  errorKind: 'network' as const,
  message: "Can't reach https://api.anthropic.com: Cannot reach the model API (Connection error.).",
});

describe('thread view for model faults', () => {
  it('shows one retry card per task, updated in place with the URL and the next attempt', () => {
    const b = started();
    for (let attempt = 1; attempt <= 7; attempt++) b.add(retry(attempt));
    const notices = buildThreadView(b.events).items.filter((item) => item.kind === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ tone: 'warning', errorKind: 'network' });
    expect(notices[0]?.kind === 'notice' && notices[0].text).toContain("Can't reach https://api.anthropic.com");
    expect(notices[0]?.kind === 'notice' && notices[0].text).toContain('attempt 7');
    expect(notices[0]?.kind === 'notice' && notices[0].retryAt).toBe((b.events.at(-1)?.at ?? 0) + 12_000);
  });

  it('settles the retry card once the answer arrives', () => {
    const b = started();
    b.add(retry(1));
    b.add({
      kind: 'assistant_message',
      taskId: 'k',
      turnId: 'a',
      model: 'm',
      content: [{ type: 'text', text: 'Hello' }],
      stopReason: 'end_turn',
      usage: zeroUsage,
      costUsd: 0,
    });
    const notice = buildThreadView(b.events).items.find((item) => item.kind === 'notice');
    expect(notice).toMatchObject({ tone: 'info' });
    expect(notice?.kind === 'notice' && notice.retryAt).toBeUndefined();
  });

  it('says when earlier messages were summarised, and keeps them in the thread', () => {
    const b = started();
    b.add({
      kind: 'context_compacted',
      taskId: 'k',
      throughMessage: 1,
      summary: 'S',
      usage: zeroUsage,
      costUsd: 0,
    });
    const view = buildThreadView(b.events);
    expect(view.items.map((item) => item.kind)).toEqual(['user', 'notice']);
    expect(view.items[1]?.kind === 'notice' && view.items[1].text).toMatch(/earlier messages were summarised/i);
  });

  it('shows something for an empty end_turn', () => {
    const b = started();
    b.add({
      kind: 'assistant_message',
      taskId: 'k',
      turnId: 'a',
      model: 'm',
      content: [],
      stopReason: 'end_turn',
      usage: zeroUsage,
      costUsd: 0,
    });
    const last = buildThreadView(b.events).items.at(-1);
    expect(last?.kind === 'notice' && last.text).toMatch(/finished without a reply/);
  });
});

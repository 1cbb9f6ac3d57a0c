import { describe, expect, it } from 'vitest';
import { buildThreadView, ThreadViewBuilder } from '../../shared/conversation/thread-view';
import { eventBuilder, panel, phone, zeroUsage } from '../support/events';

function conversation() {
  const b = eventBuilder();
  b.add({ kind: 'user_message', text: 'time?', by: phone, commandId: 'c1' }, { kind: 'task_started', taskId: 'k' });
  b.add({ kind: 'turn_started', taskId: 'k', turnId: 'a', model: 'm', attempt: 1 });
  b.add(
    { kind: 'text', taskId: 'k', turnId: 'a', text: 'Let me ' },
    { kind: 'text', taskId: 'k', turnId: 'a', text: 'check.' },
  );
  return b;
}

describe('thread view reducer', () => {
  it('streams text into one assistant item, then completes it with usage and tool cards', () => {
    const b = conversation();
    let view = buildThreadView(b.events);
    expect(view.items.map((i) => i.kind)).toEqual(['user', 'assistant']);
    expect(view.items[1]).toMatchObject({ text: 'Let me check.', streaming: true });
    expect(view.running).toBe(true);
    b.add({
      kind: 'assistant_message',
      taskId: 'k',
      turnId: 'a',
      model: 'm',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'u1', name: 'clock', input: {} },
      ],
      stopReason: 'tool_use',
      usage: { ...zeroUsage, inputTokens: 10, outputTokens: 5 },
      costUsd: 0.5,
    });
    b.add({ kind: 'tool_started', taskId: 'k', toolUseId: 'u1', name: 'clock' });
    view = buildThreadView(b.events);
    expect(view.items[1]).toMatchObject({ streaming: false, usage: { inputTokens: 10 } });
    expect(view.items[2]).toMatchObject({ kind: 'tool', name: 'clock', status: 'running' });
    b.add({
      kind: 'tool_result',
      taskId: 'k',
      toolUseId: 'u1',
      name: 'clock',
      isError: false,
      truncated: true,
      content: [{ type: 'text', text: 'noon' }],
    });
    view = buildThreadView(b.events);
    expect(view.items[2]).toMatchObject({ status: 'done', output: 'noon', truncated: true });
    expect(view.costUsd).toBe(0.5);
  });

  it('drops the partial text of a discarded turn and shows the retry notice', () => {
    const b = conversation();
    b.add({ kind: 'turn_discarded', taskId: 'k', turnId: 'a', reason: 'error' });
    b.add({
      kind: 'retry_scheduled',
      taskId: 'k',
      attempt: 1,
      delayMs: 2500,
      errorKind: 'rate_limited',
      message: 'Rate limited.',
    });
    const view = buildThreadView(b.events);
    expect(view.items.map((i) => i.kind)).toEqual(['user', 'notice']);
    expect(view.items[1]).toMatchObject({ tone: 'warning', text: 'Rate limited. Retrying in 3 s (attempt 1).' });
  });

  it('tracks pending decisions and who answered them', () => {
    const b = conversation();
    b.add({
      kind: 'decision_requested',
      taskId: 'k',
      decisionId: 'd',
      topic: 'permission',
      title: 'Allow?',
      detail: '',
      options: [{ id: 'allow_once', label: 'Allow once', tone: 'primary' }],
    });
    expect(buildThreadView(b.events).pendingDecisionIds).toEqual(['d']);
    b.add({
      kind: 'decision_resolved',
      taskId: 'k',
      decisionId: 'd',
      optionId: 'allow_once',
      by: phone,
      allowed: true,
    });
    const view = buildThreadView(b.events);
    expect(view.pendingDecisionIds).toEqual([]);
    expect(view.items.at(-1)).toMatchObject({ kind: 'decision', resolved: { label: 'Allow once', by: 'phone' } });
  });

  it('is idempotent and incremental: replayed events change nothing', () => {
    const b = conversation();
    const builder = new ThreadViewBuilder();
    builder.apply(b.events.slice(0, 3));
    builder.apply(b.events); // overlaps the first three
    builder.apply(b.events);
    expect(builder.view()).toEqual(buildThreadView(b.events));
    expect(builder.view().lastSeq).toBe(b.events.length);
  });

  it('marks tools left open as interrupted when the task ends, and says why it ended', () => {
    const b = conversation();
    b.add({
      kind: 'assistant_message',
      taskId: 'k',
      turnId: 'a',
      model: 'm',
      content: [{ type: 'tool_use', id: 'u', name: 'clock', input: {} }],
      stopReason: 'tool_use',
      usage: zeroUsage,
      costUsd: 0,
    });
    b.add(
      { kind: 'stop_requested', taskId: 'k', by: panel },
      { kind: 'task_finished', taskId: 'k', outcome: 'stopped' },
    );
    const view = buildThreadView(b.events);
    expect(view.running).toBe(false);
    expect(view.items.find((i) => i.kind === 'tool')).toMatchObject({ status: 'interrupted' });
    expect(view.items.at(-1)).toMatchObject({ kind: 'notice', text: 'Stopped.' });
  });

  it('builds a 10,000-message view quickly', () => {
    const b = eventBuilder();
    for (let i = 0; i < 5000; i++) {
      b.add(
        { kind: 'user_message', text: `q${i}`, by: panel, commandId: `c${i}` },
        { kind: 'task_started', taskId: `k${i}` },
      );
      b.add({ kind: 'turn_started', taskId: `k${i}`, turnId: `a${i}`, model: 'm', attempt: 1 });
      b.add({
        kind: 'assistant_message',
        taskId: `k${i}`,
        turnId: `a${i}`,
        model: 'm',
        content: [{ type: 'text', text: `a${i}` }],
        stopReason: 'end_turn',
        usage: zeroUsage,
        costUsd: 0,
      });
      b.add({ kind: 'task_finished', taskId: `k${i}`, outcome: 'completed' });
    }
    const started = performance.now();
    const view = buildThreadView(b.events);
    expect(view.items).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

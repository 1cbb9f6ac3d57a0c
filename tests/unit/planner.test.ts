import { describe, expect, it } from 'vitest';
import { requestMessages, stateFromEvents } from '../../extension/runtime/conversation-state';
import { nextStep, type PlannerContext } from '../../extension/runtime/planner';
import { eventBuilder, panel, zeroUsage } from '../support/events';

const ctx: PlannerContext = { isIdempotent: (name) => name === 'clock', spendingCapUsd: undefined };
const toolUse = (id: string, name = 'clock') => ({ type: 'tool_use' as const, id, name, input: {} });

function plan(events: ReturnType<typeof eventBuilder>['events'], context = ctx) {
  return nextStep(stateFromEvents('t1', events), context);
}

describe('planner: the next step from the durable log', () => {
  it('starts a task for a new user message, then calls the model', () => {
    const { events, add } = eventBuilder();
    expect(plan(events).kind).toBe('idle');
    add({ kind: 'user_message', text: 'hi', by: panel, commandId: 'c1' });
    expect(plan(events).kind).toBe('start_task');
    add({ kind: 'task_started', taskId: 'k1' });
    expect(plan(events).kind).toBe('call_model');
    const state = stateFromEvents('t1', events);
    expect(requestMessages(state)).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('discards a turn that was started but never finished (host died mid-stream), then re-issues the call', () => {
    const { events, add } = eventBuilder();
    add({ kind: 'user_message', text: 'hi', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
    add({ kind: 'turn_started', taskId: 'k1', turnId: 'a', model: 'm', attempt: 1 });
    add({ kind: 'text', taskId: 'k1', turnId: 'a', text: 'partial' });
    expect(plan(events)).toEqual({ kind: 'discard_turn', turnId: 'a', reason: 'interrupted' });
    add({ kind: 'turn_discarded', taskId: 'k1', turnId: 'a', reason: 'interrupted' });
    expect(plan(events).kind).toBe('call_model');
    // The partial text never reaches the model.
    expect(JSON.stringify(requestMessages(stateFromEvents('t1', events)))).not.toContain('partial');
  });

  it('runs each tool call once, never re-running one with a result', () => {
    const { events, add } = eventBuilder();
    add({ kind: 'user_message', text: 'time?', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
    add({ kind: 'turn_started', taskId: 'k1', turnId: 'a', model: 'm', attempt: 1 });
    add({
      kind: 'assistant_message',
      taskId: 'k1',
      turnId: 'a',
      model: 'm',
      content: [{ type: 'text', text: 'Checking' }, toolUse('u1'), toolUse('u2', 'notify_user')],
      stopReason: 'tool_use',
      usage: zeroUsage,
      costUsd: 0,
    });
    expect(plan(events)).toMatchObject({ kind: 'run_tool', toolUse: { id: 'u1' } });
    add({ kind: 'tool_started', taskId: 'k1', toolUseId: 'u1', name: 'clock' });
    add({
      kind: 'tool_result',
      taskId: 'k1',
      toolUseId: 'u1',
      name: 'clock',
      isError: false,
      truncated: false,
      content: [{ type: 'text', text: 'noon' }],
    });
    expect(plan(events)).toMatchObject({ kind: 'run_tool', toolUse: { id: 'u2' } });
    // u2 is not idempotent: started without a result means interrupted, not re-run.
    add({ kind: 'tool_started', taskId: 'k1', toolUseId: 'u2', name: 'notify_user' });
    expect(plan(events)).toMatchObject({ kind: 'tool_interrupted', toolUse: { id: 'u2' } });
    add({
      kind: 'tool_result',
      taskId: 'k1',
      toolUseId: 'u2',
      name: 'notify_user',
      isError: true,
      truncated: false,
      content: [{ type: 'text', text: 'interrupted' }],
    });
    expect(plan(events).kind).toBe('call_model');
    const messages = requestMessages(stateFromEvents('t1', events));
    expect(messages).toHaveLength(3);
    expect(messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'u1', content: [{ type: 'text', text: 'noon' }] },
        { type: 'tool_result', tool_use_id: 'u2', content: [{ type: 'text', text: 'interrupted' }], is_error: true },
      ],
    });
  });

  it('re-runs an interrupted idempotent tool', () => {
    const { events, add } = eventBuilder();
    add({ kind: 'user_message', text: 'time?', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
    add({
      kind: 'assistant_message',
      taskId: 'k1',
      turnId: 'a',
      model: 'm',
      content: [toolUse('u1')],
      stopReason: 'tool_use',
      usage: zeroUsage,
      costUsd: 0,
    });
    add({ kind: 'tool_started', taskId: 'k1', toolUseId: 'u1', name: 'clock' });
    expect(plan(events)).toMatchObject({ kind: 'run_tool', toolUse: { id: 'u1' } });
  });

  it('waits durably on a pending decision, then runs with the answer', () => {
    const { events, add } = eventBuilder();
    add({ kind: 'user_message', text: 'ping me', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
    add({
      kind: 'assistant_message',
      taskId: 'k1',
      turnId: 'a',
      model: 'm',
      content: [toolUse('u1', 'notify_user')],
      stopReason: 'tool_use',
      usage: zeroUsage,
      costUsd: 0,
    });
    add({
      kind: 'decision_requested',
      taskId: 'k1',
      decisionId: 'd1',
      toolUseId: 'u1',
      topic: 'permission',
      title: 't',
      detail: 'd',
      options: [{ id: 'allow_once', label: 'Allow', tone: 'primary' }],
    });
    expect(plan(events)).toEqual({ kind: 'wait_for_decision', decisionId: 'd1' });
    add({
      kind: 'decision_resolved',
      taskId: 'k1',
      decisionId: 'd1',
      optionId: 'allow_once',
      by: panel,
      allowed: true,
    });
    expect(plan(events)).toMatchObject({ kind: 'run_tool', decision: { decisionId: 'd1', optionId: 'allow_once' } });
  });

  it('finishes with the outcome the stop reason implies', () => {
    for (const [stopReason, outcome] of [
      ['end_turn', 'completed'],
      ['max_tokens', 'max_tokens'],
      ['refusal', 'refusal'],
      ['user_stopped', 'stopped'],
    ] as const) {
      const { events, add } = eventBuilder();
      add({ kind: 'user_message', text: 'x', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
      add({
        kind: 'assistant_message',
        taskId: 'k1',
        turnId: 'a',
        model: 'm',
        content: [{ type: 'text', text: 'y' }],
        stopReason,
        usage: zeroUsage,
        costUsd: 0,
      });
      expect(plan(events)).toEqual({ kind: 'finish', outcome });
    }
  });

  it('stops when asked and fails after a fatal error', () => {
    const { events, add } = eventBuilder();
    add({ kind: 'user_message', text: 'x', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
    add({ kind: 'error', taskId: 'k1', errorKind: 'auth', message: 'bad key', status: 401 });
    expect(plan(events)).toEqual({ kind: 'finish', outcome: 'failed' });
    add({ kind: 'stop_requested', taskId: 'k1', by: panel });
    expect(plan(events)).toEqual({ kind: 'finish', outcome: 'stopped' });
  });

  it('pauses at the spending cap and continues only when approved', () => {
    const { events, add } = eventBuilder();
    const capped = { ...ctx, spendingCapUsd: 0.1 };
    add({ kind: 'user_message', text: 'x', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
    add({
      kind: 'assistant_message',
      taskId: 'k1',
      turnId: 'a',
      model: 'm',
      content: [toolUse('u1')],
      stopReason: 'tool_use',
      usage: zeroUsage,
      costUsd: 0.06,
    });
    add({
      kind: 'tool_result',
      taskId: 'k1',
      toolUseId: 'u1',
      name: 'clock',
      isError: false,
      truncated: false,
      content: [{ type: 'text', text: 'noon' }],
    });
    // 0.06 spent, the next call is predicted at 0.06: 0.12 > 0.10.
    expect(plan(events, capped).kind).toBe('ask_budget');
    add({
      kind: 'decision_requested',
      taskId: 'k1',
      decisionId: 'b1',
      topic: 'budget',
      title: 'cap',
      detail: '',
      options: [{ id: 'continue', label: 'c', tone: 'primary' }],
    });
    expect(plan(events, capped).kind).toBe('wait_for_decision');
    add({ kind: 'decision_resolved', taskId: 'k1', decisionId: 'b1', optionId: 'continue', by: panel });
    expect(plan(events, capped).kind).toBe('call_model');
    const stopped = eventBuilder();
    stopped.events.push(...events.slice(0, -1));
    stopped.add({ kind: 'decision_resolved', taskId: 'k1', decisionId: 'b1', optionId: 'stop', by: panel });
    expect(plan(stopped.events, capped)).toEqual({ kind: 'finish', outcome: 'budget_stopped' });
  });

  it('queues messages sent during a task and answers them in order', () => {
    const { events, add } = eventBuilder();
    add({ kind: 'user_message', text: 'first', by: panel, commandId: 'c1' }, { kind: 'task_started', taskId: 'k1' });
    add({ kind: 'user_message', text: 'second', by: panel, commandId: 'c2' });
    add({
      kind: 'assistant_message',
      taskId: 'k1',
      turnId: 'a',
      model: 'm',
      content: [{ type: 'text', text: 'one' }],
      stopReason: 'end_turn',
      usage: zeroUsage,
      costUsd: 0,
    });
    add({ kind: 'task_finished', taskId: 'k1', outcome: 'completed' });
    expect(plan(events).kind).toBe('start_task');
    add({ kind: 'task_started', taskId: 'k2' });
    const texts = requestMessages(stateFromEvents('t1', events)).map((m) => m.content[0]);
    expect(texts).toEqual([
      { type: 'text', text: 'first' },
      { type: 'text', text: 'one' },
      { type: 'text', text: 'second' },
    ]);
  });
});

/** "Who did what" in the thread: a phone's messages and answers name the device (issue 9). */
import { describe, expect, it } from 'vitest';
import { buildThreadView } from '../../shared/conversation/thread-view';
import { resolvedText } from '../../shared/ui/decision-text';
import { eventBuilder } from '../support/events';

const anasPhone = {
  kind: 'phone' as const,
  clientId: 'phone-1',
  device: { name: 'Ana’s phone', fingerprint: 'a1b2 c3d4 e5f6 0718' },
};

describe('the device that acted is shown in the thread', () => {
  it('names the phone on its message and on the decision it answered', () => {
    const b = eventBuilder();
    b.add(
      { kind: 'user_message', text: 'ping', by: anasPhone, commandId: 'c1' },
      { kind: 'task_started', taskId: 'k' },
    );
    b.add({
      kind: 'decision_requested',
      taskId: 'k',
      decisionId: 'd1',
      toolUseId: 'u1',
      topic: 'permission',
      title: 'Show a notification?',
      detail: 'x',
      options: [{ id: 'allow_once', label: 'Allow once', tone: 'primary' }],
    });
    b.add({
      kind: 'decision_resolved',
      taskId: 'k',
      decisionId: 'd1',
      optionId: 'allow_once',
      by: anasPhone,
      allowed: true,
    });
    const view = buildThreadView(b.events);
    expect(view.items[0]).toMatchObject({ kind: 'user', device: 'Ana’s phone (a1b2 c3d4 e5f6 0718)' });
    const decision = view.items.find((i) => i.kind === 'decision');
    if (decision?.kind !== 'decision' || !decision.resolved) throw new Error('no resolved decision');
    expect(resolvedText(decision.resolved)).toBe('Allowed once — from Ana’s phone (a1b2 c3d4 e5f6 0718)');
  });
});

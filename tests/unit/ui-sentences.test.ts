import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../extension/runtime/model-client';
import { buildThreadView } from '../../shared/conversation/thread-view';
import { asSentence, parenthetical } from '../../shared/text/sentence';
import { eventBuilder, phone } from '../support/events';

describe('sentences shown to people', () => {
  it('ends an API message as a sentence before the next one starts', () => {
    expect(asSentence('Overloaded')).toBe('Overloaded.');
    expect(asSentence('Overloaded.')).toBe('Overloaded.');
    expect(asSentence('Is it down?')).toBe('Is it down?');
    expect(asSentence('  ')).toBe('');
  });

  it('puts a detail in brackets without its own full stop', () => {
    expect(parenthetical('Connection error.')).toBe('(Connection error)');
    expect(parenthetical('timeout')).toBe('(timeout)');
  });

  it('says "Cannot reach the model API (Connection error)." without a doubled stop', () => {
    const error = classifyError(new Anthropic.APIConnectionError({ message: 'Connection error.' }));
    expect(error.message).toBe('Cannot reach the model API (Connection error).');
  });

  it('shows a retry card as "Overloaded. Retrying in 4 s", not "Overloaded Retrying in 4 s"', () => {
    const b = eventBuilder();
    b.add({ kind: 'user_message', text: 'hi', by: phone, commandId: 'c1' }, { kind: 'task_started', taskId: 'k' });
    b.add({
      kind: 'retry_scheduled',
      taskId: 'k',
      attempt: 1,
      delayMs: 4000,
      errorKind: 'overloaded',
      message: 'Overloaded',
    });
    const card = buildThreadView(b.events).items.find((i) => i.kind === 'notice');
    expect(card).toMatchObject({ text: 'Overloaded. Retrying in 4 s (attempt 1).' });
  });
});

import { describe, expect, it } from 'vitest';
import { ClientCommand, RuntimeMessage, ThreadEvent } from '../../shared/protocol';

describe('protocol schemas', () => {
  it('accepts every well-formed command and fills defaults', () => {
    const subscribe = ClientCommand.parse({ type: 'thread.subscribe', id: 'c1', threadId: 't1' });
    expect(subscribe).toEqual({ type: 'thread.subscribe', id: 'c1', threadId: 't1', tail: 400 });
    expect(ClientCommand.parse({ type: 'message.send', id: 'c2', threadId: 't1', text: '  hi  ' })).toMatchObject({
      text: 'hi',
    });
    expect(
      ClientCommand.parse({ type: 'decision.answer', id: 'c3', threadId: 't', decisionId: 'd', optionId: 'deny' }).type,
    ).toBe('decision.answer');
  });

  it('rejects malformed commands', () => {
    const bad: unknown[] = [
      null,
      42,
      'message.send',
      {},
      { type: 'message.send', threadId: 't' }, // no id
      { type: 'message.send', id: 'x', threadId: 't', text: '   ' }, // empty after trim
      { type: 'thread.subscribe', id: 'x', threadId: 't', afterSeq: -1 },
      { type: 'thread.subscribe', id: 'x', threadId: 't', afterSeq: 1.5 },
      { type: 'nope', id: 'x' },
      { type: 'settings.update', id: 'x', patch: { apiKey: 'k', evil: true } }, // strict patch
      { type: 'settings.update', id: 'x', patch: { baseUrl: 'not a url' } },
      { type: 'thread.create', id: 'x'.repeat(200) },
    ];
    for (const value of bad) expect(ClientCommand.safeParse(value).success, JSON.stringify(value)).toBe(false);
  });

  it('types thread events as a discriminated union with seq', () => {
    const event = ThreadEvent.parse({
      threadId: 't',
      seq: 3,
      at: 1,
      kind: 'tool_result',
      taskId: 'k',
      toolUseId: 'u',
      name: 'clock',
      isError: false,
      content: [{ type: 'text', text: 'x' }],
    });
    expect(event.kind === 'tool_result' && event.truncated).toBe(false);
    expect(ThreadEvent.safeParse({ threadId: 't', seq: 0, at: 1, kind: 'task_started', taskId: 'k' }).success).toBe(
      false,
    );
    expect(ThreadEvent.safeParse({ threadId: 't', seq: 1, at: 1, kind: 'made_up' }).success).toBe(false);
  });

  it('parses runtime messages', () => {
    expect(RuntimeMessage.parse({ type: 'ack', commandId: 'c' })).toEqual({ type: 'ack', commandId: 'c' });
    expect(RuntimeMessage.safeParse({ type: 'error', commandId: null, code: 'weird', message: '' }).success).toBe(
      false,
    );
  });
});

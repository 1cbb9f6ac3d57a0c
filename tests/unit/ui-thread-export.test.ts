import { describe, expect, it } from 'vitest';
import { exportFileName, threadToJson, threadToMarkdown } from '../../shared/ui/thread-export';
import { eventBuilder, phone, zeroUsage } from '../support/events';

function conversation() {
  const b = eventBuilder();
  b.add({ kind: 'user_message', text: 'Tell me when the kettle boils', by: phone, commandId: 'c1' });
  b.add({ kind: 'task_started', taskId: 'k' });
  b.add({
    kind: 'assistant_message',
    taskId: 'k',
    turnId: 'a',
    model: 'm',
    content: [
      { type: 'text', text: 'I will notify you.' },
      { type: 'tool_use', id: 'u1', name: 'notify_user', input: { title: 'Tea' } },
    ],
    stopReason: 'tool_use',
    usage: zeroUsage,
    costUsd: 0,
  });
  b.add({
    kind: 'decision_requested',
    taskId: 'k',
    decisionId: 'd1',
    toolUseId: 'u1',
    topic: 'permission',
    title: 'Show a notification?',
    detail: 'Tea',
    options: [{ id: 'allow_once', label: 'Allow', tone: 'primary' }],
  });
  b.add({ kind: 'decision_resolved', taskId: 'k', decisionId: 'd1', optionId: 'allow_once', by: phone, allowed: true });
  b.add({
    kind: 'tool_result',
    taskId: 'k',
    toolUseId: 'u1',
    name: 'notify_user',
    isError: false,
    truncated: false,
    content: [{ type: 'text', text: 'shown ``` with fences' }],
  });
  return b.events;
}

describe('thread export', () => {
  const thread = { id: 't1', title: 'Kettle / tea?', complete: true };

  it('writes Markdown with the messages, each tool call and result, and every decision with who made it', () => {
    const md = threadToMarkdown(thread, conversation());
    expect(md).toMatch(/^# Kettle \/ tea\?\n/);
    expect(md).toContain('Tell me when the kettle boils');
    expect(md).toContain('I will notify you.');
    expect(md).toContain('### Tool call: notify_user');
    expect(md).toContain('**Asked:** Show a notification?');
    expect(md).toContain('**Answered** by the phone: allow_once');
    // Backticks in a result cannot close its fence.
    expect(md).toContain('````\nshown ``` with fences\n````');
  });

  it('writes JSON with every event, so tool calls and decisions can be processed', () => {
    const events = conversation();
    const json = JSON.parse(threadToJson(thread, events, 0));
    expect(json).toMatchObject({ format: 'tandem-thread', version: 1, thread });
    expect(json.events).toEqual(JSON.parse(JSON.stringify(events)));
  });

  it('names the file after the title', () => {
    expect(exportFileName('Kettle / tea?', 'md')).toBe('kettle-tea.md');
    expect(exportFileName('///', 'json')).toBe('thread.json');
  });
});

describe('thread export with attachments', () => {
  it('names the attached files in Markdown and keeps them whole in JSON', () => {
    const b = eventBuilder();
    b.add({
      kind: 'user_message',
      text: 'What is this?',
      by: phone,
      commandId: 'c1',
      attachments: [{ kind: 'text', name: 'notes.txt', text: 'milk' }],
    });
    const thread = { id: 't1', title: 'Files', complete: true };
    expect(threadToMarkdown(thread, b.events)).toContain('_Attached: notes.txt_');
    expect(threadToJson(thread, b.events, 0)).toMatch(/"text": "milk"/);
  });
});

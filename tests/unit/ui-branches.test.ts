import { describe, expect, it } from 'vitest';
import { branchView, choicesToShow } from '../../shared/conversation/branches';
import { buildThreadView } from '../../shared/conversation/thread-view';
import type { ThreadEvent } from '../../shared/protocol';

const by = { kind: 'panel' as const, clientId: 'p' };
const usage = { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

function thread() {
  const events: ThreadEvent[] = [];
  const add = (body: Record<string, unknown>) =>
    events.push({ threadId: 't', seq: events.length + 1, at: 1, ...body } as ThreadEvent);
  const exchange = (text: string, answer: string, replaces?: number) => {
    const seq = events.length + 1;
    add({ kind: 'user_message', text, by, commandId: `c${seq}`, ...(replaces ? { replaces } : {}) });
    add({ kind: 'task_started', taskId: `k${seq}` });
    add({
      kind: 'assistant_message',
      taskId: `k${seq}`,
      turnId: `t${seq}`,
      model: 'm',
      content: [{ type: 'text', text: answer }],
      stopReason: 'end_turn',
      usage,
      costUsd: 0,
    });
    add({ kind: 'task_finished', taskId: `k${seq}`, outcome: 'completed' });
    return seq;
  };
  return { events, exchange };
}

const shownTexts = (view: ReturnType<typeof branchView>) =>
  view.items.flatMap((i) => (i.kind === 'user' || i.kind === 'assistant' ? [i.text] : []));

describe('the version switcher of an edited conversation', () => {
  it('shows the newest branch with "2/2" on the edited message, and the old one when chosen', () => {
    const { events, exchange } = thread();
    exchange('One', 'Answer one');
    const two = exchange('Two', 'Old answer two');
    exchange('Three', 'Old answer three');
    exchange('Two, edited', 'New answer two', two);
    const items = buildThreadView(events).items;

    const newest = branchView(items);
    expect(shownTexts(newest)).toEqual(['One', 'Answer one', 'Two, edited', 'New answer two']);
    expect(newest.latest).toBe(true);
    const edited = newest.items.find((i) => i.kind === 'user' && i.text === 'Two, edited');
    const info = edited && newest.versions.get(edited.key);
    expect(info && { index: info.index, count: info.count }).toEqual({ index: 2, count: 2 });
    expect(newest.versions.size).toBe(1);

    // "‹": the earlier version, with what followed it then.
    const older = branchView(items, new Map([[info?.group ?? '', info?.keys[0] ?? '']]));
    expect(shownTexts(older)).toEqual(['One', 'Answer one', 'Two', 'Old answer two', 'Three', 'Old answer three']);
    expect(older.latest).toBe(false);
    const first = older.items.find((i) => i.kind === 'user' && i.text === 'Two');
    expect(first && older.versions.get(first.key)?.index).toBe(1);
  });

  it('finds the versions to choose so that a message of an earlier version is shown (a search hit there)', () => {
    const { events, exchange } = thread();
    exchange('One', 'Answer one');
    const two = exchange('Two', 'Old answer two');
    exchange('Three', 'Old answer three');
    exchange('Two, edited', 'New answer two', two);
    const items = buildThreadView(events).items;
    const hit = items.find((i) => i.kind === 'assistant' && i.text === 'Old answer three');
    expect(branchView(items).items).not.toContain(hit);
    const choices = choicesToShow(items, hit?.key ?? '');
    expect(choices).toBeDefined();
    expect(shownTexts(branchView(items, choices))).toContain('Old answer three');
    expect(choicesToShow(items, 'not-loaded')).toBeUndefined();
  });

  it('shows only the edit’s path when the replaced version is older than the loaded page', () => {
    const { events, exchange } = thread();
    exchange('One', 'Answer one');
    const two = exchange('Two', 'Old answer two');
    exchange('Three', 'Old answer three');
    exchange('Two, edited', 'New answer two', two);
    // A subscribe page that starts after "Two" (pages are bounded by bytes): the old version's answer
    // and what followed it are loaded, the message they answer is not.
    const page = buildThreadView(events.filter((e) => e.seq > two)).items;
    expect(shownTexts(branchView(page))).toEqual(['Two, edited', 'New answer two']);
  });

  it('leaves a thread that was never edited as it is', () => {
    const { events, exchange } = thread();
    exchange('One', 'A');
    exchange('Two', 'B');
    const items = buildThreadView(events).items;
    const view = branchView(items);
    expect(view.items).toEqual(items);
    expect(view.versions.size).toBe(0);
  });

  it('counts a regenerate and an edit of the first message as versions of it', () => {
    const { events, exchange } = thread();
    const one = exchange('One', 'A');
    const again = exchange('One', 'B', one);
    exchange('One!', 'C', again);
    const view = branchView(buildThreadView(events).items);
    expect(shownTexts(view)).toEqual(['One!', 'C']);
    expect([...view.versions.values()].map((v) => `${v.index}/${v.count}`)).toEqual(['3/3']);
  });
});

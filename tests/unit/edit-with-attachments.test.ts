/**
 * Edit as a branch meets attachments: the composer sends the files of an edited message inside
 * `message.edit`, so that command must be admitted at the size of a `message.send` with files.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMITS, MAX_COMMAND_BYTES, type ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime } from '../support/runtime-harness';

describe('message.edit with attachments', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await startModelServer({ minCacheableTokens: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('takes an edit carrying files larger than an ordinary command, as message.send does', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    const finished = (count: number) => () =>
      panel.events(threadId).filter((e: ThreadEvent) => e.kind === 'task_finished').length >= count;
    server.script([{ kind: 'text', text: 'First.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'read my notes' });
    await panel.waitForEvent(threadId, finished(1));
    const first = panel.events(threadId).find((e) => e.kind === 'user_message');
    // Three text files, each within its own cap, together well over an ordinary command's size.
    const notes = Array.from({ length: 3 }, (_, i) => ({
      kind: 'text' as const,
      name: `notes-${i}.txt`,
      text: 'x'.repeat(ATTACHMENT_LIMITS.maxTextChars - 10),
    }));
    expect(JSON.stringify(notes).length).toBeGreaterThan(MAX_COMMAND_BYTES);

    server.script([{ kind: 'text', text: 'Second.' }]);
    const answer = await panel.command({
      type: 'message.edit',
      threadId,
      replaces: first?.seq ?? 1,
      text: 'read my notes, attached now',
      attachments: notes,
    });
    expect(answer).toMatchObject({ type: 'ack' });
    const edited = (await assembled.log.all(threadId)).filter((e) => e.kind === 'user_message').at(-1);
    expect(edited?.kind === 'user_message' && edited.attachments?.map((a) => a.name)).toEqual([
      'notes-0.txt',
      'notes-1.txt',
      'notes-2.txt',
    ]);
  });
});

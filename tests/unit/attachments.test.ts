import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LINK_LIMITS } from '../../extension/link/limits';
import { pixelSize } from '../../extension/runtime/context/image-size';
import { ATTACHED_IMAGE_STUB, requestView } from '../../extension/runtime/context/request-view';
import { requestMessages, stateFromEvents } from '../../extension/runtime/conversation-state';
import { MAX_PAGE_BYTES, withinPageBudget } from '../../extension/runtime/page-budget';
import { attachmentBlocks, attachmentProblem } from '../../shared/attachments/attachment-budget';
import {
  ATTACHMENT_LIMITS,
  type Attachment,
  ClientCommand,
  MAX_SEND_COMMAND_BYTES,
  type ThreadEvent,
} from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { screenshotPng } from '../support/long-session';
import { connect, newThread, startRuntime } from '../support/runtime-harness';

type ImageAttachment = Extract<Attachment, { kind: 'image' }>;
const png = (width: number, height: number, name = 'shot.png'): ImageAttachment => ({
  kind: 'image',
  name,
  mediaType: 'image/png',
  data: screenshotPng(width, height),
});
const claude = { pdfs: true };

describe('attachment budget (the composer and the runtime check the same rules)', () => {
  it('refuses more images than a message may carry, saying how many to remove', () => {
    const image = png(20, 10);
    const list = Array.from({ length: ATTACHMENT_LIMITS.maxPerMessage + 2 }, () => image);
    expect(attachmentProblem(list, claude)).toMatch(/At most 8 attachments .* remove 2/);
    expect(attachmentProblem(list.slice(0, ATTACHMENT_LIMITS.maxPerMessage), claude)).toBeUndefined();
  });

  it('refuses a 10 MB text file, at the protocol boundary and in words', () => {
    const huge: Attachment = { kind: 'text', name: 'dump.log', text: 'x'.repeat(10 * 1024 * 1024) };
    expect(attachmentProblem([huge], claude)).toMatch(/“dump.log” is too long to send/);
    const parsed = ClientCommand.safeParse({
      type: 'message.send',
      id: 'c1',
      threadId: 't1',
      text: 'read this',
      attachments: [huge],
    });
    expect(parsed.success).toBe(false);
  });

  it('refuses an image whose bytes are not the type it claims (the API would answer 400)', () => {
    const lying: Attachment = { ...png(20, 10), mediaType: 'image/jpeg' };
    expect(attachmentProblem([lying], claude)).toMatch(/not a PNG, JPEG, GIF or WebP/);
  });

  it('refuses a PDF for a model that does not read them, and sends it as a document otherwise', () => {
    const pdf: Attachment = { kind: 'pdf', name: 'report.pdf', data: btoa('%PDF-1.4 fake') };
    expect(attachmentProblem([pdf], { pdfs: false })).toMatch(/cannot read PDFs/);
    expect(attachmentProblem([pdf], claude)).toBeUndefined();
    expect(attachmentBlocks([pdf])).toEqual([
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: pdf.data },
        title: 'report.pdf',
      },
    ]);
  });

  it('marks a text file as the user’s file, fenced, so it is not read as what the user typed', () => {
    const [block] = attachmentBlocks([{ kind: 'text', name: 'notes.md', text: 'Use ```code``` here' }]);
    expect(block).toEqual({
      type: 'text',
      text: '[File attached by the user: notes.md]\n~~~~\nUse ```code``` here\n~~~~',
    });
  });

  it('lets the largest message with attachments through the phone link’s reassembly limits', () => {
    expect(LINK_LIMITS.maxPhoneMessageBytes).toBeGreaterThan(MAX_SEND_COMMAND_BYTES);
    expect(LINK_LIMITS.maxPartialBytes).toBeGreaterThanOrEqual(LINK_LIMITS.maxPhoneMessageBytes);
    expect(MAX_SEND_COMMAND_BYTES).toBeGreaterThan(ATTACHMENT_LIMITS.maxTotalChars);
  });

  it('accepts a message with attachments and no text, but not an empty one', () => {
    const base = { type: 'message.send', id: 'c1', threadId: 't1', text: '  ' };
    expect(ClientCommand.safeParse({ ...base, attachments: [png(20, 10)] }).success).toBe(true);
    expect(ClientCommand.safeParse(base).success).toBe(false);
  });

  it('counts attached images in the request’s image budget, newest kept', () => {
    const image = attachmentBlocks([png(20, 10)]);
    const messages = [0, 1, 2].flatMap((i) => [
      { role: 'user' as const, content: [...image, { type: 'text' as const, text: `look ${i}` }] },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'seen' }] },
    ]);
    const view = requestView({ messages, excluded: [], compaction: undefined }, { elideBefore: 0, maxRecentImages: 2 });
    const first = view.messages[0]?.content[0];
    expect(first).toEqual({ type: 'text', text: ATTACHED_IMAGE_STUB });
    expect(view.messages[2]?.content[0]?.type).toBe('image');
    expect(view.elided.images).toBe(1);
  });
});

describe('attachments through the runtime to the model', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await startModelServer({ minCacheableTokens: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  async function setup() {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    return { assembled, panel, threadId };
  }
  const finished = (e: ThreadEvent) => e.kind === 'task_finished';

  it('sends an attached image as a base64 image block and a text file as a text block, stored with the message', async () => {
    const { assembled, panel, threadId } = await setup();
    server.script([{ kind: 'text', text: 'A blue page and your notes.' }]);
    const image = png(40, 20);
    const ack = await panel.command({
      type: 'message.send',
      threadId,
      text: 'What is this?',
      attachments: [image, { kind: 'text', name: 'notes.txt', text: 'remember the milk' }],
    });
    expect(ack.type).toBe('ack');
    await panel.waitForEvent(threadId, finished);
    const sent = server.requests[0]?.body?.messages?.[0];
    expect(sent).toEqual({
      role: 'user',
      content: [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: image.data } },
        { type: 'text', text: '[File attached by the user: notes.txt]\n```\nremember the milk\n```' },
        expect.objectContaining({ type: 'text', text: 'What is this?' }),
      ],
    });
    const stored = (await assembled.log.all(threadId)).find((e) => e.kind === 'user_message');
    expect(stored?.kind === 'user_message' && stored.attachments?.map((a) => a.name)).toEqual([
      'shot.png',
      'notes.txt',
    ]);
    // A restarted runtime rebuilds the same request from the durable log alone.
    const rebuilt = requestMessages(stateFromEvents(threadId, await assembled.log.all(threadId)));
    expect(sent).toMatchObject(rebuilt[0] ?? {});
  });

  it('scales an oversized attached image down to the 1568 px long side before storing it', async () => {
    const { panel, threadId } = await setup();
    server.script([{ kind: 'text', text: 'Big.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'big one', attachments: [png(3000, 1000)] });
    await panel.waitForEvent(threadId, finished);
    const block = server.requests[0]?.body?.messages?.[0]?.content[0] as { source: { data: string } } | undefined;
    expect(pixelSize(block?.source.data ?? '')).toEqual({ width: 1568, height: 523 });
  });

  it('refuses too many images before anything is stored, with a message, and the thread carries on', async () => {
    const { assembled, panel, threadId } = await setup();
    const image = png(20, 10);
    const answer = await panel.command({
      type: 'message.send',
      threadId,
      text: 'all of them',
      attachments: Array.from({ length: ATTACHMENT_LIMITS.maxPerMessage + 1 }, () => image),
    });
    expect(answer).toMatchObject({ type: 'error', code: 'invalid_command' });
    expect(await assembled.log.all(threadId)).toEqual([]);
    server.script([{ kind: 'text', text: 'Fine.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'just text' });
    await panel.waitForEvent(threadId, finished);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a PDF when the model cannot read it, with words, instead of a 400 from the API', async () => {
    const { assembled, panel, threadId } = await setup();
    await assembled.settings.update({ model: 'demo-model' });
    const answer = await panel.command({
      type: 'message.send',
      threadId,
      text: 'summarise',
      attachments: [{ kind: 'pdf', name: 'report.pdf', data: btoa('%PDF-1.4 fake') }],
    });
    expect(answer).toMatchObject({
      type: 'error',
      code: 'too_large',
      message: expect.stringMatching(/cannot read PDFs/),
    });
    expect(server.requests).toHaveLength(0);
  });
});

describe('thread pages bounded by bytes (a page must fit the phone link)', () => {
  const actor = { kind: 'phone' as const, clientId: 'p1' };
  const big = (seq: number): ThreadEvent => ({
    seq,
    at: seq,
    threadId: 't1',
    kind: 'user_message',
    text: `message ${seq}`,
    by: actor,
    commandId: `c${seq}`,
    attachments: [{ kind: 'pdf', name: 'report.pdf', data: 'A'.repeat(ATTACHMENT_LIMITS.maxPdfChars) }],
  });
  const events = [1, 2, 3, 4].map(big);
  const bytes = (list: readonly ThreadEvent[]) => JSON.stringify(list).length;

  it('keeps the newest contiguous events under the budget for a subscribe or history page', () => {
    const page = withinPageBudget(events, 'newest');
    expect(page.map((e) => e.seq)).toEqual([3, 4]);
    expect(bytes(page)).toBeLessThanOrEqual(MAX_PAGE_BYTES);
  });

  it('keeps the oldest for a catch-up (which continues from there), and always at least one event', () => {
    expect(withinPageBudget(events, 'oldest').map((e) => e.seq)).toEqual([1, 2]);
    expect(withinPageBudget(events, 'oldest', 10).map((e) => e.seq)).toEqual([1]);
  });
});

import { describe, expect, it } from 'vitest';
import type { FrameInfo } from '../../extension/web/frame-map';
import { FramePages, MAX_FRAMES_READ } from '../../extension/web/frame-pages';
import type { PageRequest, PageResponse } from '../../extension/web/page-protocol';

const ALLOWED = new Set(['https://shop.test', 'https://partner.test']);

/** A tab whose frames are `frames`; records which frames got a page agent. */
function tab(frames: FrameInfo[]) {
  const agentRuns: Array<{ frameId: number; origin: string; request: PageRequest }> = [];
  const pages = new FramePages({
    listFrames: async () => frames,
    // The geometry helpers: each frame is child 0 of its parent; nothing else is asked here.
    inject: async () => 0,
    runAgent: async (_tab, frameId, origin, request): Promise<PageResponse> => {
      agentRuns.push({ frameId, origin, request });
      if (request.op === 'find') return { op: 'found', matches: [{ context: 'hit', ref: 'e1' }], total: 1 };
      return { op: 'done' };
    },
    owner: async () => ({ threadId: 't', taskId: 'task-1' }),
    sites: {
      verdictFor: async (url) => ({ verdict: ALLOWED.has(url.origin) ? 'allow' : 'ask' }),
      now: () => 0,
    },
  });
  return { pages, agentRuns };
}

const frame = (frameId: number, parentFrameId: number, url: string, errorOccurred = false): FrameInfo => ({
  frameId,
  parentFrameId,
  url,
  errorOccurred,
});

describe('frames under the site policy', () => {
  const frames = [
    frame(0, -1, 'https://shop.test/'),
    frame(1, 0, 'https://partner.test/widget'),
    frame(2, 0, 'https://tracker.test/x'),
    // Allowed by its own site, but inside a frame that may not be read.
    frame(3, 2, 'https://shop.test/inner'),
    frame(4, 0, 'https://blocked.test/', true),
  ];

  it('runs a page agent only in frames whose site, and every site above them, is allowed', async () => {
    const { pages, agentRuns } = tab(frames);
    const reads = await pages.readAll(7, { op: 'find', text: 'hit', max: 20 });
    expect(agentRuns.map((r) => [r.frameId, r.origin])).toEqual([[1, 'https://partner.test']]);
    expect(reads.map((r) => [r.frameId, r.status])).toEqual([
      [1, 'read'],
      [2, 'not_allowed'],
      [4, 'not_loaded'],
    ]);
    expect(reads[0]?.response).toMatchObject({ matches: [{ ref: 'f1:e1' }] });
    expect(reads.find((r) => r.frameId === 2)?.response).toBeUndefined();
  });

  it('refuses actions in a frame that may not be used, before anything runs there', async () => {
    const { pages, agentRuns } = tab(frames);
    expect(await pages.run(7, 2, { op: 'click', ref: 'e1' })).toMatchObject({
      op: 'error',
      error: expect.stringContaining('https://tracker.test, which is not allowed'),
    });
    expect(await pages.run(7, 3, { op: 'click', ref: 'e1' })).toMatchObject({ op: 'error' });
    expect(await pages.run(7, 4, { op: 'click', ref: 'e1' })).toMatchObject({
      error: expect.stringContaining('did not load'),
    });
    expect(await pages.run(7, 99, { op: 'click', ref: 'e1' })).toMatchObject({
      error: expect.stringContaining('call read_page again'),
    });
    expect(agentRuns).toEqual([]);
    expect(await pages.run(7, 1, { op: 'click', ref: 'e1' })).toEqual({ op: 'done' });
    expect(agentRuns).toEqual([{ frameId: 1, origin: 'https://partner.test', request: { op: 'click', ref: 'e1' } }]);
  });

  it('reads a bounded number of frames, naming the rest', async () => {
    const many = [frame(0, -1, 'https://shop.test/')];
    for (let i = 1; i <= MAX_FRAMES_READ + 5; i++) many.push(frame(i, 0, 'https://shop.test/ad'));
    const { pages, agentRuns } = tab(many);
    const reads = await pages.readAll(7, { op: 'find', text: 'hit', max: 100 });
    expect(agentRuns).toHaveLength(MAX_FRAMES_READ);
    expect(reads.filter((r) => r.status === 'too_many')).toHaveLength(5);
  });
});

/**
 * The pure parts of context management: what a request carries (stubs, image
 * recency, summary, nothing the API rejects), how the elision point moves, and
 * how images are fitted before they are stored.
 */
import { describe, expect, it } from 'vitest';
import { contextBudget } from '../../extension/runtime/context/budget';
import { ContextPlanner } from '../../extension/runtime/context/context-plan';
import { pixelSize } from '../../extension/runtime/context/image-size';
import { requestView, SUMMARY_HEADING, type ViewSource } from '../../extension/runtime/context/request-view';
import type { ApiMessage } from '../../extension/runtime/conversation-state';
import { fitImages } from '../../extension/runtime/images/image-fit';
import { screenshotPng } from '../support/long-session';
import { PngResizer } from '../support/png-resizer';

const image = (data: string) => ({
  type: 'image' as const,
  source: { type: 'base64' as const, media_type: 'image/png' as const, data },
});

function toolTurn(i: number, text: string, withImage?: string): ApiMessage[] {
  return [
    { role: 'user', content: [{ type: 'text', text: `step ${i}` }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'read_page', input: { i } }] },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: `t${i}`,
          content: [{ type: 'text', text }, ...(withImage ? [image(withImage)] : [])],
        },
      ],
    },
    { role: 'assistant', content: [{ type: 'text', text: `done ${i}` }] },
  ];
}

const source = (messages: ApiMessage[], extra: Partial<ViewSource> = {}): ViewSource => ({
  messages,
  excluded: [],
  compaction: undefined,
  ...extra,
});

describe('request view', () => {
  it('stubs old tool outputs with what was there and how to get it again', () => {
    const messages = [...toolTurn(1, 'x'.repeat(5_000)), ...toolTurn(2, 'recent')];
    const view = requestView(source(messages), { elideBefore: 4, maxRecentImages: 6 });
    const old = JSON.stringify(view.messages[2]);
    expect(old).toContain('Earlier output of read_page left out');
    expect(old).toContain('5,000 characters');
    expect(old).toContain('Call read_page again');
    expect(JSON.stringify(view.messages[6])).toContain('recent');
    expect(view.elided.outputs).toBe(1);
  });

  it('keeps only the newest images; older ones become stubs', () => {
    const png = screenshotPng(8, 8);
    const messages = [1, 2, 3].flatMap((i) => toolTurn(i, `page ${i}`, png));
    const view = requestView(source(messages), { elideBefore: 0, maxRecentImages: 2 });
    const images = JSON.stringify(view.messages).match(/"type":"image"/g) ?? [];
    expect(images).toHaveLength(2);
    expect(JSON.stringify(view.messages[2])).toContain('An earlier image from read_page was left out');
  });

  it('leaves out refused exchanges and whitespace-only text, and starts from the summary after a compaction', () => {
    const messages: ApiMessage[] = [
      ...toolTurn(1, 'a'),
      { role: 'user', content: [{ type: 'text', text: 'bad request' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'refused' }] },
      { role: 'user', content: [{ type: 'text', text: 'fine request' }] },
      { role: 'assistant', content: [{ type: 'text', text: '\n\n' }] },
    ];
    const view = requestView(
      source(messages, { excluded: [{ from: 4, to: 6 }], compaction: { throughMessage: 4, summary: 'S' } }),
      {
        elideBefore: 0,
        maxRecentImages: 6,
      },
    );
    expect(view.messages.map((m) => m.role)).toEqual(['user', 'user']);
    expect(JSON.stringify(view.messages[0])).toContain(SUMMARY_HEADING);
    expect(JSON.stringify(view.messages)).not.toContain('bad request');
    const texts = view.messages.flatMap((m) => m.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])));
    expect(texts.every((text) => text.trim().length > 0)).toBe(true);
  });

  it('trims the trailing whitespace of a final assistant message sent for a continuation', () => {
    const messages: ApiMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Searching \n' }] },
    ];
    const view = requestView(source(messages), { elideBefore: 0, maxRecentImages: 6 });
    expect(view.messages.at(-1)?.content).toEqual([{ type: 'text', text: 'Searching' }]);
  });
});

describe('context planner', () => {
  it('moves the elision point in one big step when over budget, then keeps it while the request grows', () => {
    const budget = contextBudget('claude-sonnet-5-5', 0.05, 1_000, 6); // 10k tokens
    const planner = new ContextPlanner();
    const messages = Array.from({ length: 6 }, (_, i) => toolTurn(i, 'y'.repeat(8_000))).flat();
    const first = planner.plan(source(messages), budget, 0);
    expect(first.estimatedTokens).toBeLessThanOrEqual(budget.tokens);
    const point = planner.elideBefore;
    expect(point).toBeGreaterThan(0);
    planner.record({
      inputTokens: first.estimatedTokens,
      outputTokens: 0,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
    });
    const grown = [...messages, ...toolTurn(9, 'small')];
    planner.plan(source(grown), budget, 0);
    expect(planner.elideBefore).toBe(point);
  });

  it('asks for a compaction at a boundary that keeps every tool_use with its result', () => {
    const budget = contextBudget('claude-sonnet-5-5', 0.05, 1_000, 6);
    const planner = new ContextPlanner();
    planner.shrinkNext();
    const messages = Array.from({ length: 40 }, (_, i) => toolTurn(i, 'z'.repeat(2_000))).flat();
    const plan = planner.plan(source(messages), budget, 0);
    expect(plan.compactThrough).toBeDefined();
    const boundary = messages[plan.compactThrough ?? -1];
    expect(boundary?.content.some((block) => block.type === 'tool_result')).toBe(false);
  });
});

describe('image fitting', () => {
  it('scales a 2560 × 1440 screenshot to a 1568 px long side before it is stored', async () => {
    const [fitted] = await fitImages([image(screenshotPng(2560, 1440))], new PngResizer());
    expect(fitted?.type).toBe('image');
    expect(fitted?.type === 'image' && pixelSize(fitted.source.data)).toEqual({ width: 1568, height: 882 });
  });

  it('without a resizer, an image over the many-image limit becomes a note instead of poisoning every request', async () => {
    const [kept] = await fitImages([image(screenshotPng(1800, 100))], undefined);
    expect(kept?.type).toBe('image');
    const [note] = await fitImages([image(screenshotPng(2100, 100))], undefined);
    expect(note).toMatchObject({ type: 'text' });
  });
});

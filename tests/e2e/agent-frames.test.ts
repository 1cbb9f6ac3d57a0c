/**
 * The agent reads and operates frames (issue 10, item 9), end to end in real
 * Chromium: the scripted model drives the real tools on a page holding a
 * same-origin frame (with a frame nested in it) and cross-origin frames. Each
 * test checks the frames' own record of what happened (`window.widgetLog` in
 * each frame), not what the tool said it did; cross-origin frames are read
 * only while their site is allowed, and the content of one that is not never
 * reaches the model.
 */
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import type { Turn } from '../fixtures/model-server';
import { PARTNER_FRAME_TEXT, SANDBOXED_FRAME_TEXT, SECRET_FRAME_TEXT } from '../fixtures/sites/frame-pages';
import {
  answerPrompt,
  events,
  newThread,
  removeSiteRule,
  resultText,
  sendMessage,
  setSiteRule,
  startWebSession,
  toolResults,
  type WebSession,
  waitForKind,
} from './support/web-session';

let s: WebSession;

beforeAll(async () => {
  s = await startWebSession('agent-frames');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
});
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
});

/** The ref read_page gave an element (in the page or in a frame, `f3:e2`), by its role and name. */
function refIn(readPage: string, role: string, name: string): string {
  const line = readPage.split('\n').find((l) => l.includes(`] ${role} ${JSON.stringify(name)}`));
  const ref = line?.match(/^\[((?:f\d+:)?e\d+)\]/)?.[1];
  if (!ref) throw new Error(`No ${role} "${name}" in read_page output:\n${readPage.slice(0, 4_000)}`);
  return ref;
}

/** Remembers the tab and the last read_page text as the script runs. */
function scriptState() {
  const state = { tab: -1, page: '' };
  const step = (
    name: string,
    input: (st: typeof state) => Record<string, unknown> | Promise<Record<string, unknown>>,
  ): Turn => ({
    kind: 'respond',
    respond: async (request) => {
      const results = request.messages.at(-1);
      const last =
        typeof results?.content === 'string' ? undefined : results?.content.find((b) => b.type === 'tool_result');
      const text =
        last && last.type === 'tool_result'
          ? typeof last.content === 'string'
            ? last.content
            : (last.content ?? []).map((b) => (b.type === 'text' ? b.text : '')).join('\n')
          : '';
      const tab = text.match(/tab (\d+)/i)?.[1];
      if (state.tab < 0 && tab) state.tab = Number(tab);
      if (text.includes('Interactive elements')) state.page = text;
      return { kind: 'tool_use', name, input: await input(state) };
    },
  });
  return { state, step };
}

async function run(turns: Turn[], text: string): Promise<{ threadId: string; all: ThreadEvent[] }> {
  s.server.script([...turns, { kind: 'text', text: 'Done.' }]);
  const threadId = await newThread(s.panel);
  await sendMessage(s.panel, threadId, text);
  await waitForKind(s.panel, threadId, 'task_finished', 1, 90_000);
  return { threadId, all: await events(s.panel, threadId) };
}

/** The newest frame (in any tab) whose URL ends with `path`. */
function frameAt(path: string): Frame {
  const frame = s.browser.context
    .pages()
    .flatMap((p) => p.frames())
    .filter((f) => new URL(f.url()).pathname === path)
    .at(-1);
  if (!frame) throw new Error(`No frame at ${path}`);
  return frame;
}

const logOf = (path: string) => frameAt(path).evaluate(() => (window as unknown as { widgetLog: string[] }).widgetLog);

const framesUrl = (partner = true, secret = true) => {
  const query = new URLSearchParams();
  if (partner) query.set('partner', `${s.sites.other.url}/frames/partner`);
  if (secret) query.set('secret', `${s.sites.unknown.url}/frames/secret`);
  return `${s.sites.allowed.url}/frames?${query}`;
};

const errorsOf = (all: readonly ThreadEvent[]) =>
  toolResults(all).map((r) => (r.isError ? `error: ${resultText(r).slice(0, 300)}` : 'ok'));

describe('same-origin frames', () => {
  it('lists the controls of a frame and of a frame nested in it, and operates them with trusted input', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: framesUrl(false, false) } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('type', (st) => ({ tab: st.tab, ref: refIn(st.page, 'textbox', 'Coupon code'), text: 'SAVE10' })),
        step('click', (st) => ({ tab: st.tab, ref: refIn(st.page, 'button', 'Apply coupon') })),
        step('select_option', (st) => ({
          tab: st.tab,
          ref: refIn(st.page, 'combobox', 'Shipping'),
          options: ['Express'],
        })),
        step('click', (st) => ({ tab: st.tab, ref: refIn(st.page, 'button', 'Wrap it') })),
        step('read_value', (st) => ({ tab: st.tab, ref: refIn(st.page, 'textbox', 'Coupon code') })),
        step('find_text', (st) => ({ tab: st.tab, text: 'gift wrap' })),
      ],
      'Apply the coupon SAVE10, choose express shipping and wrap it',
    );
    const results = toolResults(all);
    expect(errorsOf(all)).toEqual(Array(8).fill('ok'));
    const read = resultText(results[1] as (typeof results)[number]);
    // Where each frame sits in the page, and where it comes from.
    const origin = s.sites.allowed.url;
    expect(read).toMatch(new RegExp(`Basket: two lamps\\.\\n\\[frame f\\d+ from ${origin.replace(/\./g, '\\.')}\\]`));
    expect(read).toMatch(/\[(f\d+):e\d+\] textbox "Coupon code"/);
    // The nested frame's refs are its own frame's, not its parent's.
    const coupon = refIn(read, 'button', 'Apply coupon').split(':')[0];
    const wrap = refIn(read, 'button', 'Wrap it').split(':')[0];
    expect(coupon).not.toBe(wrap);
    expect(await logOf('/frames/coupon')).toEqual(['apply:SAVE10:true', 'shipping:fast']);
    // A trusted click whose frame coordinates were not mapped to the page would miss the nested frame.
    expect(await logOf('/frames/nested')).toEqual(['wrap:true']);
    expect(resultText(results[6] as (typeof results)[number])).toContain('SAVE10');
    expect(resultText(results[7] as (typeof results)[number])).toMatch(/1 match.*\n[\s\S]*Gift wrap\?/);
  });

  it('hovers and drags inside a frame with trusted pointer moves placed in the page', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: framesUrl(false, false) } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('hover', (st) => ({ tab: st.tab, ref: refIn(st.page, 'focusable', 'Terms') })),
        step('drag', (st) => ({
          tab: st.tab,
          ref: refIn(st.page, 'focusable', 'Handle'),
          to: refIn(st.page, 'focusable', 'Bin'),
        })),
        // One action in one document: a drag from a frame to the page is refused.
        step('drag', (st) => ({
          tab: st.tab,
          ref: refIn(st.page, 'focusable', 'Handle'),
          to: refIn(st.page, 'button', 'Wrap it'),
        })),
      ],
      'Drop the handle in the bin',
    );
    const outcome = errorsOf(all);
    expect(outcome.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(outcome[4]).toMatch(/same frame/);
    expect(await logOf('/frames/coupon')).toEqual(['hover:true', 'drop:bin:true']);
  });

  it('reads and operates a frame the page wrote inline (srcdoc), but not a sandboxed one', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/frames?inline=1` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refIn(st.page, 'button', 'Inline OK') })),
      ],
      'Press OK',
    );
    const read = resultText(toolResults(all)[1] as ReturnType<typeof toolResults>[number]);
    expect(errorsOf(all)).toEqual(['ok', 'ok', 'ok']);
    expect(read).toContain('from a sandboxed or data: document: not read');
    expect(read).not.toContain(SANDBOXED_FRAME_TEXT);
    expect(read).not.toContain('Sandbox button');
    const byName = (name: string) =>
      s.browser.context
        .pages()
        .flatMap((p) => p.frames())
        .filter((f) => f.name() === name)
        .at(-1);
    expect(await byName('inline')?.evaluate(() => (window as unknown as { widgetLog: string[] }).widgetLog)).toEqual([
      'inline',
    ]);
    expect(await byName('sandboxed')?.evaluate(() => (window as unknown as { widgetLog: string[] }).widgetLog)).toEqual(
      [],
    );
  });

  it('clicks a point of a screenshot inside a frame on the element the frame has there', async () => {
    const { step } = scriptState();
    let point = { x: 0, y: 0 };
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: framesUrl(false, false) } },
        step('screenshot', (st) => ({ tab: st.tab })),
        step('click_at', async (st) => {
          // Where the page shows the nested frame's button (CSS px = screenshot px at zoom 1 here).
          const box = await frameAt('/frames/nested').locator('#wrap').boundingBox();
          if (!box) throw new Error('no button box');
          point = { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
          return { tab: st.tab, ...point };
        }),
      ],
      'Click the wrap button',
    );
    expect(errorsOf(all)).toEqual(['ok', 'ok', 'ok']);
    expect(point.x).toBeGreaterThan(60);
    expect(await logOf('/frames/nested')).toEqual(['wrap:true']);
  });
});

describe('cross-origin frames', () => {
  it('reads and operates a frame of an allowed site; a frame of a site that is not allowed is neither read nor shown', async () => {
    await setSiteRule(s.panel, s.sites.other.url, 'allow');
    try {
      const { step } = scriptState();
      const { all } = await run(
        [
          { kind: 'tool_use', name: 'tab_open', input: { url: framesUrl() } },
          step('read_page', (st) => ({ tab: st.tab })),
          step('type', (st) => ({ tab: st.tab, ref: refIn(st.page, 'textbox', 'Member number'), text: '4711' })),
          step('click', (st) => ({ tab: st.tab, ref: refIn(st.page, 'button', 'Join partner club') })),
          step('find_text', (st) => ({ tab: st.tab, text: 'secret' })),
        ],
        'Join the partner club with member number 4711',
      );
      const results = toolResults(all);
      const outcome = errorsOf(all);
      // The browser did not even load the frame of the site that is not allowed, and tab_open says so.
      expect(outcome[0]).toMatch(/^error: [\s\S]*Blocked: a frame in the page tried to load [\s\S]*\/frames\/secret/);
      expect(outcome.slice(1)).toEqual(Array(4).fill('ok'));
      const read = resultText(results[1] as (typeof results)[number]);
      expect(read).toContain(PARTNER_FRAME_TEXT);
      expect(read).toContain(
        `[frame ${refIn(read, 'button', 'Join partner club').split(':')[0]} from ${s.sites.other.url}]`,
      );
      expect(read).toContain(`${s.sites.unknown.url}: not allowed`);
      expect(await logOf('/frames/partner')).toEqual(['join:4711:true']);
      // Nothing of the frame from the site that is not allowed reached the model.
      expect(s.server.requests.length).toBeGreaterThan(0);
      expect(JSON.stringify(s.server.requests)).not.toContain(SECRET_FRAME_TEXT);
      expect(JSON.stringify(s.server.requests)).not.toContain('Secret button');
    } finally {
      await removeSiteRule(s.panel, s.sites.other.url);
    }
  });

  it('stops reading and acting in a loaded frame once its site is no longer allowed', async () => {
    await setSiteRule(s.panel, s.sites.other.url, 'allow');
    const { step } = scriptState();
    let partnerRef = '';
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: framesUrl(true, false) } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', async (st) => {
          partnerRef = refIn(st.page, 'button', 'Join partner club');
          // The user takes the partner site off the allowed sites; its frame stays loaded in the page.
          await removeSiteRule(s.panel, s.sites.other.url);
          return { tab: st.tab, ref: partnerRef };
        }),
        step('read_value', (st) => ({ tab: st.tab, ref: refIn(st.page, 'textbox', 'Member number') })),
        step('click_at', async (st) => {
          const box = await frameAt('/frames/partner').locator('#join').boundingBox();
          if (!box) throw new Error('no button box');
          return { tab: st.tab, x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
        }),
        step('read_page', (st) => ({ tab: st.tab })),
        step('find_text', (st) => ({ tab: st.tab, text: 'partner offers' })),
      ],
      'Join the partner club',
    );
    const results = toolResults(all);
    const outcome = errorsOf(all);
    expect(outcome.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(outcome[2]).toMatch(/not allowed|not on the user's allowed sites/);
    expect(outcome[3]).toMatch(/not allowed|not on the user's allowed sites/);
    // A click on the frame's point of the page is the frame's, refused the same way.
    expect(outcome[4]).toMatch(/not allowed|not on the user's allowed sites/);
    expect(outcome.slice(5)).toEqual(['ok', 'ok']);
    const reread = resultText(results[5] as (typeof results)[number]);
    expect(reread).toContain(`${s.sites.other.url}: not allowed`);
    expect(reread).not.toContain(PARTNER_FRAME_TEXT);
    expect(reread).not.toContain('Join partner club');
    expect(resultText(results[6] as (typeof results)[number])).not.toContain(PARTNER_FRAME_TEXT);
    expect(await logOf('/frames/partner')).toEqual([]);
  });

  it('checks a frame again when it has moved to another site since read_page', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: framesUrl(false, false) } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', async (st) => {
          // The coupon frame goes to a site the user has not allowed (the browser's rules stop the load).
          const coupon = frameAt('/frames/coupon');
          await coupon.evaluate((url) => {
            location.href = url;
          }, `${s.sites.unknown.url}/frames/secret`);
          await coupon.page().waitForTimeout(500);
          return { tab: st.tab, ref: refIn(st.page, 'button', 'Apply coupon') };
        }),
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      'Apply the coupon',
    );
    const results = toolResults(all);
    const outcome = errorsOf(all);
    expect(outcome.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(outcome[2]).toMatch(/did not load \(http:\/\/127\.0\.0\.1:\d+ is not on the user's allowed sites\)/);
    expect(outcome[3]).toBe('ok');
    const reread = resultText(results[3] as (typeof results)[number]);
    expect(reread).not.toContain('Apply coupon');
    expect(reread).not.toContain(SECRET_FRAME_TEXT);
    expect(reread).toContain(`${s.sites.unknown.url}: not allowed`);
  });

  it('asks about a password field in a frame for the frame’s site, and types it there', async () => {
    await setSiteRule(s.panel, s.sites.other.url, 'allow');
    try {
      const { step } = scriptState();
      s.server.script([
        { kind: 'tool_use', name: 'tab_open', input: { url: framesUrl(true, false) } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('type_password', (st) => ({
          tab: st.tab,
          ref: refIn(st.page, 'password', 'Partner password'),
          text: 'hunter2',
        })),
        { kind: 'text', text: 'Done.' },
      ]);
      const threadId = await newThread(s.panel);
      await sendMessage(s.panel, threadId, 'Type my partner password hunter2');
      const prompt = await answerPrompt(s.panel, threadId, 1, 'allow_task');
      await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
      expect(prompt.title).toBe(`Let Tandem type your password on ${s.sites.other.url} this time?`);
      expect(errorsOf(await events(s.panel, threadId))).toEqual(['ok', 'ok', 'ok']);
      expect(await frameAt('/frames/partner').locator('#pw').inputValue()).toBe('hunter2');
    } finally {
      await removeSiteRule(s.panel, s.sites.other.url);
    }
  });
});

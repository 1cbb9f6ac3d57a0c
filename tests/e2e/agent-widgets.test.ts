/**
 * The agent operates controls a person can operate (issue 10), end to end in
 * real Chromium: the scripted model drives the real tools on local widget
 * pages, and each test checks the page's own record of what happened
 * (`window.widgetLog`), not what the tool said it did.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import type { Turn } from '../fixtures/model-server';
import { NOTES_VALUE } from '../fixtures/sites/widget-pages';
import { currentWorker } from './support/chromium';
import {
  events,
  newThread,
  refFor,
  resultText,
  sendMessage,
  setSiteRule,
  startWebSession,
  tabFrom,
  toolResults,
  type WebSession,
  waitForKind,
} from './support/web-session';

let s: WebSession;

beforeAll(async () => {
  s = await startWebSession('agent-widgets');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
});
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
});

/** Remembers the tab and the last read_page text as the script runs. */
function scriptState() {
  const state = { tab: -1, page: '', scrollY: Number.NaN };
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
      if (state.tab < 0 && /tab \d+/.test(text))
        state.tab = tabFrom({ text, toolUseId: '', toolName: '', isError: false });
      if (text.includes('Interactive elements')) state.page = text;
      const scrolled = text.match(/^Scrolled to (\d+)/)?.[1];
      if (scrolled) state.scrollY = Number(scrolled);
      return { kind: 'tool_use', name, input: await input(state) };
    },
  });
  return { state, step };
}

async function run(turns: Turn[], text: string): Promise<{ threadId: string; all: ThreadEvent[] }> {
  s.server.script([...turns, { kind: 'text', text: 'Done.' }]);
  const threadId = await newThread(s.panel);
  await sendMessage(s.panel, threadId, text);
  await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
  return { threadId, all: await events(s.panel, threadId) };
}

/** The page's own log, read from the agent's tab itself. */
async function widgetLog(path: string): Promise<string[]> {
  // The newest tab at that path: earlier tests may have left theirs open.
  const page = s.browser.context
    .pages()
    .filter((p) => p.url().endsWith(path))
    .at(-1);
  if (!page) throw new Error(`No tab at ${path}: ${s.browser.context.pages().map((p) => p.url())}`);
  return page.evaluate(() => (window as unknown as { widgetLog: string[] }).widgetLog);
}

describe('controls a person can operate', () => {
  it('lists controls wired with addEventListener compactly and clicks them', async () => {
    const { step } = scriptState();
    const click = (role: string, name: string) =>
      step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, role, name) }));
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/listeners` } },
        step('read_page', (st) => ({ tab: st.tab })),
        click('clickable', 'Sent'),
        click('focusable', 'Archive'),
        click('clickable', 'Bob Quarterly numbers'),
        click('clickable', 'Like'),
        click('clickable', 'Sales 2024'),
        click('link', 'Next month'),
        click('link', 'Next month'),
      ],
      'Work the mailbox',
    );
    const results = toolResults(all);
    expect(results.map((r) => r.isError)).toEqual(Array(9).fill(false));
    const read = resultText(results[1] as (typeof results)[number]);
    // One entry per control: a mail row is one line, not one per word inside it.
    expect(read.match(/\] clickable "Alice Lunch on Friday\?"/g)).toHaveLength(1);
    expect(read).not.toMatch(/\] clickable "Alice"$/m);
    expect(read).toContain('clickable "Inbox"');
    expect(read).toContain('focusable "Projects"');
    expect(await widgetLog('/widgets/listeners')).toEqual([
      'tab:sent',
      'tree:archive',
      'mail:mail-2',
      'like',
      'svg:dot',
      'month:February',
      'month:March',
    ]);
  });

  it('lists controls only the browser’s listener record shows (no cursor, tab stop or role) and clicks them', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/handlers` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'clickable', 'Q4 plan') })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'clickable', 'Star this board') })),
      ],
      'Open the Q4 card and star the board',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
    const read = resultText(results[1] as (typeof results)[number]);
    expect(read).toContain('clickable "Q3 plan"');
    // Text with no listener stays text.
    expect(read).not.toMatch(/\] \w+ "Just text"/);
    expect(await widgetLog('/widgets/handlers')).toEqual(['card:card-q4', 'star']);
  });

  it('clicks with the full pointer sequence, so a menu that opens on press opens', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/listeners` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Options') })),
      ],
      'Open the options menu',
    );
    expect(toolResults(all).map((r) => r.isError)).toEqual([false, false, false]);
    expect(await widgetLog('/widgets/listeners')).toEqual([
      'pointerdown',
      'mousedown',
      'pointerup',
      'mouseup',
      'menu:opened',
    ]);
  });

  it('chooses one option in a list box and exactly the named ones in a multiple list box', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/select` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('select_option', (st) => ({ tab: st.tab, ref: refFor(st.page, 'combobox', 'Size'), options: ['Large'] })),
        step('select_option', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'listbox', 'Toppings'),
          options: ['Mushrooms', 'pe'],
        })),
        step('select_option', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'combobox', 'Size'),
          options: ['Small', 'Medium'],
        })),
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      'Set my preferences',
    );
    const results = toolResults(all);
    expect(results.map((r) => r.isError)).toEqual([false, false, false, false, true, false]);
    expect(resultText(results[4] as (typeof results)[number])).toMatch(/takes one option/);
    expect(await widgetLog('/widgets/select')).toEqual(['size:l', 'toppings:mu,pe']);
    expect(resultText(results[5] as (typeof results)[number])).toContain('listbox "Toppings" = "Mushrooms, Peppers"');
  });
});

describe('trusted input in Chromium', () => {
  it('presses keys as a keyboard does (key, code, keyCode, which, trusted) and clicks with a trusted pointer', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/keys` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('press_key', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Command'), key: 'k' })),
        step('press_key', (st) => ({ tab: st.tab, ref: refFor(st.page, 'grid', 'Grid'), key: 'ArrowRight' })),
        step('press_key', (st) => ({ tab: st.tab, key: 'ArrowRight' })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'grid', 'Grid') })),
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      'Move two cells right',
    );
    const results = toolResults(all);
    expect(results.map((r) => r.isError)).toEqual(Array(7).fill(false));
    expect(await widgetLog('/widgets/keys')).toEqual([
      'keydown:k|KeyK|75|75|true',
      'grid:1:true',
      'grid:2:true',
      'grid-click:true',
    ]);
    // A trusted key types as a keyboard does.
    expect(resultText(results[6] as (typeof results)[number])).toContain('textbox "Command" = "k"');
  });
});

/** Width and height of a baseline or progressive JPEG, from its start-of-frame marker. */
function jpegSize(base64: string): { width: number; height: number } {
  const bytes = Buffer.from(base64, 'base64');
  for (let i = 2; i + 9 < bytes.length; ) {
    if (bytes[i] !== 0xff) throw new Error('not a JPEG marker');
    const marker = bytes[i + 1] ?? 0;
    if (marker === 0xc0 || marker === 0xc2)
      return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  throw new Error('no frame in JPEG');
}

/** Browser zoom for a tab, as the user sets it with Ctrl +/- (0: the default). */
async function setZoom(tab: number, factor: number): Promise<void> {
  const worker = await currentWorker(s.browser.context);
  await worker.evaluate(
    ([id, z]) =>
      (
        globalThis as unknown as { chrome: { tabs: { setZoom(t: number, z: number): Promise<void> } } }
      ).chrome.tabs.setZoom(id as number, z as number),
    [tab, factor],
  );
}

describe('pointing as a person does', () => {
  it('drags a slider handle to a mark and opens a menu by hovering', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/pointer` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('drag', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'slider', 'Volume'),
          to: refFor(st.page, 'focusable', '75%'),
        })),
        step('hover', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'File') })),
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Export') })),
      ],
      'Set the volume to 75% and export',
    );
    expect(toolResults(all).map((r) => r.isError)).toEqual(Array(6).fill(false));
    expect(await widgetLog('/widgets/pointer')).toEqual(['grab', 'slider:75', 'menu:open', 'export']);
  });

  it('drags a card onto a drop zone with native HTML5 drag and drop, trusted', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/dnd` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('drag', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'draggable', 'Write report'),
          to: refFor(st.page, 'focusable', 'Done'),
        })),
      ],
      'Move the report task to Done',
    );
    expect(toolResults(all).map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    expect(await widgetLog('/widgets/dnd')).toEqual(['dragstart:true', 'drop:task-1:true']);
  });

  for (const zoom of [1, 1.5]) {
    it(`clicks a canvas at screenshot coordinates after scrolling, at zoom ${zoom}`, async () => {
      const { step } = scriptState();
      let tab = -1;
      const { all } = await run(
        [
          { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/pointer` } },
          step('scroll', async (st) => {
            tab = st.tab;
            await setZoom(st.tab, zoom);
            return { tab: st.tab, direction: 'down' };
          }),
          step('screenshot', (st) => ({ tab: st.tab })),
          step('click_at', (st) => {
            // The canvas's top left is at (20, 700) CSS px of the page; screenshots are in device pixels.
            expect(st.scrollY).toBeGreaterThan(0);
            return { tab: st.tab, x: Math.round((20 + 150) * zoom), y: Math.round((700 - st.scrollY + 100) * zoom) };
          }),
        ],
        'Click the middle of the chart',
      );
      const results = toolResults(all);
      expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
      // The screenshot the model saw is in device pixels: the coordinates it gives are pixels of that image.
      const image = results[2]?.content.find((b) => b.type === 'image');
      const size = jpegSize(image?.type === 'image' ? image.source.data : '');
      const page = s.browser.context
        .pages()
        .filter((p) => p.url().endsWith('/widgets/pointer'))
        .at(-1);
      const cssWidth = await page?.evaluate(() => window.innerWidth);
      expect(size.width / (cssWidth ?? 1)).toBeCloseTo(zoom, 1);
      const log = await widgetLog('/widgets/pointer');
      expect(log).toHaveLength(1);
      const [x, y] = (log[0] ?? '').replace('canvas:', '').split(',').map(Number);
      // Within a pixel of the middle: rounding device pixels back to CSS pixels.
      expect(Math.abs((x ?? 0) - 150)).toBeLessThanOrEqual(1);
      expect(Math.abs((y ?? 0) - 100)).toBeLessThanOrEqual(1);
      // Chrome keeps zoom per site: leave the site as the next test expects it.
      await setZoom(tab, 0);
    });
  }
});

describe('custom widgets', () => {
  it('picks a date through the calendar of a read-only date input', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/date` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Departure'), text: '2026-04-15' })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Departure') })),
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'link', 'Next month') })),
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'clickable', '15') })),
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      'Book a departure on 15 April 2026',
    );
    const results = toolResults(all);
    // Typing into the read-only field is refused; the calendar does it.
    expect(results.map((r) => (r.isError ? 'error' : 'ok'))).toEqual([
      'ok',
      'ok',
      'error',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    expect(resultText(results[6] as (typeof results)[number])).toContain('April 2026');
    expect(await widgetLog('/widgets/date')).toEqual(['date:2026-04-15']);
    expect(resultText(results[8] as (typeof results)[number])).toContain('textbox "Departure" = "2026-04-15"');
  });
});

describe('waiting', () => {
  it('waits for late text, an element, the network to go idle and a navigation, each with a timeout', async () => {
    const { step } = scriptState();
    let logAtIdle: string[] = [];
    const url = `${s.sites.allowed.url}/widgets/slow`;
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Load results') })),
        step('wait_for', (st) => ({ tab: st.tab, for: 'network_idle', timeoutMs: 10_000 })),
        step('wait_for', async (st) => {
          // The page's own record, the moment the idle wait returned.
          logAtIdle = await widgetLog('/widgets/slow');
          return { tab: st.tab, for: 'text', text: 'results ready', timeoutMs: 5_000 };
        }),
        step('wait_for', (st) => ({ tab: st.tab, for: 'element', selector: 'p.result' })),
        step('wait_for', (st) => ({ tab: st.tab, for: 'text', text: 'Never shown', timeoutMs: 500 })),
        step('wait_for', (st) => ({ tab: st.tab, for: 'text_gone', text: 'Loading', timeoutMs: 500 })),
        step('wait_for', (st) => ({ tab: st.tab, for: 'navigation', timeoutMs: 500 })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Open the calendar later') })),
        step('wait_for', (st) => ({ tab: st.tab, for: 'navigation', timeoutMs: 5_000 })),
      ],
      'Load the results',
    );
    const results = toolResults(all);
    const texts = results.map((r) => resultText(r));
    expect(results.map((r) => (r.isError ? 'error' : 'ok'))).toEqual([
      ...['ok', 'ok', 'ok'],
      ...['ok', 'ok', 'ok'],
      'error',
      'ok',
      'error',
      ...['ok', 'ok'],
    ]);
    // Idle came after the page's 1.5 s request was answered, although it started before the wait.
    expect(logAtIdle).toEqual(['ready']);
    expect(texts[5]).toMatch(/\[e\d+\] "Three results found"/);
    expect(texts[6]).toContain('Not seen');
    expect(texts[8]).toContain('did not navigate');
    expect(texts[10]).toContain(`is now at ${s.sites.allowed.url}/widgets/date`);
  });
});

describe('text selection', () => {
  it('selects a word in an editor and makes it bold with Control+b, then selects page text and copies it', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/editor` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('select_text', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Editor'), text: 'brave' })),
        step('press_key', (st) => ({ tab: st.tab, key: 'b', modifiers: ['Control'] })),
        step('select_text', (st) => ({ tab: st.tab, text: 'this sentence' })),
        step('press_key', (st) => ({ tab: st.tab, key: 'c', modifiers: ['Control'] })),
      ],
      'Make "brave" bold and copy "this sentence"',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(6).fill('ok'));
    expect(await widgetLog('/widgets/editor')).toEqual(['html:Hello <b>brave</b> new world', 'copy:this sentence']);
  });
});

describe('fields as they are', () => {
  it('reads a field’s exact value in pages, and lists a 1 px transparent terminal input that takes typing', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/fields` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('read_value', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Notes') })),
        step('read_value', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Notes'), from: 20_000 })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Terminal input'), text: 'ls -la' })),
        step('press_key', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Terminal input'), key: 'Enter' })),
      ],
      'Read my notes and list the files',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(6).fill('ok'));
    const [first, second] = [results[2], results[3]].map((r) => resultText(r as (typeof results)[number]));
    expect(first).toContain(`holds ${NOTES_VALUE.length} characters`);
    expect(first).toContain(NOTES_VALUE.slice(0, 20_000));
    expect(first).toContain('from=20000');
    expect(second).toContain(NOTES_VALUE.slice(20_000));
    expect(await widgetLog('/widgets/fields')).toEqual(['run:ls -la']);
  });
});

describe('history', () => {
  it('goes back and forward between pages of an allowed site', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/select` } },
        step('navigate', (st) => ({ tab: st.tab, url: `${s.sites.allowed.url}/widgets/keys` })),
        step('go_history', (st) => ({ tab: st.tab, direction: 'back' })),
        step('read_page', (st) => ({ tab: st.tab })),
        step('go_history', (st) => ({ tab: st.tab, direction: 'forward' })),
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      'Go back, then forward again',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(6).fill('ok'));
    const texts = results.map((r) => resultText(r));
    expect(texts[2]).toContain(`The tab is now at ${s.sites.allowed.url}/widgets/select`);
    expect(texts[3]).toContain('Title: List boxes');
    expect(texts[4]).toContain(`The tab is now at ${s.sites.allowed.url}/widgets/keys`);
    expect(texts[5]).toContain('Title: Key handlers');
  });
});

describe('find text', () => {
  it('finds visible text with the control it is in, and leaves hidden text out', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/injection` } },
        step('find_text', (st) => ({ tab: st.tab, text: 'instruction' })),
        step('find_text', (st) => ({ tab: st.tab, text: 'claim your' })),
      ],
      'Find the reward link',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    const [hidden, link] = [results[1], results[2]].map((r) => resultText(r as (typeof results)[number]));
    // Only the visible one of the page's planted instructions is found.
    expect(hidden).toMatch(/^1 match in tab/);
    expect(hidden).toContain('VISIBLE-INSTRUCTION');
    expect(hidden).not.toContain('CSS-HIDDEN');
    expect(link).toMatch(/1\. \[e\d+\] "Claim your reward"/);
  });
});

/**
 * Dialogs and console messages of an agent tab (issue 10, item 9), end to end
 * in real Chromium: the scripted model clicks buttons that open alert, confirm
 * and prompt, answers them through answer_dialog, and reads the console
 * through read_console. What the page got back from each dialog is checked in
 * the page's own log (`window.widgetLog`), not in the tool's report.
 */
import type { Dialog } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import type { Turn } from '../fixtures/model-server';
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
/**
 * Native dialogs the browser showed. Playwright dismisses a dialog by itself unless someone
 * listens, which would hide a hang: this listener holds every dialog open, as a person away from
 * the screen would, so a tool that waits for one never finishes.
 */
let native: Dialog[] = [];
const holdDialog = (dialog: Dialog) => {
  native.push(dialog);
};

beforeAll(async () => {
  s = await startWebSession('agent-dialogs');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
});
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
  native = [];
  s.browser.context.on('dialog', holdDialog);
});
afterEach(async () => {
  s.browser.context.off('dialog', holdDialog);
  for (const dialog of native) await dialog.dismiss().catch(() => {});
});

/** Remembers the tab and the last read_page text as the script runs. */
function scriptState() {
  const state = { tab: -1, page: '' };
  const step = (name: string, input: (st: typeof state) => Record<string, unknown>): Turn => ({
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
      return { kind: 'tool_use', name, input: input(state) };
    },
  });
  return { state, step };
}

async function run(turns: Turn[], text: string): Promise<ThreadEvent[]> {
  s.server.script([...turns, { kind: 'text', text: 'Done.' }]);
  const threadId = await newThread(s.panel);
  await sendMessage(s.panel, threadId, text);
  await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
  return events(s.panel, threadId);
}

async function pageLog(path: string): Promise<string[]> {
  const page = s.browser.context
    .pages()
    .filter((p) => p.url().endsWith(path))
    .at(-1);
  if (!page) throw new Error(`No tab at ${path}`);
  return page.evaluate(() => (window as unknown as { widgetLog: string[] }).widgetLog);
}

describe('dialogs a page opens', () => {
  it('reports alert, confirm and prompt without hanging, and answers them as the model said', async () => {
    const { step } = scriptState();
    const click = (name: string) => step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', name) }));
    const all = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/dialogs` } },
        step('read_page', (st) => ({ tab: st.tab })),
        click('Say hello'),
        click('Delete all mail'),
        step('answer_dialog', (st) => ({ tab: st.tab, accept: true })),
        click('Delete all mail'),
        step('answer_dialog', (st) => ({ tab: st.tab, accept: true, text: 'Receipts' })),
        click('Rename folder'),
        click('Rename folder'),
      ],
      'Tidy my mail',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(9).fill('ok'));
    const text = (i: number) => resultText(results[i] as (typeof results)[number]);
    expect(text(2)).toMatch(/alert.*Hello from the mail page/s);
    expect(text(3)).toMatch(/confirm.*Delete all mail\?.*dismissed/s);
    expect(text(5)).toMatch(/confirm.*Delete all mail\?.*accepted/s);
    expect(text(7)).toMatch(/prompt.*New folder name\?.*"Receipts"/s);
    expect(native.map((d) => d.type())).toEqual([]);
    // The page's own record: what each dialog gave back to it.
    expect(await pageLog('/widgets/dialogs')).toEqual([
      'alert:closed',
      'confirm:false',
      'confirm:true',
      'prompt:Receipts',
      'prompt:null',
    ]);
  });
});

describe('leaving a page that asks “Leave site?”', () => {
  it('navigates away without being held by beforeunload, and the page’s handler still runs', async () => {
    const { step } = scriptState();
    const all = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/dialogs` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Draft') })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Draft'), text: 'half a letter' })),
        step('navigate', (st) => ({ tab: st.tab, url: `${s.sites.allowed.url}/widgets/dialogs?left=1` })),
      ],
      'Go to the other page',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(5).fill('ok'));
    expect(native.map((d) => d.type())).toEqual([]);
    const page = s.browser.context.pages().find((p) => p.url().endsWith('/widgets/dialogs?left=1'));
    expect(page, 'the tab left the page').toBeDefined();
    // The page's beforeunload handler ran (it saved the draft); only its question was switched off.
    expect(await page?.evaluate(() => sessionStorage.getItem('draft'))).toBe('half a letter');
  });
});

describe('console messages', () => {
  it('reads the tab’s recent console messages and uncaught errors as untrusted content', async () => {
    const { step } = scriptState();
    const all = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/widgets/dialogs` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Run report') })),
        step('wait_for', (st) => ({ tab: st.tab, for: 'text', text: 'report:run' })),
        step('read_console', (st) => ({ tab: st.tab })),
      ],
      'Why does the report fail?',
    );
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(5).fill('ok'));
    const read = resultText(results[4] as (typeof results)[number]);
    expect(read).toContain('<untrusted_content');
    expect(read).toMatch(/log: report started \{"rows":3\}/);
    expect(read).toMatch(/warn: slow query/);
    expect(read).toMatch(/uncaught: .*Report crashed/);
    expect(await pageLog('/widgets/dialogs')).toEqual(['report:run']);
  });
});

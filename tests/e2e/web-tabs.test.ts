/**
 * Tab tools end to end in real Chromium: the agent's own window and tabs, pages
 * read with stable refs, typing and clicking on a local form, confirmation of a
 * form submission, a password field that refuses typing, screenshots, and
 * navigation held to the allowed sites.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import type { Turn } from '../fixtures/model-server';
import { currentWorker } from './support/chromium';
import {
  answerPrompt,
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
  s = await startWebSession('web-tabs');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
});
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
});

const decisions = (all: readonly ThreadEvent[]) => all.filter((e) => e.kind === 'decision_requested');

/** Remembers the tab and the last read_page text as the script runs. */
function scriptState() {
  const state = { tab: -1, page: '' };
  const step = (name: string, input: (st: typeof state) => Record<string, unknown>): Turn => ({
    kind: 'respond',
    respond: (request) => {
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

async function run(turns: Turn[], text: string): Promise<string> {
  s.server.script([...turns, { kind: 'text', text: 'Done.' }]);
  const threadId = await newThread(s.panel);
  await sendMessage(s.panel, threadId, text);
  return threadId;
}

describe('tab tools in Chromium', () => {
  it('reads a form, types into fields, clicks, and submits only after the user confirms', async () => {
    const { step } = scriptState();
    const threadId = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/form` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Name'), text: 'Ada Lovelace' })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Email'), text: 'ada@example.com' })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'password', 'Password'), text: 'hunter2' })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'checkbox', 'Subscribe to news') })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'combobox', 'Country'), text: 'France' })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Click me') })),
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Send message') })),
        step('read_page', (st) => ({ tab: st.tab })),
        step('screenshot', (st) => ({ tab: st.tab })),
        { kind: 'tool_use', name: 'tabs_list', input: {} },
      ],
      'Fill in the contact form',
    );
    const confirm = await answerPrompt(s.panel, threadId, 1, 'allow_once');
    expect(confirm.title).toBe(`Allow submitting a form on ${s.sites.allowed.url}?`);
    expect(confirm.options.map((o) => o.id)).toEqual(['allow_once', 'allow_task', 'deny']);
    await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
    const all = await events(s.panel, threadId);
    const results = toolResults(all);
    const texts = results.map((r) => resultText(r));
    expect(results.map((r) => r.name)).toEqual([
      'tab_open',
      'read_page',
      'type',
      'type',
      'type',
      'click',
      'type',
      'click',
      'read_page',
      'click',
      'read_page',
      'screenshot',
      'tabs_list',
    ]);
    expect(texts[0]).toMatch(/Opened tab \d+ is at .*\/form/);
    expect(texts[1]).toContain(`<untrusted_content source="${s.sites.allowed.url}">`);
    expect(texts[1]).toContain('Contact us');
    expect(texts[1]).toMatch(/\[e\d+\] password "Password" \(password: typing refused\)/);
    // The password field refused typing, before anything reached the page.
    expect(results[4]?.isError).toBe(true);
    expect(texts[4]).toMatch(/password/i);
    // The second read sees what was typed and clicked, with the same refs as the first.
    expect(texts[8]).toContain('= "Ada Lovelace"');
    expect(texts[8]).toContain('= "ada@example.com"');
    expect(texts[8]).toMatch(/checkbox "Subscribe to news" \[x\]/);
    expect(texts[8]).toContain('= "France"');
    expect(texts[8]).toContain('Clicked 1 times');
    expect(refFor(texts[8], 'textbox', 'Name')).toBe(refFor(texts[1], 'textbox', 'Name'));
    // Submitted after the user confirmed; the site received no password.
    expect(texts[9]).toContain('The tab is now at');
    expect(texts[10]).toContain('Thanks, Ada Lovelace');
    expect(texts[10]).toContain('Password: (empty)');
    expect(texts[10]).toContain('Subscribe: yes');
    expect(s.sites.allowed.requests).toContain('POST /form');
    const image = results[11]?.content.find((b) => b.type === 'image');
    expect(image?.type === 'image' && image.source.media_type).toBe('image/jpeg');
    expect(image?.type === 'image' && image.source.data.length).toBeGreaterThan(1_000);
    expect(texts[12]).toMatch(/Tab \d+/);
    expect(decisions(all)).toHaveLength(1);
    // The image went to the model as an image block.
    expect(JSON.stringify(s.server.requests.at(-2)?.body?.messages.at(-1))).toContain('"type":"image"');
  });

  it('does not submit when the user denies the confirmation', async () => {
    const { step } = scriptState();
    const threadId = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/form` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Name'), text: 'Bob' })),
        step('press_key', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Name'), key: 'Enter' })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Send message') })),
      ],
      'Try to send the form',
    );
    await answerPrompt(s.panel, threadId, 1, 'deny');
    await answerPrompt(s.panel, threadId, 2, 'deny');
    await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
    const all = await events(s.panel, threadId);
    const results = toolResults(all);
    expect(results.slice(3).map((r) => r.isError)).toEqual([true, true]);
    expect(s.sites.allowed.requests).not.toContain('POST /form');
  });

  it('blocks navigation the page starts towards a site the user has not allowed, before the page loads', async () => {
    const { allowed, collector } = s.sites;
    const { step } = scriptState();
    const threadId = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${allowed.url}/injection` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Continue reading') })),
        step('read_page', (st) => ({ tab: st.tab })),
        step('navigate', (st) => ({ tab: st.tab, url: `${allowed.url}/refresh` })),
        step('navigate', (st) => ({
          tab: st.tab,
          url: `${allowed.url}/redirect?to=${encodeURIComponent(`${collector.url}/x`)}`,
        })),
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      'Read on',
    );
    await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
    const all = await events(s.panel, threadId);
    const [, , click, afterClick, refresh, redirect, onError] = toolResults(all);
    expect(click?.isError).toBe(true);
    expect(click && resultText(click)).toContain(
      `Blocked: the page tried to go to ${collector.url}/collect?via=script`,
    );
    // The tab went back to the page it was on, and the agent can keep reading it.
    expect(afterClick && resultText(afterClick)).toContain('Quarterly report');
    expect(refresh && resultText(refresh)).toContain(`it led to ${collector.url}/collect?via=meta`);
    expect(redirect && resultText(redirect)).toContain(`it led to ${collector.url}/x`);
    expect(onError?.isError).toBe(true);
    expect(onError && resultText(onError)).toMatch(/error page/);
    expect(decisions(all)).toHaveLength(0);
    expect(collector.requests).toEqual([]);
  });

  it('asks before loading an unknown site in a tab, then lets the tab go there for this task', async () => {
    const { allowed, unknown } = s.sites;
    const { step } = scriptState();
    const threadId = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${allowed.url}/` } },
        step('navigate', (st) => ({ tab: st.tab, url: `${unknown.url}/` })),
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      'Go there',
    );
    const prompt = await answerPrompt(s.panel, threadId, 1, 'allow_once');
    expect(prompt.title).toBe(`Let Tandem open ${unknown.url}?`);
    await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
    const [, navigated, read] = toolResults(await events(s.panel, threadId));
    expect(navigated?.isError).toBe(false);
    expect(read && resultText(read)).toContain('Welcome to the unknown site');
    expect(unknown.requests).toContain('GET /');
  });

  it('acts only in its own tabs: not the user’s, not another conversation’s', async () => {
    const userPage = await s.browser.context.newPage();
    await userPage.goto(`${s.sites.allowed.url}/form`);
    const worker = await currentWorker(s.browser.context);
    const userTab = await worker.evaluate(async (url) => {
      interface TabsApi {
        chrome: { tabs: { query(q: { url: string }): Promise<Array<{ id?: number }>> } };
      }
      const [tab] = await (globalThis as unknown as TabsApi).chrome.tabs.query({ url });
      return tab?.id ?? -1;
    }, `${s.sites.allowed.url}/form`);
    expect(userTab).toBeGreaterThan(0);

    const first = await run(
      [{ kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/` } }],
      'Open it',
    );
    await waitForKind(s.panel, first, 'task_finished', 1, 60_000);
    const opened = toolResults(await events(s.panel, first))[0];
    const agentTab = tabFrom({ text: opened ? resultText(opened) : '', toolUseId: '', toolName: '', isError: false });

    const second = await run(
      [
        { kind: 'tool_use', name: 'read_page', input: { tab: userTab } },
        { kind: 'tool_use', name: 'click', input: { tab: userTab, ref: 'e1' } },
        { kind: 'tool_use', name: 'read_page', input: { tab: agentTab } },
        { kind: 'tool_use', name: 'tab_close', input: { tab: agentTab } },
        { kind: 'tool_use', name: 'tabs_list', input: {} },
      ],
      'Look around',
    );
    await waitForKind(s.panel, second, 'task_finished', 1, 60_000);
    const results = toolResults(await events(s.panel, second));
    expect(results.slice(0, 4).map((r) => r.isError)).toEqual([true, true, true, true]);
    for (const r of results.slice(0, 4)) expect(resultText(r)).toMatch(/not one of your tabs/);
    expect(results[4] && resultText(results[4])).toContain('no open tabs');
    expect(await userPage.locator('input[name="name"]').inputValue()).toBe('');
    await userPage.close();
  });

  it('lists a 2,000-element page a few hundred elements at a time', async () => {
    const { step } = scriptState();
    const threadId = await run(
      [
        { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/many` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('read_page', (st) => ({ tab: st.tab, from: 1_800 })),
      ],
      'Read the catalogue',
    );
    await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
    const [, first, last] = toolResults(await events(s.panel, threadId)).map(resultText);
    expect(first).toContain('Elements 1–200 of 2000 visible.');
    expect(first).toContain('[e1] link "Item 0"');
    expect(first).toContain('from=200');
    expect(first?.length).toBeLessThan(30_000);
    expect(last).toContain('Elements 1801–2000 of 2000 visible.');
    expect(last).toContain('[e2000] checkbox "Pick 499" [ ]');
  });
});

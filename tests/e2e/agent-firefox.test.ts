/**
 * The synthetic fallback of the new page tools in Firefox ESR (no `debugger`
 * API there): script-wired controls listed and clicked with the full pointer
 * sequence, list boxes set exactly, and keys that carry code and keyCode.
 * Checked on the page's own record (`window.widgetLog`).
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer, type Turn } from '../fixtures/model-server';
import { startTestSites, type TestSites } from '../fixtures/sites';
import { PARTNER_FRAME_TEXT, SECRET_FRAME_TEXT } from '../fixtures/sites/frame-pages';
import { SIGN_IN_PASSWORD } from '../fixtures/sites/task-pages';
import { type Answerer, agentTasks, forTheTask } from './support/agent-tasks';
import { makeSandbox } from './support/chromium';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';
import { refFor, resultText, toolResults } from './support/web-session';

let firefox: FirefoxExtensionBrowser;
let server: ModelServer;
let sites: TestSites;
const sandbox = makeSandbox('agent-firefox');

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sites = await startTestSites();
  firefox = await launchFirefoxWithExtension(sandbox.root);
  await firefox.panel.evaluate(
    async ({ baseUrl, apiKey, allowed }) => {
      const client = window.tandem?.client;
      await client?.send({ type: 'settings.update', patch: { baseUrl, apiKey } });
      await client?.send({ type: 'sites.set', pattern: allowed, effect: 'allow' });
    },
    { baseUrl: server.url, apiKey: server.apiKey, allowed: sites.allowed.url },
  );
});
afterAll(async () => {
  await firefox?.close();
  await server?.close();
  await sites?.close();
  sandbox.cleanup();
});

async function runTask(panel: Page, text: string): Promise<ThreadEvent[]> {
  const threadId = await panel.evaluate(async (text) => {
    const client = window.tandem?.client;
    const id = await client?.send({ type: 'thread.create' });
    if (!id || !client) throw new Error('no thread');
    client.subscribe(id);
    await client.send({ type: 'message.send', threadId: id, text });
    return id;
  }, text);
  await panel.waitForFunction(
    (id) => (window.tandem?.client.events(id) ?? []).some((e) => e.kind === 'task_finished'),
    { timeout: 60_000 },
    threadId,
  );
  return panel.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
}

function scriptState() {
  const state = { tab: -1, page: '' };
  const step = (name: string, input: (st: typeof state) => Record<string, unknown>): Turn => ({
    kind: 'respond',
    respond: (request) => {
      const last = request.messages.at(-1);
      const block =
        last && typeof last.content !== 'string' ? last.content.find((b) => b.type === 'tool_result') : undefined;
      const content = block?.type === 'tool_result' ? block.content : undefined;
      const text =
        typeof content === 'string'
          ? content
          : (content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      const tab = text.match(/Opened tab (\d+)/)?.[1];
      if (tab) state.tab = Number(tab);
      if (text.includes('Interactive elements')) state.page = text;
      return { kind: 'tool_use', name, input: input(state) };
    },
  });
  return { step };
}

async function widgetLog(path: string): Promise<string[]> {
  for (const page of (await firefox.browser.pages()).reverse()) {
    const href = await page.evaluate(() => location.href).catch(() => '');
    if (href.endsWith(path)) return page.evaluate(() => (window as unknown as { widgetLog: string[] }).widgetLog);
  }
  throw new Error(`No tab at ${path}`);
}

describe('page tools in Firefox (synthetic fallback)', () => {
  it('clicks script-wired controls with the pointer sequence, sets list boxes and sends keys with keyCode', async () => {
    const { step } = scriptState();
    const click = (role: string, name: string) =>
      step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, role, name) }));
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/widgets/listeners` } },
      step('read_page', (st) => ({ tab: st.tab })),
      click('clickable', 'Sent'),
      click('focusable', 'Archive'),
      click('clickable', 'Sales 2024'),
      click('button', 'Options'),
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/widgets/select` } },
      step('read_page', (st) => ({ tab: st.tab })),
      step('select_option', (st) => ({
        tab: st.tab,
        ref: refFor(st.page, 'listbox', 'Toppings'),
        options: ['Olives', 'ch'],
      })),
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/widgets/keys` } },
      step('read_page', (st) => ({ tab: st.tab })),
      step('press_key', (st) => ({ tab: st.tab, ref: refFor(st.page, 'grid', 'Grid'), key: 'ArrowRight' })),
      { kind: 'text', text: 'Done.' },
    ]);
    const results = toolResults(await runTask(firefox.panel, 'Work the widgets'));
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(12).fill('ok'));
    expect(await widgetLog('/widgets/listeners')).toEqual([
      'tab:sent',
      'tree:archive',
      'svg:dot',
      'pointerdown',
      'mousedown',
      'pointerup',
      'mouseup',
      'menu:opened',
    ]);
    expect(await widgetLog('/widgets/select')).toEqual(['toppings:ch,ol']);
    // Synthetic (isTrusted false) but with the keyCode the old-style handler reads.
    expect(await widgetLog('/widgets/keys')).toEqual(['grid:1:false']);
  });
});

/** Runs a task to its end in Firefox, answering every prompt as the panel would; the prompts and the thread. */
async function runAnswering(panel: Page, text: string, answerer: Answerer) {
  const threadId = await panel.evaluate(async (text) => {
    const client = window.tandem?.client;
    const id = await client?.send({ type: 'thread.create' });
    if (!id || !client) throw new Error('no thread');
    client.subscribe(id);
    await client.send({ type: 'message.send', threadId: id, text });
    return id;
  }, text);
  const answered = new Set<string>();
  const prompts: string[] = [];
  const deadline = Date.now() + 90_000;
  for (;;) {
    const all = await panel.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
    for (const event of all) {
      if (event.kind !== 'decision_requested' || answered.has(event.decisionId)) continue;
      answered.add(event.decisionId);
      prompts.push(event.title);
      const reply = answerer(event);
      const { optionId, secret } = typeof reply === 'string' ? { optionId: reply, secret: undefined } : reply;
      await panel.evaluate(
        (a) =>
          window.tandem?.client.send({
            type: 'decision.answer',
            threadId: a.threadId,
            decisionId: a.decisionId,
            optionId: a.optionId,
            ...(a.secret ? { secret: a.secret } : {}),
          }),
        { threadId, decisionId: event.decisionId, optionId, secret },
      );
    }
    if (all.some((e) => e.kind === 'task_finished')) return { prompts, all };
    if (Date.now() > deadline) throw new Error(`Task did not finish: ${all.map((e) => e.kind).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function pageText(path: string): Promise<string> {
  for (const page of (await firefox.browser.pages()).reverse()) {
    const url = await page.evaluate(() => location.href).catch(() => '');
    // biome-ignore lint/performance/useDomNodeTextContent: what a person sees on the page.
    if (url && new URL(url).pathname === path) return page.evaluate(() => document.body.innerText);
  }
  return `(no tab at ${path})`;
}

describe('fewer prompts, passwords and selection in Firefox', () => {
  it('asks once for an approved plan and the order is placed', async () => {
    const task = agentTasks(sites)[0];
    if (!task) throw new Error('no task');
    server.script(task.turns(true));
    const { prompts, all } = await runAnswering(firefox.panel, task.message, forTheTask);
    expect(prompts).toEqual(['Approve the plan for this task?']);
    expect(
      toolResults(all)
        .filter((r) => r.isError)
        .map(resultText),
    ).toEqual([]);
    expect(await pageText('/shop/checkout')).toContain('Ordered: tea deluxe');
  });

  it('types the password the user enters into the prompt, and the model never sees it', async () => {
    const { step } = scriptState();
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/signin` } },
      step('read_page', (st) => ({ tab: st.tab })),
      step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'User name'), text: 'ada' })),
      step('type_password', (st) => ({ tab: st.tab, ref: refFor(st.page, 'password', 'Password') })),
      step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Sign in') })),
      step('read_page', (st) => ({ tab: st.tab })),
      { kind: 'text', text: 'Done.' },
    ]);
    const { prompts, all } = await runAnswering(firefox.panel, 'Sign me in', (d) =>
      d.options.some((o) => o.id === 'type_secret')
        ? { optionId: 'type_secret', secret: SIGN_IN_PASSWORD }
        : forTheTask(d),
    );
    expect(prompts).toEqual([
      `Type your password for ${sites.allowed.url}`,
      `Allow submitting a form on ${sites.allowed.url}?`,
    ]);
    const results = toolResults(all);
    expect(resultText(results.at(-1) as (typeof results)[number])).toContain('Welcome, ada');
    expect(JSON.stringify(all)).not.toContain(SIGN_IN_PASSWORD);
    expect(JSON.stringify(server.requests)).not.toContain(SIGN_IN_PASSWORD);
  });

  it('selects a word in an editor and makes it bold with Control+b', async () => {
    const { step } = scriptState();
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/widgets/editor` } },
      step('read_page', (st) => ({ tab: st.tab })),
      step('select_text', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Editor'), text: 'brave' })),
      step('press_key', (st) => ({ tab: st.tab, key: 'b', modifiers: ['Control'] })),
      { kind: 'text', text: 'Done.' },
    ]);
    const results = toolResults(await runTask(firefox.panel, 'Make brave bold'));
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(4).fill('ok'));
    expect(await widgetLog('/widgets/editor')).toEqual(['html:Hello <b>brave</b> new world']);
  });

  it('drags a card onto a drop zone with HTML5 drag and drop (synthetic events)', async () => {
    const { step } = scriptState();
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/widgets/dnd` } },
      step('read_page', (st) => ({ tab: st.tab })),
      step('drag', (st) => ({
        tab: st.tab,
        ref: refFor(st.page, 'draggable', 'Write report'),
        to: refFor(st.page, 'focusable', 'Done'),
      })),
      { kind: 'text', text: 'Done.' },
    ]);
    const results = toolResults(await runTask(firefox.panel, 'Move the task'));
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    expect(await widgetLog('/widgets/dnd')).toEqual(['dragstart:false', 'drop:task-1:false']);
  });
});

describe('dialogs and console in Firefox', () => {
  it('answers confirm and prompt as the model set them without hanging, and reads the console', async () => {
    const { step } = scriptState();
    const click = (name: string) => step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', name) }));
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/widgets/dialogs` } },
      step('read_page', (st) => ({ tab: st.tab })),
      click('Delete all mail'),
      step('answer_dialog', (st) => ({ tab: st.tab, accept: true })),
      click('Delete all mail'),
      step('answer_dialog', (st) => ({ tab: st.tab, accept: true, text: 'Receipts' })),
      click('Rename folder'),
      click('Run report'),
      step('read_console', (st) => ({ tab: st.tab })),
      { kind: 'text', text: 'Done.' },
    ]);
    const results = toolResults(await runTask(firefox.panel, 'Tidy my mail'));
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(9).fill('ok'));
    expect(resultText(results[2] as (typeof results)[number])).toMatch(/confirm.*Delete all mail\?.*dismissed/s);
    expect(resultText(results[8] as (typeof results)[number])).toMatch(/warn: slow query/);
    expect(await widgetLog('/widgets/dialogs')).toEqual([
      'confirm:false',
      'confirm:true',
      'prompt:Receipts',
      'report:run',
    ]);
  });
});

describe('frames in Firefox', () => {
  /** A ref read_page gave, in the page or a frame (`f12:e3`). */
  const refIn = (page: string, role: string, name: string) => {
    const ref = page
      .split('\n')
      .find((l) => l.includes(`] ${role} ${JSON.stringify(name)}`))
      ?.match(/^\[((?:f\d+:)?e\d+)\]/)?.[1];
    if (!ref) throw new Error(`No ${role} "${name}" in read_page output:\n${page.slice(0, 3_000)}`);
    return ref;
  };
  const frameLog = async (path: string): Promise<string[]> => {
    for (const page of await firefox.browser.pages()) {
      for (const frame of page.frames()) {
        if (new URL(frame.url()).pathname === path) {
          return frame.evaluate(() => (window as unknown as { widgetLog: string[] }).widgetLog);
        }
      }
    }
    throw new Error(`No frame at ${path}`);
  };

  it('lists the controls of a same-origin frame and of a frame nested in it, and operates them', async () => {
    const { step } = scriptState();
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/frames` } },
      step('read_page', (st) => ({ tab: st.tab })),
      step('type', (st) => ({ tab: st.tab, ref: refIn(st.page, 'textbox', 'Coupon code'), text: 'SAVE10' })),
      step('click', (st) => ({ tab: st.tab, ref: refIn(st.page, 'button', 'Apply coupon') })),
      step('click', (st) => ({ tab: st.tab, ref: refIn(st.page, 'button', 'Wrap it') })),
      { kind: 'text', text: 'Done.' },
    ]);
    const results = toolResults(await runTask(firefox.panel, 'Apply the coupon SAVE10 and wrap it'));
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(Array(5).fill('ok'));
    expect(resultText(results[1] as (typeof results)[number])).toMatch(/\[frame f\d+ from http:\/\/127\.0\.0\.1:\d+\]/);
    // Synthetic events in Firefox: isTrusted is false, but the frame's own controls got them.
    expect(await frameLog('/frames/coupon')).toEqual(['apply:SAVE10:false']);
    expect(await frameLog('/frames/nested')).toEqual(['wrap:false']);
  });

  it('reads and operates a cross-origin frame of an allowed site, and never reads one of a site that is not', async () => {
    await firefox.panel.evaluate(
      (pattern) => window.tandem?.client.send({ type: 'sites.set', pattern, effect: 'allow' }),
      sites.other.url,
    );
    try {
      const { step } = scriptState();
      const query = new URLSearchParams({
        partner: `${sites.other.url}/frames/partner`,
        secret: `${sites.unknown.url}/frames/secret`,
      });
      server.script([
        { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/frames?${query}` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('type', (st) => ({ tab: st.tab, ref: refIn(st.page, 'textbox', 'Member number'), text: '4711' })),
        step('click', (st) => ({ tab: st.tab, ref: refIn(st.page, 'button', 'Join partner club') })),
        { kind: 'text', text: 'Done.' },
      ]);
      const results = toolResults(await runTask(firefox.panel, 'Join the partner club with 4711'));
      expect(results.slice(1).map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      const read = resultText(results[1] as (typeof results)[number]);
      expect(read).toContain(PARTNER_FRAME_TEXT);
      // Firefox leaves a frame its rules blocked at its first about:blank (empty, of its parent's origin).
      expect(read).not.toContain('Secret button');
      expect(read).not.toContain(SECRET_FRAME_TEXT);
      expect(await frameLog('/frames/partner')).toEqual(['join:4711:false']);
      expect(JSON.stringify(server.requests)).not.toContain(SECRET_FRAME_TEXT);
    } finally {
      await firefox.panel.evaluate(
        (pattern) => window.tandem?.client.send({ type: 'sites.remove', pattern }),
        sites.other.url,
      );
    }
  });
});

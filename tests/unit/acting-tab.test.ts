/**
 * "Tandem is acting in this tab": the runtime records which agent tab a task acts in
 * (`tab_acting`, durable, so a client that connects later sees it), marks it in the browser,
 * brings it forward on "Show tab" and clears everything when the task ends. The browser edges
 * (tabs, the toolbar badge) are fakes here; tests/e2e/ui-acting-tab.test.ts runs them in Chromium.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assembleRuntime } from '../../extension/runtime/assemble';
import { EgressGate } from '../../extension/web/egress-gate';
import { memoryArea, SessionPlanStore } from '../../extension/web/plan-store';
import type { ActionOutcome, TabDriver, TabIndicator, WebPlatform } from '../../extension/web/platform';
import { buildThreadView } from '../../shared/conversation/thread-view';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, waitUntil } from '../support/runtime-harness';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const TAB = 41;

function fakeBrowser() {
  const calls: string[] = [];
  const pages = new Map<number, { url: string; title: string }>();
  const owners = new Map<number, { threadId: string; taskId: string }>();
  const outcome = (url: string): ActionOutcome => ({
    url,
    title: pages.get(TAB)?.title ?? '',
    blocked: [],
    navigated: true,
    errorPage: false,
    frames: [],
    openedTabs: [],
  });
  const tabs = new Proxy(
    {
      async open(owner) {
        owners.set(TAB, owner);
        pages.set(TAB, { url: 'about:blank', title: '' });
        return TAB;
      },
      async owner(tabId) {
        return owners.get(tabId);
      },
      async navigate(tabId, url) {
        pages.set(tabId, { url: url.href, title: 'Basket — Shop' });
        return outcome(url.href);
      },
      async prepare() {},
      async close(tabId) {
        pages.delete(tabId);
        owners.delete(tabId);
      },
    } as Partial<TabDriver>,
    {
      get: (target, name) =>
        (target as Record<string | symbol, unknown>)[name] ?? (() => Promise.reject(new Error(`no ${String(name)}`))),
    },
  ) as TabDriver;
  const indicator: TabIndicator = {
    async describe(tabId) {
      return pages.get(tabId);
    },
    async mark(threadId, tabId) {
      calls.push(`mark ${threadId} ${tabId}`);
    },
    async clear(threadId) {
      calls.push(`clear ${threadId}`);
    },
    async show(tabId) {
      calls.push(`show ${tabId}`);
      return pages.has(tabId);
    },
    async keepOnly(threadIds) {
      calls.push(`keep ${threadIds.join(',')}`);
    },
  };
  return { tabs, indicator, calls };
}

async function setup() {
  const fake = fakeBrowser();
  const assembled = assembleRuntime({
    databaseName: `tandem-acting-${Math.random()}`,
    web: ({ sites, now }): WebPlatform => ({
      sites,
      egress: new EgressGate(sites, async () => ({ kind: 'response', response: new Response('') })),
      extractor: { extract: async () => ({ title: '', text: '', truncated: false }) as never },
      tabs: fake.tabs,
      plans: new SessionPlanStore(memoryArea(), now),
      indicator: fake.indicator,
    }),
  });
  await assembled.settings.update({ apiKey: server.apiKey, baseUrl: server.url, model: 'claude-sonnet-5-5' });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  await panel.command({ type: 'sites.set', pattern: 'https://shop.test', effect: 'allow' });
  return { ...fake, assembled, panel, threadId };
}

const ofKind = (all: readonly ThreadEvent[], kind: ThreadEvent['kind']) => all.filter((e) => e.kind === kind);

describe('the "acting in this tab" indicator', () => {
  it('records the tab a task acts in, shows it on request, and clears it when the task is stopped', async () => {
    const { assembled, panel, threadId, calls } = await setup();
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: 'https://shop.test/basket' } },
      { kind: 'hang' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'check my basket' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'tab_acting');
    const acting = ofKind(panel.events(threadId), 'tab_acting');
    expect(acting).toHaveLength(1);
    expect(acting[0]?.kind === 'tab_acting' && acting[0].tab).toEqual({
      tabId: TAB,
      url: 'https://shop.test/basket',
      title: 'Basket — Shop',
    });
    expect(calls).toContain(`mark ${threadId} ${TAB}`);
    expect(buildThreadView(panel.events(threadId)).actingTab).toEqual({
      tabId: TAB,
      site: 'shop.test',
      url: 'https://shop.test/basket',
      title: 'Basket — Shop',
    });

    // A client that connects later (a phone) sees it too, and may bring the tab forward.
    const phone = connect(assembled, 'phone');
    await phone.command({ type: 'thread.subscribe', threadId, tail: 400 });
    expect(buildThreadView(phone.events(threadId)).actingTab?.site).toBe('shop.test');
    expect(await phone.command({ type: 'tab.show', threadId })).toMatchObject({ type: 'ack' });
    expect(calls).toContain(`show ${TAB}`);

    await waitUntil(() => server.requests.length >= 2, 10_000, 'the hanging model call');
    await panel.command({ type: 'task.stop', threadId });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    await assembled.runtime.idle();
    expect(calls.at(-1)).toBe(`clear ${threadId}`);
    expect(buildThreadView(panel.events(threadId)).actingTab).toBeUndefined();
    const after = await panel.command({ type: 'tab.show', threadId });
    expect(after).toMatchObject({ type: 'error', code: 'invalid_command' });
  });

  it('writes one event per change of tab or page, and none when a tool leaves it as it was', async () => {
    const { panel, threadId, calls } = await setup();
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: 'https://shop.test/basket' } },
      { kind: 'tool_use', name: 'navigate', input: { tab: TAB, url: 'https://shop.test/basket' } },
      { kind: 'tool_use', name: 'navigate', input: { tab: TAB, url: 'https://shop.test/checkout' } },
      { kind: 'tool_use', name: 'tab_close', input: { tab: TAB } },
      { kind: 'text', text: 'Done.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'go' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    const acting = ofKind(panel.events(threadId), 'tab_acting').map((e) => (e.kind === 'tab_acting' ? e.tab : 0));
    expect(acting).toEqual([
      { tabId: TAB, url: 'https://shop.test/basket', title: 'Basket — Shop' },
      { tabId: TAB, url: 'https://shop.test/checkout', title: 'Basket — Shop' },
      null,
    ]);
    // Closing the tab took its mark down at once, and the end of the task made sure.
    expect(calls.filter((c) => c.startsWith('clear'))).toEqual([`clear ${threadId}`, `clear ${threadId}`]);
  });

  it('after a restart, keeps the marks of unfinished tasks only', async () => {
    const { assembled, panel, threadId, calls } = await setup();
    const idle = await newThread(panel);
    server.script([{ kind: 'text', text: 'Done.' }]);
    await panel.command({ type: 'message.send', threadId: idle, text: 'hi' });
    await panel.waitForEvent(idle, (e) => e.kind === 'task_finished');
    // A task waiting on the user (its tab still marked) is unfinished, though it has no step to take.
    await assembled.log.append(threadId, [
      { kind: 'user_message', text: 'go', by: { kind: 'panel', clientId: 'p' }, commandId: 'c-wait' },
      { kind: 'task_started', taskId: 'waiting' },
      {
        kind: 'decision_requested',
        taskId: 'waiting',
        decisionId: 'd1',
        topic: 'budget',
        title: 'Spending cap reached',
        detail: '',
        options: [{ id: 'continue', label: 'Continue', tone: 'primary' }],
      },
    ]);
    await assembled.runtime.resume();
    expect(calls.at(-1)).toBe(`keep ${threadId}`);
  });

  it('a thread view shows no tab before the first tab_acting, after a null one, or after the task', () => {
    const base = { threadId: 't', at: 1 };
    const by = { kind: 'panel' as const, clientId: 'c' };
    const tab = { tabId: 3, url: 'https://a.example/x', title: 'A' };
    const events: ThreadEvent[] = [
      { ...base, seq: 1, kind: 'user_message', text: 'hi', by, commandId: 'c1' },
      { ...base, seq: 2, kind: 'task_started', taskId: 'k' },
    ];
    expect(buildThreadView(events).actingTab).toBeUndefined();
    events.push({ ...base, seq: 3, kind: 'tab_acting', taskId: 'k', tab });
    expect(buildThreadView(events).actingTab).toEqual({ ...tab, site: 'a.example' });
    events.push({ ...base, seq: 4, kind: 'tab_acting', taskId: 'k', tab: null });
    expect(buildThreadView(events).actingTab).toBeUndefined();
    events.push({ ...base, seq: 5, kind: 'tab_acting', taskId: 'k', tab });
    events.push({ ...base, seq: 6, kind: 'task_finished', taskId: 'k', outcome: 'completed' });
    expect(buildThreadView(events).actingTab).toBeUndefined();
  });
});

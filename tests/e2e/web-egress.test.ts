/**
 * Egress end to end (issue 16), in Chromium and Firefox ESR, each with the
 * popup blocker on and off: an allowed page crafted so that ordinary agent
 * actions (a click, a form submission the user confirmed) would make the
 * browser send a request to a collector on a loopback origin the user never
 * allowed. New tabs and windows, frame targets, script-submitted forms, labels
 * that submit, SVG links, forms that 307 elsewhere and `<a ping>`. The scripted
 * model clicks everything; the user confirms form submissions on the allowed
 * site and denies every question naming the collector. The collector must get
 * no request at all, in any run. Racy cases (new tabs) run RUNS times.
 */
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent, ThreadEventOf } from '../../shared/protocol';
import { type ModelServer, startModelServer, type Turn } from '../fixtures/model-server';
import { startTestSites, type TestSites } from '../fixtures/sites';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';
import { resultText, toolResults } from './support/web-session';

const RUNS = Number(process.env.EGRESS_RUNS ?? 5);

type Evaluate = <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>;

interface EgressCase {
  id: string;
  /** The element's accessible name in read_page. */
  name: string;
  /** The outcome races the browser (new tabs and windows): run it RUNS times. */
  racy: boolean;
  /** The click itself must put the collector to the user (who denies it). */
  asksCollector?: boolean;
  /** A frame navigates: the tool result must say so, not "The tab stayed at". */
  frame?: boolean;
  /** A confirmed form the allowed site redirects elsewhere: the result must say where it was stopped. */
  redirectedForm?: boolean;
  /** Stays on the allowed site (the rules must not get in the way): the result says where it went. */
  allowedResult?: (allowed: string) => string;
  /** Opens a tab or window when the browser lets it: the result must say so (and it becomes the agent's). */
  opensTab?: boolean;
}

const CASES: EgressCase[] = [
  { id: 'blank', opensTab: true, name: 'Blank link', racy: true },
  { id: 'noopener', opensTab: true, name: 'Noopener link', racy: true },
  { id: 'svg-blank', opensTab: true, name: 'SVG blank link', racy: true },
  { id: 'open', opensTab: true, name: 'Open window', racy: true },
  { id: 'popup', opensTab: true, name: 'Open popup', racy: true },
  { id: '307-blank', opensTab: true, name: 'Send 307 new tab', racy: true },
  { id: 'frame-link', name: 'Frame link', racy: false, frame: true },
  { id: 'svg-frame', name: 'SVG frame link', racy: false, frame: true },
  { id: 'svg-xlink', name: 'SVG collector link', racy: false, asksCollector: true },
  { id: 'frame-form', name: 'Frame form', racy: false, frame: true },
  { id: 'label-frame', name: 'Label frame submit', racy: false, asksCollector: true },
  { id: 'label-self', name: 'Label submit', racy: false, asksCollector: true },
  { id: '307-self', name: 'Send 307', racy: false, redirectedForm: true },
  { id: 'ping', name: 'Ping link', racy: false },
  {
    id: 'allowed-blank',
    name: 'Allowed blank link',
    racy: false,
    opensTab: true,
    allowedResult: (allowed) => ` (now one of your tabs) at ${allowed}/opened.`,
  },
  {
    id: 'allowed-frame',
    name: 'Allowed frame link',
    racy: false,
    allowedResult: (allowed) => `A frame in the page now shows ${allowed}/framed.`,
  },
  // Last in a run, so no navigation unloads the page before its timer fires: a popup opened a moment
  // after the click, while the click's user activation still lets the page open one.
  { id: 'delayed', name: 'Open window later', racy: true },
];

/** The ref read_page gave the element with this name, whatever its role. */
function refNamed(readPage: string, name: string): string {
  const line = readPage.split('\n').find((l) => l.includes(` ${JSON.stringify(name)}`));
  const ref = line?.match(/^\[(e\d+)\]/)?.[1];
  if (!ref) throw new Error(`No element "${name}" in read_page output:\n${readPage.slice(0, 3_000)}`);
  return ref;
}

function lastResultText(request: Parameters<Extract<Turn, { kind: 'respond' }>['respond']>[0]): string {
  const last = request.messages.at(-1);
  if (!last || typeof last.content === 'string') return '';
  return last.content
    .flatMap((b) =>
      b.type === 'tool_result'
        ? typeof b.content === 'string'
          ? [b.content]
          : (b.content ?? []).map((c) => (c.type === 'text' ? c.text : ''))
        : [],
    )
    .join('\n');
}

interface Session {
  evaluate: Evaluate;
  server: ModelServer;
  sites: TestSites;
  close(): Promise<void>;
}

async function configure(evaluate: Evaluate, server: ModelServer, allowed: string): Promise<void> {
  await evaluate(
    async ({ baseUrl, apiKey, allowed }) => {
      const client = window.tandem?.client;
      await client?.send({ type: 'settings.update', patch: { baseUrl, apiKey } });
      await client?.send({ type: 'sites.set', pattern: allowed, effect: 'allow' });
    },
    { baseUrl: server.url, apiKey: server.apiKey, allowed },
  );
}

async function chromiumSession(name: string, popupsBlocked: boolean): Promise<Session> {
  const server = await startModelServer({ minCacheableTokens: 0 });
  const sites = await startTestSites();
  const sandbox = makeSandbox(name);
  let browser: ExtensionBrowser | undefined;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server.close();
    await sites.close();
    sandbox.cleanup();
  };
  try {
    browser = await launchExtensionBrowser(sandbox.root, undefined, {
      extraArgs: popupsBlocked ? [] : ['--disable-popup-blocking'],
    });
    const panel: PlaywrightPage = await browser.openPanel();
    const evaluate = ((fn: (arg: unknown) => unknown, arg: unknown) => panel.evaluate(fn, arg)) as Evaluate;
    await configure(evaluate, server, sites.allowed.url);
    return { evaluate, server, sites, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function firefoxSession(name: string, popupsBlocked: boolean): Promise<Session> {
  const server = await startModelServer({ minCacheableTokens: 0 });
  const sites = await startTestSites();
  const sandbox = makeSandbox(name);
  let firefox: FirefoxExtensionBrowser | undefined;
  const close = async () => {
    await firefox?.close().catch(() => {});
    await server.close();
    await sites.close();
    sandbox.cleanup();
  };
  try {
    firefox = await launchFirefoxWithExtension(sandbox.root, {
      // Firefox sends no pings unless this is on; a user may turn it on, so the rules must hold then.
      prefs: { 'browser.send_pings': true, 'dom.disable_open_during_load': popupsBlocked },
    });
    const panel: PuppeteerPage = firefox.panel;
    const evaluate = ((fn: (arg: unknown) => unknown, arg: unknown) => panel.evaluate(fn, arg)) as Evaluate;
    await configure(evaluate, server, sites.allowed.url);
    return { evaluate, server, sites, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Plays the user: a new tab in their own window (the panel's), a moment to type, then a URL.
 * Returns where the tab ended up once loaded ('' if it shows an error page).
 */
function userOpens(evaluate: Evaluate, url: string): Promise<string> {
  return evaluate(async (url) => {
    interface Tabs {
      create(p: { windowId?: number; url: string }): Promise<{ id?: number }>;
      update(id: number, p: { url: string }): Promise<unknown>;
      get(id: number): Promise<{ status?: string; url?: string }>;
      getCurrent(): Promise<{ windowId?: number } | undefined>;
    }
    interface Frames {
      getFrame(d: { tabId: number; frameId: number }): Promise<{ errorOccurred?: boolean } | null>;
    }
    const { tabs, webNavigation } = (globalThis as unknown as { chrome: { tabs: Tabs; webNavigation: Frames } }).chrome;
    const here = await tabs.getCurrent();
    const created = await tabs.create({
      ...(here?.windowId === undefined ? {} : { windowId: here.windowId }),
      url: 'about:blank',
    });
    const id = created.id ?? -1;
    await new Promise((r) => setTimeout(r, 300));
    await tabs.update(id, { url });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(200);
    for (let i = 0; i < 100 && (await tabs.get(id)).status === 'loading'; i++) await sleep(50);
    const frame = await webNavigation.getFrame({ tabId: id, frameId: 0 });
    return frame?.errorOccurred ? '' : ((await tabs.get(id)).url ?? '');
  }, url);
}

const threadEvents = (evaluate: Evaluate, threadId: string): Promise<ThreadEvent[]> =>
  evaluate((id) => {
    const client = window.tandem?.client;
    client?.subscribe(id);
    return [...(client?.events(id) ?? [])];
  }, threadId);

/**
 * One run: a task that opens the egress page and, for each case, reloads it, reads it and clicks
 * the case's element. Plays the user meanwhile: confirms form submissions on the allowed site,
 * denies everything else. Returns the thread's events.
 */
async function runCases(s: Session, run: number, cases: readonly EgressCase[]): Promise<ThreadEvent[]> {
  const { allowed, collector } = s.sites;
  const state = { tab: -1, page: '' };
  const pageUrl = `${allowed.url}/egress?run=${run}`;
  const step = (name: string, input: () => Record<string, unknown>): Turn => ({
    kind: 'respond',
    respond: (request) => {
      const text = lastResultText(request);
      const opened = text.match(/Opened tab (\d+)/)?.[1];
      if (state.tab < 0 && opened) state.tab = Number(opened);
      if (text.includes('Interactive elements')) state.page = text;
      return { kind: 'tool_use', name, input: input() };
    },
  });
  const turns: Turn[] = [{ kind: 'tool_use', name: 'tab_open', input: { url: pageUrl } }];
  cases.forEach((c, i) => {
    if (i > 0) turns.push(step('navigate', () => ({ tab: state.tab, url: pageUrl })));
    turns.push(step('read_page', () => ({ tab: state.tab })));
    turns.push(step('click', () => ({ tab: state.tab, ref: refNamed(state.page, c.name) })));
  });
  s.server.script([...turns, { kind: 'text', text: 'Done.' }]);
  const threadId = await s.evaluate(async (text) => {
    const client = window.tandem?.client;
    const id = await client?.send({ type: 'thread.create' });
    if (!id || !client) throw new Error('no thread');
    client.subscribe(id);
    await client.send({ type: 'message.send', threadId: id, text });
    return id;
  }, `Egress run ${run}`);
  const answered = new Set<string>();
  const deadline = Date.now() + 150_000;
  let all: ThreadEvent[] = [];
  while (Date.now() < deadline) {
    all = await threadEvents(s.evaluate, threadId);
    if (all.some((e) => e.kind === 'task_finished')) break;
    for (const e of all) {
      if (e.kind !== 'decision_requested' || answered.has(e.decisionId)) continue;
      answered.add(e.decisionId);
      const text = `${e.title} ${e.detail}`;
      const confirmOnAllowed =
        e.title === `Allow submitting a form on ${allowed.url}?` && !text.includes(collector.url);
      const optionId = confirmOnAllowed ? 'allow_once' : 'deny';
      await s.evaluate(
        ({ threadId, decisionId, optionId }) =>
          window.tandem?.client.send({ type: 'decision.answer', threadId, decisionId, optionId }),
        { threadId, decisionId: e.decisionId, optionId },
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!all.some((e) => e.kind === 'task_finished')) throw new Error(`Egress run ${run} did not finish`);
  return all;
}

/** The click result for each case of a run, with the decisions asked for that click. */
function clickOutcomes(all: readonly ThreadEvent[], cases: readonly EgressCase[]) {
  const clicks = toolResults(all).filter((r) => r.name === 'click');
  const decisions = all.filter((e): e is ThreadEventOf<'decision_requested'> => e.kind === 'decision_requested');
  return cases.map((c, i) => {
    const result = clicks[i];
    return {
      case: c,
      text: result ? resultText(result) : '(no result)',
      isError: result?.isError === true,
      asked: decisions.filter((d) => d.toolUseId === result?.toolUseId).map((d) => `${d.title} ${d.detail}`),
    };
  });
}

const CONFIGS = [
  { browser: 'chromium', popupsBlocked: true },
  { browser: 'chromium', popupsBlocked: false },
  { browser: 'firefox', popupsBlocked: true },
  { browser: 'firefox', popupsBlocked: false },
] as const;

for (const config of CONFIGS) {
  const label = `${config.browser}, popup blocker ${config.popupsBlocked ? 'on' : 'off'}`;
  describe(`agent actions reach no site the user did not allow (${label})`, () => {
    let s: Session;
    beforeAll(async () => {
      const name = `web-egress-${config.browser}-${config.popupsBlocked ? 'blocked' : 'popups'}`;
      s = await (config.browser === 'chromium' ? chromiumSession : firefoxSession)(name, config.popupsBlocked);
    });
    afterAll(() => s?.close());

    it(`sends nothing to the collector in ${RUNS} runs of every channel`, async () => {
      const { popupsBlocked } = config;
      const failures: string[] = [];
      for (let run = 1; run <= RUNS; run++) {
        // Racy cases every run; the deterministic ones twice.
        const cases = CASES.filter((c) => c.racy || run <= 2);
        const all = await runCases(s, run, cases);
        // Let the delayed popup's timer fire before the next run reloads the page.
        await new Promise((r) => setTimeout(r, 2_000));
        for (const outcome of clickOutcomes(all, cases)) {
          const { id } = outcome.case;
          if (process.env.EGRESS_DEBUG) console.log(`${label} ${id}-${run}:`, outcome.text, outcome.asked);
          // Asked now, or refused citing the user's earlier "Deny" of the collector in this task.
          const collectorAsked =
            outcome.asked.some((q) => q.includes(s.sites.collector.url)) ||
            (outcome.text.includes('The user did not allow') && outcome.text.includes(s.sites.collector.url));
          if (outcome.case.asksCollector && !collectorAsked) {
            failures.push(`${id}-${run}: the user was not asked about ${s.sites.collector.url}: ${outcome.text}`);
          }
          // With the popup blocker off every one of these opens a tab: prove the channel was exercised.
          if (
            outcome.case.opensTab &&
            !popupsBlocked &&
            !/It opened tab \d+ \(now one of your tabs\)/.test(outcome.text)
          ) {
            failures.push(`${id}-${run}: the result does not report the tab it opened: ${outcome.text}`);
          }
          const expected = outcome.case.allowedResult?.(s.sites.allowed.url);
          const opened = !outcome.case.opensTab || !popupsBlocked;
          if (expected && opened && (outcome.isError || !outcome.text.includes(expected))) {
            failures.push(`${id}-${run}: an allowed destination was not reached as it should: ${outcome.text}`);
          }
          if (outcome.case.redirectedForm && !outcome.text.includes(`redirected it to ${s.sites.collector.url}`)) {
            failures.push(`${id}-${run}: the result does not say where the form was stopped: ${outcome.text}`);
          }
          if (outcome.case.frame && (/The tab stayed at/.test(outcome.text) || !/frame/i.test(outcome.text))) {
            failures.push(`${id}-${run}: the result does not say a frame navigated: ${outcome.text}`);
          }
        }
      }
      // A request can still be on its way when the last tool returns.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(s.sites.collector.requests, 'requests that reached the collector').toEqual([]);
      expect(failures).toEqual([]);
    });

    it.runIf(config.popupsBlocked)('leaves the tabs the user opens right after an agent action alone', async () => {
      const { unknown } = s.sites;
      const all = await runCases(s, 99, [{ id: 'user-tab', name: 'Allowed frame link', racy: false }]);
      expect(
        toolResults(all)
          .filter((r) => r.isError)
          .map(resultText),
      ).toEqual([]);
      // The action window is still open (a click's activation lasts seconds): the user's own tab is not the agent's.
      expect(await userOpens(s.evaluate, `${unknown.url}/mine`)).toBe(`${unknown.url}/mine`);
      expect(unknown.requests).toContain('GET /mine');
    });

    it.runIf(config.popupsBlocked)(
      'refuses other spellings of a denied site and of a web store without asking the user again',
      async () => {
        const { collector } = s.sites;
        await s.evaluate(
          (pattern) => window.tandem?.client.send({ type: 'sites.set', pattern, effect: 'deny' }),
          collector.url,
        );
        const port = new URL(collector.url).port;
        const spellings = [
          `http://localhost:${port}/collect?via=alias-localhost`,
          `http://localhost.:${port}/collect?via=alias-dot`,
          `http://[::ffff:7f00:1]:${port}/collect?via=alias-mapped`,
          `http://0.0.0.0:${port}/collect?via=alias-zero`,
          `http://127.0.0.1.:${port}/collect?via=alias-ip-dot`,
        ];
        const turns: Turn[] = [
          ...spellings.map((url): Turn => ({ kind: 'tool_use', name: 'web_fetch', input: { url } })),
          ...spellings.map((url): Turn => ({ kind: 'tool_use', name: 'tab_open', input: { url } })),
          { kind: 'tool_use', name: 'tab_open', input: { url: 'https://chromewebstore.google.com./detail/x' } },
          { kind: 'text', text: 'Done.' },
        ];
        s.server.script(turns);
        const threadId = await s.evaluate(async (text) => {
          const client = window.tandem?.client;
          const id = await client?.send({ type: 'thread.create' });
          if (!id || !client) throw new Error('no thread');
          client.subscribe(id);
          await client.send({ type: 'message.send', threadId: id, text });
          return id;
        }, 'Aliases');
        const deadline = Date.now() + 60_000;
        let all: ThreadEvent[] = [];
        while (Date.now() < deadline) {
          all = await threadEvents(s.evaluate, threadId);
          // A question here is already the failure: the rule should have decided.
          if (all.some((e) => e.kind === 'task_finished' || e.kind === 'decision_requested')) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(all.filter((e) => e.kind === 'decision_requested').map((e) => JSON.stringify(e))).toEqual([]);
        const results = toolResults(all);
        expect(results).toHaveLength(turns.length - 1);
        for (const result of results) {
          expect(result.isError, resultText(result)).toBe(true);
          // Refused by the deny rule without a question (asserted above), or never reachable at all.
          expect(resultText(result)).toMatch(/blocked by the site rule|did not allow|never reachable/);
        }
        await new Promise((r) => setTimeout(r, 500));
        expect(collector.requests).toEqual([]);
      },
    );
  });
}

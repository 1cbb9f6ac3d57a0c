/**
 * The browser side of the tab tools: opening agent tabs in the agent's window,
 * navigating, running page-agent.ts in a page, screenshots. Every answer from a
 * page is parsed (page-protocol.ts) before anything uses it.
 */
import browser from 'webextension-polyfill';
import { ToolError } from '../tools/registry';
import { installActionable } from './actionable';
import type { AgentTabs, TabOwner } from './agent-tabs';
import { frameOrigin } from './frame-geometry';
import { type FrameInfo, routeRequest, TOP_FRAME } from './frame-map';
import { FramePages, type FrameRead, type FrameReadRequest, type FrameSites } from './frame-pages';
import { listenedElements } from './listener-scan';
import type { NavigationGuard } from './navigation-guard';
import { pageAgent } from './page-agent';
import { type PageRequest, type PageResponse, PageResponse as PageResponseSchema } from './page-protocol';
import {
  PAGE_WORLD_LIMITS,
  type PageWorldRequest,
  type PageWorldResponse,
  PageWorldResponse as PageWorldResponseSchema,
  pageWorld,
} from './page-world';
import type {
  ActionOutcome,
  AgentTabInfo,
  FrameOutcome,
  OpenedTab,
  TabDriver,
  TabState,
  WatchOptions,
} from './platform';
import { type TrustedInput, trustedAction, withKeyCodes } from './trusted-input';

/** How long an action gets to start a navigation (a click handler, a submit) before we stop waiting for one. */
const NAVIGATION_START_MS = 300;
const NAVIGATION_FINISH_MS = 15_000;
const LOAD_WAIT_MS = 10_000;
const TAKE_DIALOGS_MS = 2_000;
const AGENT_WINDOW = { width: 1280, height: 900 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class BrowserTabDriver implements TabDriver {
  constructor(
    private readonly tabs: AgentTabs,
    private readonly guard: NavigationGuard,
    /** Trusted keys and clicks (Chrome's debugger); without it, the synthetic path in page-agent.ts. */
    private readonly input?: TrustedInput,
    /** The site policy frames are held to (frame-pages.ts); without it no frame is read or acted in. */
    frameSites?: FrameSites,
  ) {
    this.observeRequests();
    this.installOnCommit();
    this.frames = new FramePages({
      listFrames: (tabId) => this.listFrames(tabId),
      inject: (tabId, frameId, func, args) => this.inject(tabId, frameId, func, args),
      runAgent: (tabId, frameId, origin, request) => this.runInPage(tabId, origin, request, frameId),
      owner: (tabId) => this.tabs.owner(tabId),
      ...(frameSites ? { sites: frameSites } : {}),
      ...(input ? { input } : {}),
    });
  }

  private readonly frames: FramePages;

  private async listFrames(tabId: number): Promise<FrameInfo[]> {
    const frames = await browser.webNavigation.getAllFrames({ tabId }).catch(() => null);
    return (frames ?? []).map((f) => ({
      frameId: f.frameId,
      parentFrameId: f.parentFrameId,
      url: f.url,
      errorOccurred: f.errorOccurred === true,
    }));
  }

  /** Runs one self-contained function in one frame of a tab (isolated world); its result, unparsed. */
  private async inject<F extends (...args: never[]) => unknown>(
    tabId: number,
    frameId: number,
    func: F,
    args: Parameters<F>,
  ): Promise<unknown> {
    const results = await browser.scripting.executeScript({
      target: { tabId, frameIds: [frameId] },
      func: func as unknown as () => void,
      args: args as unknown[],
    });
    return results[0]?.result;
  }

  readFrames(tabId: number, read: FrameReadRequest): Promise<FrameRead[]> {
    return this.frames.readAll(tabId, read);
  }

  /**
   * Puts the page-world catcher (page-world.ts) into each page of an agent tab as soon as it commits,
   * so console messages of the page's load are kept too. Best effort: a script that runs before it
   * is not caught, which is why every action installs it again first.
   */
  private installOnCommit(): void {
    browser.webNavigation.onCommitted.addListener((d) => {
      if (d.frameId !== 0 || !/^https?:/i.test(d.url)) return;
      void this.tabs
        .owner(d.tabId)
        .then((owner) => (owner ? this.pageWorld(d.tabId, null, { op: 'install' }) : undefined))
        .catch(() => {});
    });
  }

  async open(owner: TabOwner): Promise<number> {
    const state = await this.tabs.state();
    let windowId = state.windowId;
    if (windowId !== undefined && !(await browser.windows.get(windowId).catch(() => undefined))) windowId = undefined;
    let tabId: number | undefined;
    if (windowId === undefined) {
      const created = await browser.windows.create({ url: 'about:blank', focused: false, ...AGENT_WINDOW });
      windowId = created.id;
      tabId = created.tabs?.[0]?.id;
    } else {
      tabId = (await browser.tabs.create({ windowId, url: 'about:blank', active: true })).id;
    }
    if (tabId === undefined || windowId === undefined) throw new ToolError('The browser did not open a tab.');
    await this.tabs.adopt(tabId, owner);
    await this.waitForLoad(tabId);
    const groupId = await this.group(tabId, windowId, state.windowId === windowId ? state.groupId : undefined);
    await this.tabs.update((s) => {
      s.windowId = windowId;
      if (groupId === undefined) delete s.groupId;
      else s.groupId = groupId;
    });
    await this.guard.sync();
    return tabId;
  }

  /** Groups agent tabs under "Tandem" where the browser has tab groups (Chrome); elsewhere the window is enough. */
  private async group(tabId: number, windowId: number, groupId: number | undefined): Promise<number | undefined> {
    const tabsApi = browser.tabs as unknown as {
      group?: (options: {
        tabIds: number[];
        groupId?: number;
        createProperties?: { windowId: number };
      }) => Promise<number>;
    };
    if (typeof tabsApi.group !== 'function') return undefined;
    try {
      const id = await tabsApi.group({
        tabIds: [tabId],
        ...(groupId === undefined ? { createProperties: { windowId } } : { groupId }),
      });
      if (id !== groupId) await browser.tabGroups?.update(id, { title: 'Tandem', color: 'orange' }).catch(() => {});
      return id;
    } catch {
      if (groupId !== undefined) return this.group(tabId, windowId, undefined);
      return undefined;
    }
  }

  owner(tabId: number): Promise<TabOwner | undefined> {
    return this.tabs.owner(tabId);
  }

  async list(threadId: string): Promise<AgentTabInfo[]> {
    const infos: AgentTabInfo[] = [];
    for (const tabId of await this.tabs.tabsOf(threadId)) {
      const tab = await browser.tabs.get(tabId).catch(() => undefined);
      if (!tab) {
        await this.tabs.forget(tabId);
        continue;
      }
      infos.push({ tabId, url: tab.url ?? '', title: tab.title ?? '', active: tab.active });
    }
    return infos;
  }

  async state(tabId: number): Promise<TabState> {
    const tab = await browser.tabs.get(tabId).catch(() => undefined);
    if (!tab) {
      await this.tabs.forget(tabId);
      throw new ToolError(`Tab ${tabId} is closed. Use tabs_list to see your tabs.`);
    }
    const frame = await browser.webNavigation.getFrame({ tabId, frameId: 0 }).catch(() => null);
    return {
      tabId,
      url: tab.url ?? frame?.url ?? '',
      title: tab.title ?? '',
      loading: tab.status === 'loading',
      errorPage: frame?.errorOccurred === true,
    };
  }

  prepare(tabId: number, owner: TabOwner): Promise<void> {
    return this.guard.prepare(tabId, owner);
  }

  /**
   * Watches a tab while an action runs, then waits until it is quiet: no
   * navigation in progress and none started for a moment. The moment matters:
   * a meta refresh or a script redirect starts right after a page loads.
   * Meanwhile an action window is open (navigation-guard.ts), so a tab the
   * action opens is under the rules before its first request; frames that
   * navigate and tabs that open are reported too.
   */
  async watch(tabId: number, options: WatchOptions = {}): Promise<{ settle(): Promise<ActionOutcome> }> {
    const owner = await this.tabs.owner(tabId);
    const window = owner ? await this.guard.openActionWindow(owner) : undefined;
    const expectNavigation = options.expectNavigation === true;
    const since = Date.now();
    let navigating = false;
    let navigations = 0;
    let finishedOnce = false;
    let lastEvent = Date.now();
    const failed: Array<{ url: string; error: string | undefined }> = [];
    const frameLoads: string[] = [];
    const frameErrors: Array<{ url: string; error: string | undefined }> = [];
    const otherErrors: Array<{ tabId: number; url: string; error: string | undefined }> = [];
    const created: number[] = [];
    // Frames still loading: the action is not over while a frame it aimed at is still on its way.
    const framesLoading = new Set<number>();
    const frameDone = (d: { tabId: number; frameId: number }) => {
      if (d.tabId !== tabId || d.frameId === 0) return false;
      framesLoading.delete(d.frameId);
      lastEvent = Date.now();
      return true;
    };
    const onBefore = (d: { tabId: number; frameId: number }) => {
      if (d.tabId === tabId && d.frameId !== 0) {
        framesLoading.add(d.frameId);
        lastEvent = Date.now();
      }
      if (d.tabId !== tabId || d.frameId !== 0) return;
      navigating = true;
      navigations++;
      lastEvent = Date.now();
    };
    // Only the end of a navigation that started while watching counts (a new tab's initial
    // about:blank can finish just after the watch begins).
    const onCompleted = (d: { tabId: number; frameId: number }) => {
      if (frameDone(d)) return;
      if (d.tabId !== tabId || d.frameId !== 0 || navigations === 0) return;
      navigating = false;
      finishedOnce = true;
      lastEvent = Date.now();
    };
    const onCommitted = (d: { tabId: number; frameId: number; url: string }) => {
      if (d.tabId === tabId && d.frameId !== 0) frameLoads.push(d.url);
    };
    const onError = (d: { tabId: number; frameId: number; url: string }) => {
      const error = (d as { error?: string }).error;
      if (d.tabId !== tabId) {
        if (d.frameId === 0) otherErrors.push({ tabId: d.tabId, url: d.url, error });
        return;
      }
      if (d.frameId !== 0) {
        frameErrors.push({ url: d.url, error });
        frameDone(d);
        return;
      }
      failed.push({ url: d.url, error });
      if (navigations === 0) return;
      navigating = false;
      finishedOnce = true;
      lastEvent = Date.now();
    };
    const onSameDocument = (d: { tabId: number; frameId: number }) => {
      if (d.tabId !== tabId || d.frameId !== 0) return;
      navigations++;
      finishedOnce = true;
      lastEvent = Date.now();
    };
    const onCreated = (tab: { id?: number }) => {
      if (tab.id !== undefined) created.push(tab.id);
    };
    browser.webNavigation.onBeforeNavigate.addListener(onBefore);
    browser.webNavigation.onCompleted.addListener(onCompleted);
    browser.webNavigation.onCommitted.addListener(onCommitted);
    browser.webNavigation.onErrorOccurred.addListener(onError);
    // Same-document navigations (a #fragment, history.pushState) finish without onCompleted.
    browser.webNavigation.onReferenceFragmentUpdated.addListener(onSameDocument);
    browser.webNavigation.onHistoryStateUpdated.addListener(onSameDocument);
    browser.tabs.onCreated.addListener(onCreated);
    const stopListening = () => {
      browser.webNavigation.onBeforeNavigate.removeListener(onBefore);
      browser.webNavigation.onCompleted.removeListener(onCompleted);
      browser.webNavigation.onCommitted.removeListener(onCommitted);
      browser.webNavigation.onErrorOccurred.removeListener(onError);
      browser.webNavigation.onReferenceFragmentUpdated.removeListener(onSameDocument);
      browser.webNavigation.onHistoryStateUpdated.removeListener(onSameDocument);
      browser.tabs.onCreated.removeListener(onCreated);
    };
    return {
      settle: async () => {
        try {
          const deadline = Date.now() + NAVIGATION_FINISH_MS;
          while (Date.now() < deadline) {
            const quiet = !navigating && framesLoading.size === 0 && Date.now() - lastEvent >= NAVIGATION_START_MS;
            if (quiet && (finishedOnce || !expectNavigation)) break;
            await sleep(25);
          }
          // Asked alongside the rest of the report, so the report is not later by a round trip to the page.
          const dialogsTaken = this.takeDialogs(tabId);
          // Tabs the action opened are adopted (and so under their own rules) before the window closes.
          await window?.close();
          const openedTabs = await this.openedTabs(owner, created, otherErrors, since);
          const frames = await this.frameOutcomes(tabId, frameLoads, frameErrors);
          const blocked: string[] = [];
          for (const failure of failed) {
            if (await this.guard.wasBlocked(tabId, failure.url, failure.error)) blocked.push(failure.url);
          }
          const all = [...new Set([...blocked, ...this.guard.blockedSince(tabId, since)])];
          const dialogs = await dialogsTaken;
          let state = await this.state(tabId);
          if (all.length > 0 && options.returnTo) {
            // Leave the "blocked" error page: reload the page the agent acted on. (Going back does not
            // work: Chrome skips history entries that navigated away without a user gesture, and the
            // agent's clicks carry none.) The error page commits a moment after the error event.
            for (let i = 0; i < 20 && !state.errorPage; i++) {
              await sleep(25);
              state = await this.state(tabId);
            }
            if (state.errorPage) {
              await browser.tabs.update(tabId, { url: options.returnTo }).catch(() => {});
              await sleep(50);
              await this.waitForLoad(tabId);
              state = await this.state(tabId);
            }
          }
          return {
            url: state.url,
            title: state.title,
            blocked: all,
            navigated: navigations > 0 || expectNavigation,
            errorPage: state.errorPage,
            frames,
            openedTabs,
            ...(dialogs ? { dialogs } : {}),
          };
        } finally {
          await window?.close().catch(() => {});
          stopListening();
        }
      },
    };
  }

  /** What the page's frames did: a frame whose load failed because the rules stopped it is reported as blocked. */
  private async frameOutcomes(
    tabId: number,
    loads: readonly string[],
    errors: ReadonlyArray<{ url: string; error: string | undefined }>,
  ): Promise<FrameOutcome[]> {
    const outcomes: FrameOutcome[] = [];
    for (const error of errors) {
      if (await this.guard.wasBlocked(tabId, error.url, error.error)) outcomes.push({ url: error.url, blocked: true });
    }
    const failed = new Set(errors.map((e) => e.url));
    for (const url of loads) {
      // An error page commits under the URL that failed; about:blank and the like are not a destination.
      if (failed.has(url) || !/^https?:/i.test(url)) continue;
      outcomes.push({ url, blocked: false });
    }
    return outcomes.filter((o, i) => outcomes.findIndex((p) => p.url === o.url && p.blocked === o.blocked) === i);
  }

  /** The tabs this action opened that became the task's, with where each went. */
  private async openedTabs(
    owner: TabOwner | undefined,
    created: readonly number[],
    errors: ReadonlyArray<{ tabId: number; url: string; error: string | undefined }>,
    since: number,
  ): Promise<OpenedTab[]> {
    if (!owner) return [];
    const opened: OpenedTab[] = [];
    for (const tabId of created) {
      const tabOwner = await this.tabs.owner(tabId);
      if (tabOwner?.threadId !== owner.threadId) continue;
      await this.waitForLoad(tabId);
      const blocked: string[] = [];
      for (const e of errors) {
        if (e.tabId === tabId && (await this.guard.wasBlocked(tabId, e.url, e.error))) blocked.push(e.url);
      }
      blocked.push(...this.guard.blockedSince(tabId, since));
      const tab = await browser.tabs.get(tabId).catch(() => undefined);
      opened.push({ tabId, url: tab?.url ?? '', blocked: [...new Set(blocked)] });
    }
    return opened;
  }

  async navigate(tabId: number, url: URL): Promise<ActionOutcome> {
    // No return after a blocked navigate: the page it came from may be the one that redirects (a meta refresh).
    const watcher = await this.watch(tabId, { expectNavigation: true });
    await browser.tabs.update(tabId, { url: url.href });
    return watcher.settle();
  }

  async waitForLoad(tabId: number): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < LOAD_WAIT_MS) {
      const tab = await browser.tabs.get(tabId).catch(() => undefined);
      if (tab?.status !== 'loading') return;
      await sleep(100);
    }
  }

  async runPage(tabId: number, expectedOrigin: string, request: PageRequest): Promise<PageResponse> {
    const routed = routeRequest(request);
    if ('error' in routed) return { op: 'error', error: routed.error };
    if (routed.frameId !== TOP_FRAME) return this.frames.run(tabId, routed.frameId, withKeyCodes(routed.request));
    if (request.op === 'probe' || request.op === 'click_point') {
      // A point over a frame is the frame's element there, planned and clicked in that frame.
      const origin = await this.inject(tabId, TOP_FRAME, frameOrigin, []).catch(() => undefined);
      if (origin !== expectedOrigin) {
        return { op: 'error', error: `The tab is now on ${String(origin)}, not ${expectedOrigin}; read it again.` };
      }
      const inner = await this.frames.frameAtPoint(tabId, request.x, request.y);
      if (inner && 'error' in inner) return { op: 'error', error: inner.error };
      if (inner) return this.frames.run(tabId, inner.frameId, { ...request, x: inner.x, y: inner.y });
    }
    let full = withKeyCodes(request);
    if (this.input && full.op === 'snapshot') {
      const listened = await listenedElements(this.input, tabId);
      if (listened) full = { ...full, listened };
    }
    if (this.input) {
      const trusted = await trustedAction(this.input, tabId, full, (r) => this.runInPage(tabId, expectedOrigin, r));
      if (trusted) return trusted;
    }
    return this.runInPage(tabId, expectedOrigin, full);
  }

  /** The dialogs the page opened since the last look, or undefined when there were none (or it cannot be asked). */
  private async takeDialogs(tabId: number): Promise<ActionOutcome['dialogs']> {
    // Bounded: a native dialog still open (one the page opened before the catcher was in) would hold
    // executeScript, and the action's report with it, until the user answered it.
    const answer = await Promise.race([
      this.pageWorld(tabId, null, { op: 'take_dialogs' }).catch(() => undefined),
      sleep(TAKE_DIALOGS_MS).then(() => undefined),
    ]);
    if (answer?.op !== 'dialogs' || answer.dialogs.length === 0) return undefined;
    return { origin: answer.origin, seen: answer.dialogs };
  }

  async pageWorld(
    tabId: number,
    expectedOrigin: string | null,
    request: PageWorldRequest,
    frameId = TOP_FRAME,
  ): Promise<PageWorldResponse> {
    let results: Array<{ result?: unknown }>;
    try {
      // The polyfill's types predate `world`; Chrome and Firefox (128+) both take it.
      results = await (
        browser.scripting.executeScript as unknown as (details: {
          target: { tabId: number; frameIds: number[] };
          world: 'MAIN';
          injectImmediately: boolean;
          func: typeof pageWorld;
          args: Parameters<typeof pageWorld>;
        }) => Promise<Array<{ result?: unknown }>>
      )({
        target: { tabId, frameIds: [frameId] },
        world: 'MAIN',
        // Not held until the page is idle: the catcher must be in place before the page's scripts run.
        injectImmediately: true,
        func: pageWorld,
        args: [request, expectedOrigin, PAGE_WORLD_LIMITS],
      });
    } catch (error) {
      throw new ToolError(
        `Could not reach the page in tab ${tabId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const parsed = PageWorldResponseSchema.safeParse(results[0]?.result);
    if (!parsed.success) throw new ToolError(`Tab ${tabId} gave an answer Tandem could not read.`);
    return parsed.data;
  }

  private async runInPage(
    tabId: number,
    expectedOrigin: string,
    request: PageRequest,
    frameId = TOP_FRAME,
  ): Promise<PageResponse> {
    await this.waitForLoad(tabId);
    // Before anything can make the page open a dialog, its dialogs answer at once (page-world.ts):
    // a native one would stop the page, and this tool with it, until someone answered.
    await this.pageWorld(tabId, expectedOrigin, { op: 'install' }, frameId).catch(() => undefined);
    let results: Awaited<ReturnType<typeof browser.scripting.executeScript>>;
    try {
      await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, func: installActionable });
      results = await browser.scripting.executeScript({
        target: { tabId, frameIds: [frameId] },
        func: pageAgent,
        args: [request, expectedOrigin],
      });
    } catch (error) {
      throw new ToolError(`Could not act in tab ${tabId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = PageResponseSchema.safeParse(results[0]?.result);
    if (!parsed.success) throw new ToolError(`Tab ${tabId} gave an answer Tandem could not read.`);
    return parsed.data;
  }

  async networkIdle(tabId: number, quietMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const inFlight = this.inFlight.get(tabId)?.size ?? 0;
      const since = this.lastRequestChange.get(tabId) ?? 0;
      if (inFlight === 0 && Date.now() - since >= quietMs) return true;
      await sleep(50);
    }
    return false;
  }

  /**
   * Requests in flight per tab, observed (never blocked) from the start, so a wait for network idle
   * sees the requests an action started before the wait began.
   */
  private readonly inFlight = new Map<number, Set<string>>();
  private readonly lastRequestChange = new Map<number, number>();

  private observeRequests(): void {
    const filter = { urls: ['<all_urls>'] };
    const change = (d: { tabId: number; requestId: string }, started: boolean) => {
      if (d.tabId < 0) return;
      const set = this.inFlight.get(d.tabId) ?? new Set<string>();
      if (started) set.add(d.requestId);
      else set.delete(d.requestId);
      if (set.size > 0) this.inFlight.set(d.tabId, set);
      else this.inFlight.delete(d.tabId);
      this.lastRequestChange.set(d.tabId, Date.now());
    };
    browser.webRequest.onBeforeRequest.addListener((d) => change(d, true), filter);
    browser.webRequest.onCompleted.addListener((d) => change(d, false), filter);
    browser.webRequest.onErrorOccurred.addListener((d) => change(d, false), filter);
  }

  async screenshot(tabId: number): Promise<{ mediaType: 'image/jpeg'; data: string }> {
    const tab = await browser.tabs.update(tabId, { active: true });
    await this.waitForLoad(tabId);
    if (tab?.windowId === undefined) throw new ToolError(`Tab ${tabId} has no window.`);
    const dataUrl = await browser.tabs.captureVisibleTab(tab.windowId, { format: 'jpeg', quality: 70 });
    const comma = dataUrl.indexOf(',');
    return { mediaType: 'image/jpeg', data: dataUrl.slice(comma + 1) };
  }

  async close(tabId: number): Promise<void> {
    await browser.tabs.remove(tabId).catch(() => {});
    if (await this.tabs.forget(tabId)) await this.guard.sync();
  }
}

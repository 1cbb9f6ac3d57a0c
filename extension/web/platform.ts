/**
 * What the web tool families (tools/web.ts, tools/tabs.ts) need from the
 * browser, as interfaces: the composition root gets a browser implementation
 * from the background entrypoint (browser-web.ts); tests can pass their own.
 */

import type { TabOwner } from './agent-tabs';
import type { EgressGate } from './egress-gate';
import type { HtmlExtractor } from './extractor';
import type { FileInputs } from './file-input-driver';
import type { FrameRead, FrameReadRequest } from './frame-pages';
import type { PageRequest, PageResponse } from './page-protocol';
import type { DialogSeen, PageWorldRequest, PageWorldResponse } from './page-world';
import type { PlanStore } from './plan-store';
import type { SitePolicy } from './site-policy';

export interface AgentTabInfo {
  tabId: number;
  url: string;
  title: string;
  active: boolean;
}

export interface TabState {
  tabId: number;
  url: string;
  title: string;
  loading: boolean;
  /** The tab shows an error page (a navigation failed or was blocked). */
  errorPage: boolean;
}

/** A frame in the page that navigated while the action ran. */
export interface FrameOutcome {
  url: string;
  /** The rules stopped it: nothing was sent to `url`. */
  blocked: boolean;
}

/** A tab or window the action opened (adopted as one of the task's tabs). */
export interface OpenedTab {
  tabId: number;
  url: string;
  /** Navigations the rules stopped in it. */
  blocked: string[];
}

export interface ActionOutcome {
  url: string;
  title: string;
  /** Top-level navigations of the tab the rules stopped while the action ran. */
  blocked: string[];
  navigated: boolean;
  errorPage: boolean;
  frames: FrameOutcome[];
  openedTabs: OpenedTab[];
  /** Dialogs (alert, confirm, prompt) the page opened while the action ran, with how each was answered. */
  dialogs?: { origin: string; seen: DialogSeen[] };
}

export interface WatchOptions {
  /** An explicit navigation is under way: wait for it to finish. */
  expectNavigation?: boolean;
  /** Where to take the tab back to if the rules blocked a navigation the action caused. */
  returnTo?: string;
}

export interface TabDriver {
  /** Opens a blank agent tab (in the agent's window) owned by this task; navigation rules are in place before it returns. */
  open(owner: TabOwner): Promise<number>;
  owner(tabId: number): Promise<TabOwner | undefined>;
  list(threadId: string): Promise<AgentTabInfo[]>;
  state(tabId: number): Promise<TabState>;
  /** Brings the tab's navigation rules in line with this task's grants (the moment of action). */
  prepare(tabId: number, owner: TabOwner): Promise<void>;
  /**
   * Starts watching the tab for what an action may cause (its navigation, frames navigating, tabs
   * it opens, which are held to the rules from their first request); `settle` waits and reports.
   */
  watch(tabId: number, options?: WatchOptions): Promise<{ settle(): Promise<ActionOutcome> }>;
  navigate(tabId: number, url: URL): Promise<ActionOutcome>;
  runPage(tabId: number, expectedOrigin: string, request: PageRequest): Promise<PageResponse>;
  screenshot(tabId: number): Promise<{ mediaType: 'image/jpeg'; data: string }>;
  /**
   * Resolves true once the tab has had no request in flight for `quietMs`, false at `timeoutMs`.
   * Optional: a platform that cannot observe requests says it cannot wait for network idle.
   */
  networkIdle?(tabId: number, quietMs: number, timeoutMs: number): Promise<boolean>;
  close(tabId: number): Promise<void>;
  /**
   * Asks the page's own world (page-world.ts): dialog answers, console messages. Optional: a
   * platform without it has no dialog or console tools. `expectedOrigin` null skips the origin check.
   */
  pageWorld?(tabId: number, expectedOrigin: string | null, request: PageWorldRequest): Promise<PageWorldResponse>;
  /**
   * Reads the tab's frames below the top page (frame-pages.ts), each only while its site is allowed
   * for the tab's task. Optional: a platform without it reads the top page only.
   */
  readFrames?(tabId: number, read: FrameReadRequest): Promise<FrameRead[]>;
}

/**
 * Shows, in the browser itself, which agent tab a task is acting in (web/tab-indicator.ts), and
 * brings it to the front on request. Optional: a platform without it shows the indicator in the
 * panel and the phone only.
 */
export interface TabIndicator {
  /** What the tab shows now; undefined when it is closed. */
  describe(tabId: number): Promise<{ url: string; title: string } | undefined>;
  /** Marks the tab as the one `threadId`'s task acts in (and unmarks that thread's others). */
  mark(threadId: string, tabId: number): Promise<void>;
  /** The thread's task ended: no tab of it is marked any more. */
  clear(threadId: string): Promise<void>;
  /** Focuses the tab's window and makes it the window's active tab; false when the tab is gone. */
  show(tabId: number): Promise<boolean>;
  /** After a restart: unmarks the tabs of every thread but these (their tasks ended while the worker was gone). */
  keepOnly(threadIds: readonly string[]): Promise<void>;
}

export interface WebPlatform {
  sites: SitePolicy;
  egress: EgressGate;
  extractor: HtmlExtractor;
  tabs: TabDriver;
  plans: PlanStore;
  /** File fields and drop zones (upload_file); absent where a platform cannot reach them. */
  fileInputs?: FileInputs;
  indicator?: TabIndicator;
}

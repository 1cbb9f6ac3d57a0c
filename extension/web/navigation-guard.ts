/**
 * Keeps agent tabs on allowed sites. The browser enforces it (declarativeNetRequest
 * session rules from dnr-rules.ts, re-synced whenever agent tabs, tasks or site
 * grants change and right before every agent action in a tab); webNavigation
 * tells the tools what was blocked, and a committed navigation that should not
 * have happened (rules out of date) is replaced by a blank page.
 *
 * Tabs and windows an action opens (a `target=_blank` link, `window.open`, a
 * form posted to a new tab) make their first request before the extension
 * learns their id, so rules scoped to known tab ids come too late for them.
 * While an action runs, an action window is open: a rule group scoped with
 * `excludedTabIds` to every tab that existed when it began holds every new
 * tab to the acting task's grants from its first request. A new tab whose
 * opener is an agent tab, or that opens in the agent's window or as a popup,
 * is adopted as the task's tab (and so stays under the rules after the window
 * closes). The window stays open ACTIVATION_MS after the action: a click's
 * user activation lets the page open popups that long, even with the popup
 * blocker on. Any other tab created meanwhile is the user's and is released at
 * once; if its first load was caught before that and its opener is one of the
 * user's tabs, it is loaded again.
 */
import browser from 'webextension-polyfill';
import type { AgentTabs, TabOwner } from './agent-tabs';
import { navigationRules, RULE_ID_FIRST, RULE_ID_LAST, type TabRuleGroup } from './dnr-rules';
import type { SitePolicy } from './site-policy';

interface BlockedNavigation {
  url: string;
  at: number;
}

/** A blocked navigation is remembered this long for the tool that caused it to report. */
const BLOCKED_MEMORY_MS = 60_000;
/** Requests from no tab (service workers, the extension's own fetches, which the egress gate checks). */
const TAB_ID_NONE = -1;

/**
 * How long after an agent's click the page may still open a popup on that click's user activation
 * (HTML "transient activation"; Chrome and Firefox keep it 5 s): the action window stays open that long.
 */
const ACTIVATION_MS = 5_000;

interface ActionWindow {
  owner: TabOwner;
  /** Tabs the window's rules leave alone: those that existed when the action began, and the user's new ones. */
  existing: Set<number>;
  /** Set once the action is over: the window stays for ACTIVATION_MS, then goes. */
  lingering?: ReturnType<typeof setTimeout>;
}

export interface OpenActionWindow {
  /** Waits for the tabs the action opened to be adopted; the window's rules go ACTIVATION_MS later. */
  close(): Promise<void>;
}

export class NavigationGuard {
  private chain: Promise<unknown> = Promise.resolve();
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly blocked = new Map<number, BlockedNavigation[]>();
  private readonly windows = new Set<ActionWindow>();
  private readonly adoptions = new Set<Promise<void>>();

  constructor(
    private readonly sites: SitePolicy,
    private readonly tabs: AgentTabs,
    private readonly now: () => number,
  ) {}

  /** Registers the browser listeners; call once, synchronously at startup. */
  listen(): void {
    browser.webNavigation.onErrorOccurred.addListener((details) => {
      if (details.frameId !== 0) return;
      void this.wasBlocked(details.tabId, details.url, (details as { error?: string }).error).then((blocked) => {
        if (blocked) this.recordBlocked(details.tabId, details.url);
      });
    });
    browser.webNavigation.onCommitted.addListener((details) => {
      if (details.frameId !== 0) return;
      void this.checkCommitted(details.tabId, details.url);
    });
    browser.tabs.onRemoved.addListener((tabId) => {
      this.blocked.delete(tabId);
      void this.tabs.forget(tabId).then((was) => (was ? this.sync() : undefined));
    });
    // A page in an agent tab opening a window: the new tab is the agent's too, under the same rules.
    browser.tabs.onCreated.addListener((tab) => {
      if (tab.id === undefined) return;
      const adoption = this.adoptIfOpenedByAgent(tab.id, tab.openerTabId, tab.windowId).catch((error: unknown) =>
        console.error('Tandem: could not check a new tab', error),
      );
      this.adoptions.add(adoption);
      void adoption.finally(() => this.adoptions.delete(adoption));
    });
    browser.windows.onRemoved.addListener((windowId) => {
      void this.tabs.state().then((state) => {
        if (state.windowId !== windowId) return;
        return this.tabs.update((s) => {
          delete s.windowId;
          delete s.groupId;
        });
      });
    });
  }

  private async adoptIfOpenedByAgent(tabId: number, openerTabId?: number, windowId?: number): Promise<void> {
    let owner = openerTabId === undefined ? undefined : await this.tabs.owner(openerTabId);
    if (!owner && this.windows.size > 0 && windowId !== undefined) {
      // Browsers do not always name the opener (`noopener`; Firefox's `window.open` popups): a tab that
      // opens during an action in the agent's own window, or in a new popup window, is that action's.
      const inAgentWindow = windowId === (await this.tabs.state()).windowId;
      const inPopup = !inAgentWindow && (await browser.windows.get(windowId).catch(() => undefined))?.type === 'popup';
      if (inAgentWindow || inPopup) owner = [...this.windows].at(-1)?.owner;
    }
    if (await this.tabs.isAgentTab(tabId)) return;
    if (owner) {
      await this.tabs.adopt(tabId, owner);
      await this.sync();
      return;
    }
    if (this.windows.size > 0) await this.release(tabId, openerTabId);
  }

  /** A tab the agent did not open is the user's: the action windows' rules let go of it. */
  private async release(tabId: number, openerTabId: number | undefined): Promise<void> {
    for (const window of this.windows) window.existing.add(tabId);
    await this.sync();
    // Opened from one of the user's own tabs (a middle click): if the window's rules caught its first
    // load, load it again. A tab without a known opener is not retried: it might be the page's doing.
    if (openerTabId === undefined) return;
    const frame = await browser.webNavigation.getFrame({ tabId, frameId: 0 }).catch(() => null);
    if (frame?.errorOccurred && /^https?:/i.test(frame.url)) {
      await browser.tabs.update(tabId, { url: frame.url }).catch(() => {});
    }
  }

  /**
   * Opens an action window for an agent action of this task: once it resolves, any tab created
   * from now on is held to the task's grants from its first request, until close().
   */
  async openActionWindow(owner: TabOwner): Promise<OpenActionWindow> {
    const existing = new Set<number>();
    for (const tab of await browser.tabs.query({})) if (tab.id !== undefined) existing.add(tab.id);
    const window: ActionWindow = { owner, existing };
    this.windows.add(window);
    // This task's lingering window is replaced by the new one, only now that the new one exists (a tab
    // opened in between is still under the old one's rules and still adopted).
    for (const old of this.windows) {
      if (old === window || old.lingering === undefined || old.owner.taskId !== owner.taskId) continue;
      clearTimeout(old.lingering);
      this.windows.delete(old);
    }
    await this.sync();
    return {
      close: async () => {
        if (!this.windows.has(window) || window.lingering !== undefined) return;
        await Promise.all([...this.adoptions]);
        window.lingering = setTimeout(() => {
          if (this.windows.delete(window)) void this.sync();
        }, ACTIVATION_MS);
      },
    };
  }

  /** Rewrites the navigation rules from the agent tabs and the grants as they are now. */
  sync(): Promise<void> {
    const run = this.chain.then(() => this.apply());
    this.chain = run.catch((error: unknown) => console.error('Tandem: navigation rules not updated', error));
    return run;
  }

  /** Makes the tab's rules follow this task's grants, right before the agent acts in it. */
  async prepare(tabId: number, owner: TabOwner): Promise<void> {
    await this.tabs.assign(tabId, owner);
    await this.sync();
  }

  /**
   * Whether a failed navigation in an agent tab was one the rules stopped. Chrome says so
   * (net::ERR_BLOCKED_BY_CLIENT); Firefox reports a generic abort, so the URL is checked too.
   */
  async wasBlocked(tabId: number, url: string, error: string | undefined): Promise<boolean> {
    const owner = await this.tabs.owner(tabId);
    if (!owner) return false;
    if (/BLOCKED_BY_CLIENT/i.test(error ?? '')) return true;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    return (await this.sites.verdictFor(parsed, { taskId: owner.taskId, now: this.now() })).verdict !== 'allow';
  }

  recordBlocked(tabId: number, url: string): void {
    const at = this.now();
    const list = (this.blocked.get(tabId) ?? []).filter((b) => at - b.at < BLOCKED_MEMORY_MS);
    if (!list.some((b) => b.url === url && at - b.at < 1_000)) list.push({ url, at });
    this.blocked.set(tabId, list);
  }

  blockedSince(tabId: number, since: number): string[] {
    return (this.blocked.get(tabId) ?? []).filter((b) => b.at >= since).map((b) => b.url);
  }

  private async apply(): Promise<void> {
    const state = await this.tabs.state();
    const now = this.now();
    const byTask = new Map<string, number[]>();
    for (const [id, record] of Object.entries(state.tabs)) {
      byTask.set(record.taskId, [...(byTask.get(record.taskId) ?? []), Number(id)]);
    }
    const grantsOf = async (taskId: string) =>
      (await this.sites.liveGrants({ taskId, now })).map((g) => ({ pattern: g.pattern, effect: g.grant.effect }));
    const groups: TabRuleGroup[] = [];
    for (const [taskId, tabIds] of byTask) groups.push({ scope: { tabIds }, grants: await grantsOf(taskId) });
    const agentTabs = Object.keys(state.tabs).map(Number);
    for (const window of this.windows) {
      // Adopted tabs leave the window's rules for their own task's (another task's window must not apply to them).
      const excludedTabIds = [...new Set([...window.existing, ...agentTabs, TAB_ID_NONE])];
      groups.push({ scope: { excludedTabIds }, grants: await grantsOf(window.owner.taskId) });
    }
    const rules = navigationRules(groups);
    const existing = await browser.declarativeNetRequest.getSessionRules();
    const removeRuleIds = existing.map((r) => r.id).filter((id) => id >= RULE_ID_FIRST && id <= RULE_ID_LAST);
    await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds, addRules: rules });
    await this.scheduleExpiry(now);
  }

  /** A time-boxed grant ending must close the door it opened even if no tool runs then. */
  private async scheduleExpiry(now: number): Promise<void> {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const next = await this.sites.nextExpiry(now);
    if (next === undefined) return;
    // setTimeout is capped at ~24.8 days; a day-long grant is far below that.
    this.expiryTimer = setTimeout(() => void this.sync(), Math.max(0, next - now) + 50);
  }

  private async checkCommitted(tabId: number, url: string): Promise<void> {
    const owner = await this.tabs.owner(tabId);
    if (!owner) return;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return;
    const verdict = await this.sites.verdictFor(parsed, { taskId: owner.taskId, now: this.now() });
    if (verdict.verdict === 'allow') return;
    // The rules should have stopped this; they were out of date. Leave the page at once.
    this.recordBlocked(tabId, url);
    await browser.tabs.update(tabId, { url: 'about:blank' }).catch(() => {});
    await this.sync();
  }
}

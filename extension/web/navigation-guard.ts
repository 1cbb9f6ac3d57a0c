/**
 * Keeps agent tabs on allowed sites. The browser enforces it (declarativeNetRequest
 * session rules from dnr-rules.ts, re-synced whenever agent tabs, tasks or site
 * grants change and right before every agent action in a tab); webNavigation
 * tells the tools what was blocked, and a committed navigation that should not
 * have happened (rules out of date) is replaced by a blank page.
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

export class NavigationGuard {
  private chain: Promise<unknown> = Promise.resolve();
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly blocked = new Map<number, BlockedNavigation[]>();

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
      if (tab.id === undefined || tab.openerTabId === undefined) return;
      const tabId = tab.id;
      void this.tabs.owner(tab.openerTabId).then(async (owner) => {
        if (!owner) return;
        await this.tabs.adopt(tabId, owner);
        await this.sync();
      });
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
    const groups: TabRuleGroup[] = [];
    for (const [taskId, tabIds] of byTask) {
      const grants = await this.sites.liveGrants({ taskId, now });
      groups.push({ tabIds, grants: grants.map((g) => ({ pattern: g.pattern, effect: g.grant.effect })) });
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

/**
 * Which tabs belong to the agent, and to which conversation. The agent works in
 * its own browser window (created unfocused, its tabs grouped as "Tandem" in
 * Chrome), so it never drives the tab the user is reading and a screenshot can
 * bring an agent tab to the front without disturbing the user's window.
 *
 * Kept in `storage.session`: tab ids only mean something for this browser
 * session, and it survives the service worker being stopped.
 */
import browser from 'webextension-polyfill';
import { z } from 'zod';

export const TabOwner = z.object({ threadId: z.string(), taskId: z.string() });
export type TabOwner = z.infer<typeof TabOwner>;

const AgentTabsState = z.object({
  windowId: z.number().int().optional(),
  groupId: z.number().int().optional(),
  tabs: z.record(z.string(), TabOwner.extend({ openedAt: z.number() })),
});
export type AgentTabsState = z.infer<typeof AgentTabsState>;

const STORAGE_KEY = 'tandem.agentTabs';

export class AgentTabs {
  private cached: AgentTabsState | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  async state(): Promise<AgentTabsState> {
    if (this.cached) return this.cached;
    const stored = await browser.storage.session.get(STORAGE_KEY);
    const parsed = AgentTabsState.safeParse(stored[STORAGE_KEY]);
    // Unreadable state fails closed: no tab is the agent's, so no tab tool acts on any tab.
    this.cached ??= parsed.success ? parsed.data : { tabs: {} };
    return this.cached;
  }

  /** Read-modify-write, one at a time. */
  update(change: (state: AgentTabsState) => void): Promise<AgentTabsState> {
    const run = this.chain.then(async () => {
      const state = structuredClone(await this.state());
      change(state);
      await browser.storage.session.set({ [STORAGE_KEY]: state });
      this.cached = state;
      return state;
    });
    this.chain = run.catch(() => {});
    return run;
  }

  async owner(tabId: number): Promise<TabOwner | undefined> {
    const record = (await this.state()).tabs[String(tabId)];
    return record ? { threadId: record.threadId, taskId: record.taskId } : undefined;
  }

  async isAgentTab(tabId: number): Promise<boolean> {
    return (await this.owner(tabId)) !== undefined;
  }

  async adopt(tabId: number, owner: TabOwner): Promise<void> {
    await this.update((state) => {
      state.tabs[String(tabId)] = { ...owner, openedAt: Date.now() };
    });
  }

  /** The task now acting in the tab: its one-task grants are the ones that apply to the tab's navigation. */
  async assign(tabId: number, owner: TabOwner): Promise<boolean> {
    const current = (await this.state()).tabs[String(tabId)];
    if (!current || (current.threadId === owner.threadId && current.taskId === owner.taskId)) return false;
    await this.update((state) => {
      const record = state.tabs[String(tabId)];
      if (record) record.taskId = owner.taskId;
    });
    return true;
  }

  async forget(tabId: number): Promise<boolean> {
    if (!(await this.isAgentTab(tabId))) return false;
    await this.update((state) => {
      delete state.tabs[String(tabId)];
    });
    return true;
  }

  async tabsOf(threadId: string): Promise<number[]> {
    return Object.entries((await this.state()).tabs)
      .filter(([, record]) => record.threadId === threadId)
      .map(([id]) => Number(id));
  }
}

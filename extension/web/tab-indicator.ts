/**
 * "Tandem is acting in this tab", in the browser itself: a badge and a tooltip on Tandem's
 * toolbar button for that tab only (`action.setBadgeText({ tabId })`, Chrome and Firefox MV3),
 * on top of the agent's own window and Chrome's "Tandem" tab group (tab-driver.ts).
 *
 * A badge rather than a banner in the page: nothing is added to the page's DOM, so the page
 * cannot read, hide or restyle it, read_page never sees it, and the layout is untouched.
 *
 * Which tab each thread acts in is kept in `storage.session` (tab ids mean nothing after a
 * browser restart), so a worker stopped mid-task still clears the right badge at the end.
 * Per-tab badge state is reset by the browser when the tab navigates (documented for Firefox,
 * the same in Chrome), so the mark is set again whenever a marked tab commits a new page.
 */
import browser from 'webextension-polyfill';
import { z } from 'zod';
import { ACTING_BADGE } from './acting-badge';
import type { TabIndicator } from './platform';

const STORAGE_KEY = 'tandem.actingTabs';
/** threadId → the tab its task acts in. */
const ActingTabs = z.record(z.string(), z.number().int());
type ActingTabs = z.infer<typeof ActingTabs>;

export class BrowserTabIndicator implements TabIndicator {
  private chain: Promise<unknown> = Promise.resolve();

  /** Call synchronously at startup: the listeners must exist before the event that wakes the worker. */
  listen(): void {
    const again = (d: { tabId: number; frameId: number }) => {
      if (d.frameId !== 0) return;
      void this.marked()
        .then((marks) => (Object.values(marks).includes(d.tabId) ? this.paint(d.tabId, true) : undefined))
        .catch(() => {});
    };
    browser.webNavigation.onCommitted.addListener(again);
    browser.webNavigation.onCompleted.addListener(again);
    browser.tabs.onRemoved.addListener((tabId) => {
      void this.change((marks) => {
        for (const [threadId, marked] of Object.entries(marks)) if (marked === tabId) delete marks[threadId];
      }).catch(() => {});
    });
  }

  async describe(tabId: number): Promise<{ url: string; title: string } | undefined> {
    const tab = await browser.tabs.get(tabId).catch(() => undefined);
    return tab ? { url: tab.url ?? '', title: tab.title ?? '' } : undefined;
  }

  async mark(threadId: string, tabId: number): Promise<void> {
    let previous: number | undefined;
    await this.change((marks) => {
      previous = marks[threadId];
      marks[threadId] = tabId;
    });
    if (previous !== undefined && previous !== tabId) await this.paint(previous, false);
    await this.paint(tabId, true);
  }

  async clear(threadId: string): Promise<void> {
    let previous: number | undefined;
    await this.change((marks) => {
      previous = marks[threadId];
      delete marks[threadId];
    });
    if (previous !== undefined) await this.paint(previous, false);
  }

  async show(tabId: number): Promise<boolean> {
    const tab = await browser.tabs.get(tabId).catch(() => undefined);
    if (!tab) return false;
    if (tab.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
    await browser.tabs.update(tabId, { active: true });
    return true;
  }

  async keepOnly(threadIds: readonly string[]): Promise<void> {
    const keep = new Set(threadIds);
    const gone: number[] = [];
    await this.change((marks) => {
      for (const [threadId, tabId] of Object.entries(marks)) {
        if (keep.has(threadId)) continue;
        gone.push(tabId);
        delete marks[threadId];
      }
    });
    for (const tabId of gone) await this.paint(tabId, false);
  }

  private async marked(): Promise<ActingTabs> {
    const stored = await browser.storage.session.get(STORAGE_KEY);
    const parsed = ActingTabs.safeParse(stored[STORAGE_KEY]);
    return parsed.success ? parsed.data : {};
  }

  /** Read-modify-write, one at a time (two threads' tasks may mark at once). */
  private change(edit: (marks: ActingTabs) => void): Promise<void> {
    const run = this.chain.then(async () => {
      const marks = await this.marked();
      edit(marks);
      await browser.storage.session.set({ [STORAGE_KEY]: marks });
    });
    this.chain = run.catch(() => {});
    return run;
  }

  /** Best effort: a tab that closed meanwhile has no badge to set. */
  private async paint(tabId: number, acting: boolean): Promise<void> {
    try {
      await browser.action.setBadgeText({ tabId, text: acting ? ACTING_BADGE.text : '' });
      if (acting) await browser.action.setBadgeBackgroundColor({ tabId, color: ACTING_BADGE.color });
      // Chrome refuses `title: null` (Firefox's way back to the default), so the default is set for the tab.
      const normal = browser.runtime.getManifest().action?.default_title ?? 'Tandem';
      await browser.action.setTitle({ tabId, title: acting ? ACTING_BADGE.title : normal });
    } catch {
      // The tab is gone.
    }
  }
}

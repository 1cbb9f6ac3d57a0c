/**
 * "Tandem is acting in this tab" in real Chromium: while the scripted model drives an agent tab on
 * a local fixture page, the panel shows where it acts, Tandem's toolbar badge is set for that tab
 * only, "Show tab" brings it to the front, "Stop" ends the run; afterwards both are gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTING_BADGE } from '../../extension/web/acting-badge';
import { axeViolations } from './support/axe';
import { currentWorker } from './support/chromium';
import { newThreadFromUi, sendFromComposer } from './support/panel';
import { setSiteRule, startWebSession, type WebSession, waitForKind } from './support/web-session';

/** The few extension APIs the test calls inside the service worker (where `chrome` exists). */
declare const chrome: {
  runtime: { id: string };
  action: {
    getBadgeText(details: { tabId: number }): Promise<string>;
    getTitle(details: { tabId: number }): Promise<string>;
  };
  tabs: {
    get(tabId: number): Promise<{ active: boolean; windowId: number }>;
    query(query: { url: string }): Promise<Array<{ id?: number }>>;
    create(props: { windowId: number; url: string; active: boolean }): Promise<{ id?: number }>;
    remove(tabId: number): Promise<void>;
  };
};

let s: WebSession;

beforeAll(async () => {
  s = await startWebSession('ui-acting-tab');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
});
afterAll(() => s?.close());

interface TabFacts {
  badge: string;
  title: string;
  active: boolean;
  windowId: number;
}

/** What the browser says about a tab, asked in the extension's service worker. */
async function tabFacts(tabId: number): Promise<TabFacts> {
  const worker = await currentWorker(s.browser.context);
  return worker.evaluate(async (id) => {
    const tab = await chrome.tabs.get(id);
    return {
      badge: await chrome.action.getBadgeText({ tabId: id }),
      title: await chrome.action.getTitle({ tabId: id }),
      active: tab.active,
      windowId: tab.windowId,
    };
  }, tabId);
}

describe('the acting-in-this-tab indicator in Chromium', () => {
  it('shows the site and title, marks the tab, brings it forward and stops the run; then clears', async () => {
    const page = `${s.sites.allowed.url}/frame`;
    s.server.script([{ kind: 'tool_use', name: 'tab_open', input: { url: page } }, { kind: 'hang' }]);
    const threadId = await newThreadFromUi(s.panel);
    await sendFromComposer(s.panel, 'Look at the frame page');
    const acting = await waitForKind(s.panel, threadId, 'tab_acting');
    const tabId = acting.tab?.tabId;
    if (tabId === undefined) throw new Error('tab_acting named no tab');

    const bar = s.panel.getByTestId('acting-tab-text');
    await bar.waitFor({ state: 'visible' });
    expect(await bar.textContent()).toBe(`Acting in ${new URL(page).host} — A frame`);
    const violations: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await s.panel.emulateMedia({ colorScheme });
      await s.panel.waitForTimeout(150);
      for (const line of await axeViolations(s.panel)) violations.push(`[${colorScheme}] ${line}`);
    }
    expect(violations).toEqual([]);
    const facts = await tabFacts(tabId);
    expect(facts.badge).toBe(ACTING_BADGE.text);
    expect(facts.title).toBe(ACTING_BADGE.title);
    // The badge is for that tab only: the panel's own tab has none.
    const worker = await currentWorker(s.browser.context);
    const panelBadge = await worker.evaluate(async () => {
      const [panelTab] = await chrome.tabs.query({ url: `chrome-extension://${chrome.runtime.id}/sidepanel.html` });
      return chrome.action.getBadgeText({ tabId: panelTab?.id ?? -1 });
    });
    expect(panelBadge).toBe('');

    // Another tab takes the front of the agent's window; "Show tab" brings the agent's back.
    const other = await worker.evaluate(
      async (windowId) => (await chrome.tabs.create({ windowId, url: 'about:blank', active: true })).id,
      facts.windowId,
    );
    expect((await tabFacts(tabId)).active).toBe(false);
    await s.panel.getByTestId('acting-tab-show').click();
    await expect.poll(async () => (await tabFacts(tabId)).active, { timeout: 10_000 }).toBe(true);
    await worker.evaluate((id) => chrome.tabs.remove(id ?? -1), other);

    await s.panel.getByTestId('acting-tab-stop').click();
    const finished = await waitForKind(s.panel, threadId, 'task_finished');
    expect(finished.outcome).toBe('stopped');
    await s.panel.getByTestId('acting-tab').waitFor({ state: 'detached' });
    await expect.poll(async () => (await tabFacts(tabId)).badge, { timeout: 10_000 }).toBe('');
    expect((await tabFacts(tabId)).title).toBe('Open Tandem');
  });
});

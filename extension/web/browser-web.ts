/**
 * Builds the browser side of web access for the background entrypoint. Called
 * synchronously at startup: the listeners it registers (webRequest for redirect
 * targets, webNavigation and tabs for agent tabs) must exist before the first
 * event that wakes a stopped worker.
 */
import browser from 'webextension-polyfill';
import { AgentTabs } from './agent-tabs';
import { EgressGate } from './egress-gate';
import { browserExtractor } from './extractor';
import { browserFileInputs } from './file-input-driver';
import { manualFetchHop, RedirectObserver } from './manual-fetch';
import { NavigationGuard } from './navigation-guard';
import { SessionPlanStore } from './plan-store';
import type { WebPlatform } from './platform';
import type { SitePolicy } from './site-policy';
import { BrowserTabDriver } from './tab-driver';
import { BrowserTabIndicator } from './tab-indicator';
import { debuggerInput } from './trusted-input';

export function browserWeb({ sites, now }: { sites: SitePolicy; now: () => number }): WebPlatform {
  const observer = new RedirectObserver();
  observer.listen();
  const agentTabs = new AgentTabs();
  const guard = new NavigationGuard(sites, agentTabs, now);
  guard.listen();
  // A rule added or removed in the Sites view, or a grant answered, applies to open agent tabs at once.
  sites.onChange(() => void guard.sync());
  // After a restart, grants may have expired while the worker was stopped.
  void guard.sync();
  const indicator = new BrowserTabIndicator();
  indicator.listen();
  return {
    sites,
    egress: new EgressGate(sites, manualFetchHop(observer)),
    extractor: browserExtractor(),
    tabs: new BrowserTabDriver(agentTabs, guard, debuggerInput(), {
      verdictFor: (url, ctx) => sites.verdictFor(url, ctx),
      now,
    }),
    plans: new SessionPlanStore(browser.storage.session, now),
    fileInputs: browserFileInputs,
    indicator,
  };
}

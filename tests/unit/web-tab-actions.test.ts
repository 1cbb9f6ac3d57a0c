/**
 * The tab tools' decisions with the browser replaced by a fake page: what they
 * ask, what they refuse, and that a page changing between the user's answer and
 * the action gets nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Grant, GrantStore } from '../../extension/permissions/grant-policy';
import type { ToolContext, ToolDefinition } from '../../extension/tools/registry';
import { tabTools } from '../../extension/tools/tabs';
import { EgressGate } from '../../extension/web/egress-gate';
import type { ElementFacts, PageRequest, PageResponse } from '../../extension/web/page-protocol';
import { memoryArea, SessionPlanStore } from '../../extension/web/plan-store';
import type { ActionOutcome, TabDriver, WebPlatform } from '../../extension/web/platform';
import { SitePolicy } from '../../extension/web/site-policy';

class MemoryStore implements GrantStore {
  data = new Map<string, Grant[]>();
  async load(policy: string) {
    return structuredClone(this.data.get(policy) ?? []);
  }
  async save(policy: string, grants: Grant[]) {
    this.data.set(policy, structuredClone(grants));
  }
}

const PAGE = 'https://shop.test/account';

/** One agent tab (id 7, thread "t1") showing PAGE, whose elements the test sets. */
function fakePlatform() {
  const elements = new Map<string, ElementFacts>();
  const actions: PageRequest[] = [];
  const outcome: ActionOutcome = {
    url: PAGE,
    title: 'Account',
    blocked: [],
    navigated: false,
    errorPage: false,
    frames: [],
    openedTabs: [],
  };
  const tabs: TabDriver = {
    open: async () => 7,
    owner: async (tabId) => (tabId === 7 ? { threadId: 't1', taskId: 'k1' } : undefined),
    list: async () => [],
    state: async (tabId) => ({ tabId, url: PAGE, title: 'Account', loading: false, errorPage: false }),
    prepare: async () => {},
    watch: async () => ({ settle: async () => outcome }),
    navigate: async () => outcome,
    runPage: async (_tab, origin, request): Promise<PageResponse> => {
      expect(origin).toBe('https://shop.test');
      if (request.op === 'describe') {
        const element = elements.get(request.ref);
        return element ? { op: 'describe', element } : { op: 'error', error: 'no such ref' };
      }
      actions.push(request);
      return { op: 'done' };
    },
    screenshot: async () => ({ mediaType: 'image/jpeg', data: '' }),
    close: async () => {},
  };
  const sites = new SitePolicy(new MemoryStore());
  const web: WebPlatform = {
    sites,
    egress: new EgressGate(sites, async () => {
      throw new Error('no network here');
    }),
    extractor: { extract: async () => ({ title: '', markdown: '', readability: false, textChars: 0, cut: false }) },
    tabs,
    plans: new SessionPlanStore(memoryArea(), () => 0),
  };
  const tools = new Map(tabTools(web).map((t) => [t.name, t]));
  const tool = (name: string): ToolDefinition => {
    const found = tools.get(name);
    if (!found) throw new Error(name);
    return found;
  };
  return { elements, actions, sites, tool, outcome };
}

let n = 0;
function ctx(threadId = 't1'): ToolContext {
  return {
    threadId,
    taskId: 'k1',
    toolUseId: `tu-${++n}`,
    signal: new AbortController().signal,
    now: () => new Date(1),
  };
}

const link = (href: string): ElementFacts => ({
  tag: 'a',
  role: 'link',
  name: 'Docs',
  href,
  password: false,
  editable: false,
  download: false,
  submitsForm: false,
});

describe('tab actions', () => {
  it('asks about the site a link leads to, keeps that question, and refuses if the page re-points the link', async () => {
    const { elements, actions, sites, tool } = fakePlatform();
    await sites.setRule('https://shop.test', 'allow', 0);
    elements.set('e1', link('https://docs.test/start'));
    const c = ctx();
    const first = await tool('click').permission?.({ tab: 7, ref: 'e1' }, c);
    expect(first).toMatchObject({
      policy: 'site',
      scope: 'https://docs.test',
      title: 'Let Tandem open https://docs.test?',
    });

    // While the user decides, the page points the link elsewhere.
    elements.set('e1', link('https://collector.test/steal'));
    const again = await tool('click').permission?.({ tab: 7, ref: 'e1' }, c);
    expect(again).toEqual(first);
    await sites.setRule('https://docs.test', 'allow', 0);
    await expect(tool('click').execute({ tab: 7, ref: 'e1' }, c)).rejects.toThrow(/page changed/);
    expect(actions).toEqual([]);
  });

  it('clicks when nothing changed, and confirms form submissions every time', async () => {
    const { elements, actions, sites, tool } = fakePlatform();
    await sites.setRule('https://shop.test', 'allow', 0);
    elements.set('e1', link('https://shop.test/docs'));
    const c = ctx();
    expect(await tool('click').permission?.({ tab: 7, ref: 'e1' }, c)).toMatchObject({ scope: 'https://shop.test' });
    await tool('click').execute({ tab: 7, ref: 'e1' }, c);
    expect(actions).toEqual([{ op: 'click', ref: 'e1' }]);

    elements.set('e2', {
      tag: 'button',
      role: 'button',
      name: 'Delete my account',
      password: false,
      editable: false,
      download: false,
      submitsForm: true,
      formAction: 'https://shop.test/account/delete',
      formMethod: 'post',
    });
    const request = await tool('click').permission?.({ tab: 7, ref: 'e2' }, ctx());
    expect(request).toMatchObject({ alwaysAsk: true, title: 'Allow an account deletion step on https://shop.test?' });
    expect(request?.options?.map((o) => o.id)).toEqual(['allow_once', 'deny']);
  });

  it('refuses typing into a password field before touching the page', async () => {
    const { elements, actions, sites, tool } = fakePlatform();
    await sites.setRule('https://shop.test', 'allow', 0);
    elements.set('e3', {
      ...link(''),
      tag: 'input',
      role: 'password',
      inputType: 'password',
      password: true,
      editable: true,
      href: undefined,
    });
    await expect(tool('type').permission?.({ tab: 7, ref: 'e3', text: 'hunter2', clear: true }, ctx())).rejects.toThrow(
      /password/i,
    );
    expect(actions).toEqual([]);
  });

  it('acts only in tabs of its own conversation', async () => {
    const { tool } = fakePlatform();
    await expect(tool('read_page').permission?.({ tab: 7, from: 0 }, ctx('other-thread'))).rejects.toThrow(
      /not one of your tabs/,
    );
    await expect(tool('tab_close').execute({ tab: 99 }, ctx())).rejects.toThrow(/not one of your tabs/);
  });

  it('says what a frame and a new tab did instead of "the tab stayed"', async () => {
    const { elements, sites, tool, outcome } = fakePlatform();
    await sites.setRule('https://shop.test', 'allow', 0);
    elements.set('e1', link('https://shop.test/docs'));
    outcome.frames = [{ url: 'https://collector.test/steal', blocked: true }];
    outcome.openedTabs = [{ tabId: 8, url: 'https://shop.test/new', blocked: [] }];
    const c = ctx();
    await tool('click').permission?.({ tab: 7, ref: 'e1' }, c);
    const result = await tool('click').execute({ tab: 7, ref: 'e1' }, c);
    const text = result.content.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
    expect(result.isError).toBe(true);
    expect(text).toContain('a frame in the page tried to load https://collector.test/steal');
    expect(text).toContain('It opened tab 8 (now one of your tabs) at https://shop.test/new');
    expect(text).not.toContain('The tab stayed at');
  });
});

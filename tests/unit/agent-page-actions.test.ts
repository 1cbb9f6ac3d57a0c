/**
 * The new page tools (select_option, hover, drag, click_at) keep every check of
 * the tab tools: only the task's own tabs, the site asked about, the question
 * kept per call and the action refused if the page changed, and what a click
 * at a point would do (submit a form) confirmed as a click on its ref is.
 */
import { describe, expect, it } from 'vitest';
import type { Grant, GrantStore } from '../../extension/permissions/grant-policy';
import { pageActionTools } from '../../extension/tools/page-actions';
import type { ToolContext, ToolDefinition } from '../../extension/tools/registry';
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

const PAGE = 'https://shop.test/cart';

function fakePlatform() {
  const elements = new Map<string, ElementFacts>();
  /** What is at a screenshot point: `${x},${y}` → facts. */
  const points = new Map<string, ElementFacts>();
  const actions: PageRequest[] = [];
  const outcome: ActionOutcome = {
    url: PAGE,
    title: 'Cart',
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
    state: async (tabId) => ({ tabId, url: PAGE, title: 'Cart', loading: false, errorPage: false }),
    prepare: async () => {},
    watch: async () => ({ settle: async () => outcome }),
    navigate: async () => outcome,
    runPage: async (_tab, origin, request): Promise<PageResponse> => {
      expect(origin).toBe('https://shop.test');
      if (request.op === 'describe') {
        const element = elements.get(request.ref);
        return element ? { op: 'describe', element } : { op: 'error', error: 'no such ref' };
      }
      if (request.op === 'probe') {
        const element = points.get(`${request.x},${request.y}`);
        return element ? { op: 'probe', element, x: request.x, y: request.y } : { op: 'error', error: 'nothing' };
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
  const tools = new Map(pageActionTools(web).map((t) => [t.name, t]));
  const tool = (name: string): ToolDefinition => {
    const found = tools.get(name);
    if (!found) throw new Error(name);
    return found;
  };
  return { elements, points, actions, sites, tool };
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

const plain = (name: string, role = 'clickable'): ElementFacts => ({
  tag: 'div',
  role,
  name,
  password: false,
  editable: false,
  download: false,
  submitsForm: false,
});
const payButton: ElementFacts = {
  tag: 'button',
  role: 'button',
  name: 'Pay now',
  password: false,
  editable: false,
  download: false,
  submitsForm: true,
  formAction: 'https://shop.test/pay',
  formMethod: 'post',
};

describe('new page tools', () => {
  it('confirms a click at a point that lands on a payment button, and refuses it if something else moved there', async () => {
    const { points, actions, sites, tool } = fakePlatform();
    await sites.setRule('https://shop.test', 'allow', 0);
    points.set('300,200', payButton);
    const c = ctx();
    const request = await tool('click_at').permission?.({ tab: 7, x: 300, y: 200 }, c);
    expect(request).toMatchObject({ alwaysAsk: true, title: 'Allow a payment or checkout step on https://shop.test?' });
    // While the user decides, the page slides a link to another site under that point.
    points.set('300,200', { ...plain('Claim'), tag: 'a', role: 'link', href: 'https://collector.test/x' });
    await expect(tool('click_at').execute({ tab: 7, x: 300, y: 200 }, c)).rejects.toThrow(/page changed/);
    expect(actions).toEqual([]);
  });

  it('hovers, drags and selects on an allowed page without extra questions, and sends the page what was planned', async () => {
    const { elements, actions, sites, tool } = fakePlatform();
    await sites.setRule('https://shop.test', 'allow', 0);
    elements.set('e1', plain('Volume', 'slider'));
    elements.set('e2', plain('75%', 'focusable'));
    elements.set('e3', { ...plain('Size', 'combobox'), tag: 'select' });
    for (const [name, input] of [
      ['hover', { tab: 7, ref: 'e1' }],
      ['drag', { tab: 7, ref: 'e1', to: 'e2' }],
      ['select_option', { tab: 7, ref: 'e3', options: ['Large'] }],
    ] as const) {
      const c = ctx();
      const request = await tool(name).permission?.(input, c);
      expect(request).toMatchObject({ policy: 'site', scope: 'https://shop.test' });
      expect(request?.alwaysAsk).toBeUndefined();
      await tool(name).execute(input, c);
    }
    expect(actions).toEqual([
      { op: 'hover', ref: 'e1' },
      { op: 'drag', ref: 'e1', to: 'e2' },
      { op: 'select', ref: 'e3', values: ['Large'] },
    ]);
  });

  it('acts only in the task’s own tabs and refuses a drag onto itself', async () => {
    const { elements, actions, sites, tool } = fakePlatform();
    await sites.setRule('https://shop.test', 'allow', 0);
    elements.set('e1', plain('Row'));
    await expect(tool('hover').permission?.({ tab: 7, ref: 'e1' }, ctx('other-thread'))).rejects.toThrow(
      /not one of your tabs/,
    );
    await expect(tool('click_at').permission?.({ tab: 9, x: 1, y: 1 }, ctx())).rejects.toThrow(/not one of your tabs/);
    await expect(tool('drag').permission?.({ tab: 7, ref: 'e1', to: 'e1' }, ctx())).rejects.toThrow(/use click/);
    expect(actions).toEqual([]);
  });
});

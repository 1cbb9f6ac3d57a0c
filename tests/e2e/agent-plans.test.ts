/**
 * Fewer prompts, not weaker ones (issue 10): a plan approved once covers the
 * sites and steps it named; "Allow for this task" covers later form
 * submissions on that site; high-risk steps the plan did not name still ask,
 * a named one is covered once, and a site the user's rules deny stays denied.
 * Real tools in the built extension in Chromium, the scripted model, and the
 * sites' own record of what happened.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Turn } from '../fixtures/model-server';
import { agentTasks, eachTime, forTheTask, runAnswering, scriptState } from './support/agent-tasks';
import { refFor, resultText, setSiteRule, startWebSession, toolResults, type WebSession } from './support/web-session';

let s: WebSession;

beforeAll(async () => {
  s = await startWebSession('agent-plans');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
  await setSiteRule(s.panel, s.sites.denied.url, 'deny');
});
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
});

const pages = () => s.browser.context.pages();

describe('plan approval', () => {
  for (const index of [0, 1, 2]) {
    it(`asks once for an approved plan and the task gets done (task ${index + 1})`, async () => {
      const task = agentTasks(s.sites)[index];
      if (!task) throw new Error('no task');
      s.server.script(task.turns(true));
      const { prompts, all } = await runAnswering(s.panel, task.message, forTheTask);
      expect(prompts.map((p) => p.title)).toEqual(['Approve the plan for this task?']);
      expect(
        toolResults(all)
          .filter((r) => r.isError)
          .map(resultText),
      ).toEqual([]);
      await task.check(pages);
    });
  }

  it('covers a payment the plan named once only: a second payment asks', async () => {
    const shop = s.sites.unknown.url;
    const { step } = scriptState();
    const order = [
      step('read_page', (st) => ({ tab: st.tab })),
      step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Place order') })),
    ];
    const turns: Turn[] = [
      {
        kind: 'tool_use',
        name: 'propose_plan',
        input: {
          goal: 'Order twice',
          sites: [shop],
          steps: [{ kind: 'payment', site: shop, what: 'place one order' }],
        },
      },
      { kind: 'tool_use', name: 'tab_open', input: { url: `${shop}/shop` } },
      ...order,
      step('navigate', (st) => ({ tab: st.tab, url: `${shop}/shop` })),
      ...order,
      { kind: 'text', text: 'Done.' },
    ];
    s.server.script(turns);
    const { prompts } = await runAnswering(s.panel, 'Order twice', (d) =>
      d.options.some((o) => o.id === 'approve_plan') ? 'approve_plan' : 'deny',
    );
    expect(prompts.map((p) => p.title)).toEqual([
      'Approve the plan for this task?',
      `Allow a payment or checkout step on ${shop}?`,
    ]);
    // High-risk steps are never offered "for this task".
    expect(prompts[1]?.options.map((o) => o.id)).toEqual(['allow_once', 'deny']);
    expect(s.sites.unknown.requests.filter((r) => r === 'POST /shop/checkout')).toHaveLength(1);
  });

  it('leaves a site the user denied blocked, whatever the plan says', async () => {
    s.server.script([
      {
        kind: 'tool_use',
        name: 'propose_plan',
        input: { goal: 'Read the denied site', sites: [s.sites.denied.url], steps: [] },
      },
      { kind: 'tool_use', name: 'web_fetch', input: { url: `${s.sites.denied.url}/` } },
      { kind: 'text', text: 'Done.' },
    ]);
    const { prompts, all } = await runAnswering(s.panel, 'Read it', forTheTask);
    expect(prompts).toHaveLength(1);
    const results = toolResults(all);
    expect(resultText(results[0] as (typeof results)[number])).toContain('Still blocked');
    expect(results[1]?.isError).toBe(true);
    expect(s.sites.denied.requests).toEqual([]);
  });
});

describe('allow for this task', () => {
  it('covers later form submissions on the site, while the payment still asks', async () => {
    const task = agentTasks(s.sites)[0];
    if (!task) throw new Error('no task');
    s.server.script(task.turns(false));
    const { prompts } = await runAnswering(s.panel, task.message, forTheTask);
    const shop = s.sites.unknown.url;
    expect(prompts.map((p) => p.title)).toEqual([
      `Let Tandem open ${shop}?`,
      `Allow submitting a form on ${shop}?`,
      `Allow a payment or checkout step on ${shop}?`,
    ]);
    expect(prompts[1]?.options.map((o) => o.id)).toEqual(['allow_once', 'allow_task', 'deny']);
    // The second search went through without asking.
    expect(s.sites.unknown.requests).toContain('GET /shop?q=tea');
    await task.check(pages);
  });

  it('"Allow" alone covers one submission: the second search asks again', async () => {
    const task = agentTasks(s.sites)[0];
    if (!task) throw new Error('no task');
    s.server.script(task.turns(false));
    const { prompts } = await runAnswering(s.panel, task.message, eachTime);
    expect(prompts.map((p) => p.title.split(' on ')[0])).toEqual([
      `Let Tandem open ${s.sites.unknown.url}?`,
      'Allow submitting a form',
      'Allow submitting a form',
      'Allow a payment or checkout step',
    ]);
    await task.check(pages);
  });
});

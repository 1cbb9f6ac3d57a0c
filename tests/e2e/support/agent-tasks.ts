/**
 * Realistic multi-step tasks for the scripted model (issue 10, "Fewer prompts"),
 * shared by the plan-approval tests and the `prompts_per_task` benchmark: each
 * task runs through the real tools in the built extension, with or without a
 * plan proposed up front, while a stand-in user answers every prompt; each has a
 * check of the sites' own final state.
 */
import type { Page } from 'playwright-core';
import type { ThreadEvent, ThreadEventOf } from '../../../shared/protocol';
import type { Turn } from '../../fixtures/model-server';
import type { TestSites } from '../../fixtures/sites';
import { answer, events, newThread, refFor, sendMessage } from './web-session';

/** Remembers the tab and the last read_page text as the script runs. */
export function scriptState() {
  const state = { tab: -1, page: '' };
  const step = (name: string, input: (st: typeof state) => Record<string, unknown>): Turn => ({
    kind: 'respond',
    respond: (request) => {
      const last = request.messages.at(-1);
      const block =
        last && typeof last.content !== 'string' ? last.content.find((b) => b.type === 'tool_result') : undefined;
      const content = block?.type === 'tool_result' ? block.content : undefined;
      const text =
        typeof content === 'string'
          ? content
          : (content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      const tab = text.match(/Opened tab (\d+)/)?.[1];
      if (tab) state.tab = Number(tab);
      if (text.includes('Interactive elements')) state.page = text;
      return { kind: 'tool_use', name, input: input(state) };
    },
  });
  return { state, step };
}

export interface AgentTask {
  name: string;
  message: string;
  /** The scripted model's turns; with `plan`, it proposes a plan first. */
  turns(plan: boolean): Turn[];
  /** The sites' final state says the task was done (throws with what is wrong otherwise). */
  check(agentPages: () => Page[]): Promise<void>;
}

function plan(goal: string, sites: string[], steps: Array<{ kind: string; site: string; what: string }>): Turn {
  return { kind: 'tool_use', name: 'propose_plan', input: { goal, sites, steps } };
}

async function pageText(pages: () => Page[], path: string): Promise<string> {
  const page = pages()
    .filter((p) => new URL(p.url()).pathname === path)
    .at(-1);
  // biome-ignore lint/performance/useDomNodeTextContent: what a person sees on the page.
  return page ? page.evaluate(() => document.body.innerText) : `(no tab at ${path})`;
}

function expectIn(text: string, wanted: string): void {
  if (!text.includes(wanted)) throw new Error(`Expected "${wanted}" in: ${text.slice(0, 500)}`);
}

export function agentTasks(sites: TestSites): AgentTask[] {
  const shop = sites.unknown.url;
  const searchAndOrder: AgentTask = {
    name: 'search a shop twice and order',
    message: 'Find me a tea set in the shop and order it.',
    turns(withPlan) {
      const { step } = scriptState();
      const search = (text: string) => [
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'Search'), text })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Search') })),
        step('read_page', (st) => ({ tab: st.tab })),
      ];
      return [
        ...(withPlan
          ? [
              plan(
                'Find a tea set and order it',
                [shop],
                [
                  { kind: 'form_submit', site: shop, what: 'search the shop' },
                  { kind: 'payment', site: shop, what: 'order the tea set' },
                ],
              ),
            ]
          : []),
        { kind: 'tool_use', name: 'tab_open', input: { url: `${shop}/shop` } },
        step('read_page', (st) => ({ tab: st.tab })),
        ...search('mug'),
        ...search('tea'),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Add tea deluxe to cart') })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Place order') })),
        { kind: 'text', text: 'Ordered.' },
      ];
    },
    async check(pages) {
      expectIn(await pageText(pages, '/shop/checkout'), 'Ordered: tea deluxe');
    },
  };
  const researchAndContact: AgentTask = {
    name: 'read two sites and send a contact form',
    message: 'Compare the two sites and send the summary through the contact form.',
    turns(withPlan) {
      const { step } = scriptState();
      const type = (name: string, text: string, role = 'textbox') =>
        step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, role, name), text }));
      return [
        ...(withPlan
          ? [
              plan(
                'Compare two sites and send a summary',
                [sites.other.url, sites.unknown.url, sites.allowed.url],
                [{ kind: 'form_submit', site: sites.allowed.url, what: 'send the contact form' }],
              ),
            ]
          : []),
        { kind: 'tool_use', name: 'web_fetch', input: { url: `${sites.other.url}/` } },
        { kind: 'tool_use', name: 'web_fetch', input: { url: `${sites.unknown.url}/json` } },
        { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/form` } },
        step('read_page', (st) => ({ tab: st.tab })),
        type('Name', 'Ada Lovelace'),
        type('Email', 'ada@example.com'),
        type('Message', 'Both sites are up.'),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Send message') })),
        { kind: 'text', text: 'Sent.' },
      ];
    },
    async check(pages) {
      expectIn(await pageText(pages, '/form'), 'Message: Both sites are up.');
    },
  };
  const download: AgentTask = {
    name: 'download a report',
    message: 'Download the quarterly report.',
    turns(withPlan) {
      const { step } = scriptState();
      return [
        ...(withPlan
          ? [
              plan(
                'Download the quarterly report',
                [sites.other.url],
                [{ kind: 'download', site: sites.other.url, what: 'the quarterly report' }],
              ),
            ]
          : []),
        { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.other.url}/report` } },
        step('read_page', (st) => ({ tab: st.tab })),
        step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'link', 'Download the report') })),
        { kind: 'text', text: 'Downloaded.' },
      ];
    },
    async check() {
      if (!sites.other.requests.includes('GET /report.zip')) {
        throw new Error(`The report was not downloaded: ${sites.other.requests.join(', ')}`);
      }
    },
  };
  return [searchAndOrder, researchAndContact, download];
}

/** How the stand-in user answers a prompt: an option, or an option with what they typed into the prompt. */
export type Answerer = (decision: ThreadEventOf<'decision_requested'>) => string | { optionId: string; secret: string };

/** Approves plans; otherwise the widest answer that ends with the task ("for this task" when offered). */
export const forTheTask: Answerer = (d) =>
  ['approve_plan', 'allow_task', 'allow_once'].find((id) => d.options.some((o) => o.id === id)) ?? 'deny';
/** Approves plans; otherwise "Allow" for this one call: what every confirmation offered before. */
export const eachTime: Answerer = (d) =>
  ['approve_plan', 'allow_once'].find((id) => d.options.some((o) => o.id === id)) ?? 'deny';

/** Runs a scripted task to its end, answering every prompt; the prompts asked and the thread. */
export async function runAnswering(
  panel: Page,
  text: string,
  answerer: Answerer,
  timeoutMs = 90_000,
): Promise<{ prompts: Array<ThreadEventOf<'decision_requested'>>; all: ThreadEvent[]; threadId: string }> {
  const threadId = await newThread(panel);
  await sendMessage(panel, threadId, text);
  const answered = new Set<string>();
  const prompts: Array<ThreadEventOf<'decision_requested'>> = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await events(panel, threadId);
    for (const event of all) {
      if (event.kind !== 'decision_requested' || answered.has(event.decisionId)) continue;
      answered.add(event.decisionId);
      prompts.push(event);
      const reply = answerer(event);
      if (typeof reply === 'string') await answer(panel, threadId, event.decisionId, reply);
      else {
        // As the panel's decision card sends it (shared/ui/tandem-conversation.ts).
        await panel.evaluate(
          ({ threadId, decisionId, optionId, secret }) =>
            window.tandem?.client.send({ type: 'decision.answer', threadId, decisionId, optionId, secret }),
          { threadId, decisionId: event.decisionId, ...reply },
        );
      }
    }
    if (all.some((e) => e.kind === 'task_finished')) return { prompts, all, threadId };
    if (Date.now() > deadline) throw new Error(`Task "${text}" did not finish: ${all.map((e) => e.kind).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Agent page-tool benchmarks, in real Chromium with the built extension (run `npm run build:chrome` first).
 * - read_page_chars_per_actionable: characters of read_page output per listed element (lines with a ref),
 *   over the widget pages and the contact form (lower is better).
 * - inner_text_chars_per_actionable: the baseline from the same run: the plain `document.body.innerText`
 *   length of the same pages per the same element count (what a text-only read would cost, with no refs).
 * - read_page_actionables: elements read_page listed on those pages (a count, for context).
 * - prompts_per_task: mean permission prompts over the scripted multi-step tasks (tests/e2e/support/agent-tasks.ts)
 *   with plan approval off, the user answering "Allow for this task" where it is offered;
 *   prompts_per_task_plan: the same tasks with a plan proposed and approved first;
 *   prompts_per_task_each_time: the baseline from the same run, every confirmation answered "Allow" (one call).
 *   Every run's tasks must end done (the sites' own record); tasks_done counts them.
 */
import type { Worker } from 'playwright-core';
import { type Answerer, agentTasks, eachTime, forTheTask, runAnswering } from '../tests/e2e/support/agent-tasks';
import { launchExtensionBrowser, makeSandbox } from '../tests/e2e/support/chromium';
import { setSiteRule, startWebSession } from '../tests/e2e/support/web-session';
import { startTestSites } from '../tests/fixtures/sites';
import type { Metric } from './index';
import { round } from './stats';

const PAGES = [
  '/widgets/listeners',
  '/widgets/select',
  '/widgets/keys',
  '/widgets/pointer',
  '/widgets/fields',
  '/form',
];

interface WorkerHandle {
  tandem: {
    tools: {
      get(
        name: string,
      ):
        | { execute(input: unknown, ctx: unknown): Promise<{ content: Array<{ type: string; text?: string }> }> }
        | undefined;
    };
    sites: { setRule(pattern: string, effect: 'allow' | 'deny', now: number): Promise<unknown> };
  };
}

async function readPage(worker: Worker, url: string): Promise<{ text: string; plainChars: number }> {
  return worker.evaluate(async (url) => {
    const { tandem, chrome } = globalThis as unknown as WorkerHandle & {
      chrome: {
        tabs: { query(q: { url: string }): Promise<Array<{ id?: number }>> };
        scripting: {
          executeScript(i: { target: { tabId: number }; func: () => number }): Promise<Array<{ result?: unknown }>>;
        };
      };
    };
    const ctx = (id: string) => ({
      threadId: 'bench-thread',
      taskId: 'bench-task',
      toolUseId: id,
      signal: new AbortController().signal,
      now: () => new Date(),
    });
    await tandem.tools.get('tab_open')?.execute({ url }, ctx(`open-${url}`));
    const [tab] = await chrome.tabs.query({ url });
    const tabId = tab?.id ?? -1;
    const output = await tandem.tools.get('read_page')?.execute({ tab: tabId, from: 0 }, ctx(`read-${url}`));
    const [inner] = await chrome.scripting.executeScript({
      target: { tabId },
      // biome-ignore lint/performance/useDomNodeTextContent: the baseline is exactly what innerText gives.
      func: () => document.body.innerText.length,
    });
    return { text: output?.content.map((b) => b.text ?? '').join('\n') ?? '', plainChars: Number(inner?.result ?? 0) };
  }, url);
}

async function promptsPerTask(): Promise<Metric[]> {
  const session = await startWebSession('bench-agent-prompts');
  try {
    await setSiteRule(session.panel, session.sites.allowed.url, 'allow');
    const modes: Array<{ metric: string; plan: boolean; answerer: Answerer }> = [
      { metric: 'prompts_per_task_each_time', plan: false, answerer: eachTime },
      { metric: 'prompts_per_task', plan: false, answerer: forTheTask },
      { metric: 'prompts_per_task_plan', plan: true, answerer: forTheTask },
    ];
    const metrics: Metric[] = [];
    let done = 0;
    let runs = 0;
    for (const mode of modes) {
      let prompts = 0;
      const tasks = agentTasks(session.sites);
      for (const task of tasks) {
        session.server.reset();
        session.sites.reset();
        session.server.script(task.turns(mode.plan));
        const run = await runAnswering(session.panel, task.message, mode.answerer);
        prompts += run.prompts.length;
        runs++;
        try {
          await task.check(() => session.browser.context.pages());
          done++;
        } catch (error) {
          console.error(`${mode.metric}: "${task.name}" not done: ${String(error)}`);
        }
      }
      metrics.push({ metric: mode.metric, value: round(prompts / tasks.length, 2), unit: 'prompts' });
    }
    metrics.push({ metric: 'prompts_tasks_done', value: done, unit: `of ${runs}` });
    return metrics;
  } finally {
    await session.close();
  }
}

export async function runAgentBench(): Promise<Metric[]> {
  return [...(await readPageBench()), ...(await promptsPerTask())];
}

async function readPageBench(): Promise<Metric[]> {
  const sites = await startTestSites();
  const sandbox = makeSandbox('bench-agent');
  const browser = await launchExtensionBrowser(sandbox.root);
  try {
    const { worker } = browser;
    await worker.evaluate(
      (origin) => (globalThis as unknown as WorkerHandle).tandem.sites.setRule(origin, 'allow', Date.now()),
      sites.allowed.url,
    );
    let chars = 0;
    let plainText = 0;
    let actionables = 0;
    for (const path of PAGES) {
      const read = await readPage(worker, `${sites.allowed.url}${path}`);
      chars += read.text.length;
      plainText += read.plainChars;
      actionables += read.text.split('\n').filter((line) => /^\[e\d+\] /.test(line)).length;
    }
    return [
      { metric: 'read_page_chars_per_actionable', value: round(chars / actionables, 1), unit: 'chars' },
      { metric: 'inner_text_chars_per_actionable', value: round(plainText / actionables, 1), unit: 'chars' },
      { metric: 'read_page_actionables', value: actionables, unit: 'elements' },
    ];
  } finally {
    await browser.close();
    await sites.close();
    sandbox.cleanup();
  }
}

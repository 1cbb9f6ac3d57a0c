/**
 * Web-access benchmarks, in real Chromium with the built extension (run `npx wxt build` first).
 * - web_fetch_extract_ms_1mb: the web_fetch tool on a 1 MB local page, in the service worker: egress
 *   check, manual-redirect fetch, body read, readable extraction in the offscreen document, Markdown,
 *   bounding. Baseline raw_fetch_ms_1mb: a plain fetch + text() of the same page in the same worker.
 * - read_page_ms_2k_elements: the read_page tool on a page with 2,000 interactive elements (visible text,
 *   element list with refs). Baseline raw_execute_script_ms: a trivial executeScript in the same tab.
 * Medians over several runs after a warm-up (the first run creates the offscreen document).
 */
import type { Worker } from 'playwright-core';
import { launchExtensionBrowser, makeSandbox } from '../tests/e2e/support/chromium';
import { startTestSites } from '../tests/fixtures/sites';
import type { Metric } from './index';
import { median, round } from './stats';

const RUNS = 9;

interface ToolHandle {
  execute(
    input: unknown,
    ctx: unknown,
  ): Promise<{ content: Array<{ type: string; text?: string }>; isError?: boolean }>;
}
interface WorkerHandle {
  tandem: {
    tools: { get(name: string): ToolHandle | undefined };
    sites: { setRule(pattern: string, effect: 'allow' | 'deny', now: number): Promise<unknown> };
  };
}

/** Runs a tool's execute in the worker `runs` times; returns each duration in ms. */
async function timeTool(worker: Worker, name: string, input: Record<string, unknown>, runs: number): Promise<number[]> {
  return worker.evaluate(
    async ({ name, input, runs }) => {
      const { tandem } = globalThis as unknown as WorkerHandle;
      const tool = tandem.tools.get(name);
      if (!tool) throw new Error(`no tool ${name}`);
      const ctx = {
        threadId: 'bench-thread',
        taskId: 'bench-task',
        toolUseId: 'bench-tool-use',
        signal: new AbortController().signal,
        now: () => new Date(),
      };
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const output = await tool.execute(input, ctx);
        times.push(performance.now() - started);
        if (output.isError) throw new Error(`${name} failed: ${output.content[0]?.text}`);
      }
      return times;
    },
    { name, input, runs },
  );
}

export async function runWebBench(): Promise<Metric[]> {
  const sites = await startTestSites();
  const sandbox = makeSandbox('bench-web');
  const browser = await launchExtensionBrowser(sandbox.root);
  try {
    const { worker } = browser;
    await worker.evaluate(
      (origin) => (globalThis as unknown as WorkerHandle).tandem.sites.setRule(origin, 'allow', Date.now()),
      sites.allowed.url,
    );
    const bigUrl = `${sites.allowed.url}/big`;

    // Warm-up: server-side page generation, the offscreen document, the worker's JIT.
    await timeTool(worker, 'web_fetch', { url: bigUrl }, 2);
    const fetchTimes = await timeTool(worker, 'web_fetch', { url: bigUrl }, RUNS);
    const rawTimes = await worker.evaluate(
      async ({ url, runs }) => {
        const times: number[] = [];
        for (let i = 0; i < runs + 2; i++) {
          const started = performance.now();
          await (await fetch(url, { cache: 'no-store' })).text();
          times.push(performance.now() - started);
        }
        return times.slice(2);
      },
      { url: bigUrl, runs: RUNS },
    );
    const pageBytes = await worker.evaluate(async (url) => (await (await fetch(url)).arrayBuffer()).byteLength, bigUrl);

    const opened = await timeTool(worker, 'tab_open', { url: `${sites.allowed.url}/many` }, 1);
    void opened;
    const tabId = await worker.evaluate(async (url) => {
      interface Tabs {
        chrome: { tabs: { query(q: { url: string }): Promise<Array<{ id?: number }>> } };
      }
      const [tab] = await (globalThis as unknown as Tabs).chrome.tabs.query({ url });
      return tab?.id ?? -1;
    }, `${sites.allowed.url}/many`);
    await timeTool(worker, 'read_page', { tab: tabId, from: 0 }, 2);
    const readTimes = await timeTool(worker, 'read_page', { tab: tabId, from: 0 }, RUNS);
    const scriptTimes = await worker.evaluate(
      async ({ tabId, runs }) => {
        interface Scripting {
          chrome: {
            scripting: { executeScript(i: { target: { tabId: number }; func: () => number }): Promise<unknown> };
          };
        }
        const { chrome } = globalThis as unknown as Scripting;
        const times: number[] = [];
        for (let i = 0; i < runs + 2; i++) {
          const started = performance.now();
          await chrome.scripting.executeScript({
            target: { tabId },
            func: () => document.querySelectorAll('*').length,
          });
          times.push(performance.now() - started);
        }
        return times.slice(2);
      },
      { tabId, runs: RUNS },
    );

    const fetchMs = median(fetchTimes);
    const rawMs = median(rawTimes);
    const readMs = median(readTimes);
    const scriptMs = median(scriptTimes);
    return [
      { metric: 'web_fetch_extract_ms_1mb', value: round(fetchMs, 1), unit: 'ms' },
      { metric: 'raw_fetch_ms_1mb', value: round(rawMs, 1), unit: 'ms' },
      { metric: 'web_fetch_extract_vs_raw_fetch', value: round(fetchMs / rawMs, 1), unit: 'x' },
      { metric: 'web_fetch_page_bytes', value: pageBytes, unit: 'bytes' },
      { metric: 'read_page_ms_2k_elements', value: round(readMs, 1), unit: 'ms' },
      { metric: 'raw_execute_script_ms', value: round(scriptMs, 1), unit: 'ms' },
      { metric: 'read_page_vs_raw_execute_script', value: round(readMs / scriptMs, 1), unit: 'x' },
    ];
  } finally {
    await browser.close();
    await sites.close();
    sandbox.cleanup();
  }
}

/**
 * Agent page-tool benchmarks, in real Chromium with the built extension (run `npm run build:chrome` first).
 * - read_page_chars_per_actionable: characters of read_page output per listed element (lines with a ref),
 *   over the widget pages and the contact form (lower is better).
 * - inner_text_chars_per_actionable: the baseline from the same run: the plain `document.body.innerText`
 *   length of the same pages per the same element count (what a text-only read would cost, with no refs).
 * - read_page_actionables: elements read_page listed on those pages (a count, for context).
 */
import type { Worker } from 'playwright-core';
import { launchExtensionBrowser, makeSandbox } from '../tests/e2e/support/chromium';
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

export async function runAgentBench(): Promise<Metric[]> {
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

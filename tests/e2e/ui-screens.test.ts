/**
 * Screenshot check of the narrow side panel (360 px) and the phone (390×844) with a long title, a
 * wide table and a code block: nothing may stick out sideways (only a table's or code block's
 * own box scrolls), and the screenshots are kept in .tmp/screens/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, sendFromComposer, waitForClientEvent } from './support/panel';

const SCREENS = resolve(import.meta.dirname, '../../.tmp/screens');
const LONG_TITLE =
  'Compare the quarterly reports of every subsidiary and summarise the differences in a single long table';
const ANSWER = [
  'Here is the comparison:',
  '',
  '| Subsidiary | Revenue growth quarter over quarter | Operating margin | Headcount | Notes |',
  '|---|---|---|---|---|',
  '| Northwind Traders International | 12.5% | 18.2% | 1,204 | Strongest quarter since the reorganisation |',
  '| Contoso Pharmaceuticals | -3.1% | 9.8% | 877 | Supply chain disruptions |',
  '',
  '```ts',
  "const reallyLongVariableNameForTheScreenshot = await fetchEverything({ includeArchived: true, since: '2026-01-01' });",
  '```',
].join('\n');

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;

beforeAll(async () => {
  mkdirSync(SCREENS, { recursive: true });
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('ui-screens');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await configureModel(panel, server.url, server.apiKey);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

/** Elements whose box reaches past the viewport's right edge, not counting content inside a scroll box. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    const scrolls = (el: Element) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    const visit = (root: Document | ShadowRoot, clipped: boolean) => {
      for (const el of root.querySelectorAll('*')) {
        let inside = clipped;
        for (let p: Element | null = el.parentElement; p && !inside; p = p.parentElement) inside = scrolls(p);
        const box = el.getBoundingClientRect();
        if (!inside && box.width > 0 && box.right > width + 1) {
          found.push(`${el.tagName.toLowerCase()}.${el.className || ''} right=${Math.round(box.right)} > ${width}`);
        }
        if (el.shadowRoot) visit(el.shadowRoot, inside || scrolls(el));
      }
    };
    visit(document, false);
    if (document.documentElement.scrollWidth > width)
      found.push(`page scrolls sideways: ${document.documentElement.scrollWidth}`);
    return found;
  });
}

describe('screens', () => {
  it('the narrow panel and the phone-sized page show a long title, a wide table and code without sideways overflow', async () => {
    server.script([{ kind: 'text', text: ANSWER }]);
    const threadId = await panel.evaluate(
      (title) => window.tandem?.client.send({ type: 'thread.create', title }),
      LONG_TITLE,
    );
    await panel.getByTestId('thread-item').first().waitFor();
    await panel.getByTestId('thread-item').filter({ hasText: 'Compare the quarterly' }).click();
    await sendFromComposer(panel, 'Compare them');
    await waitForClientEvent(panel, threadId ?? '', 'task_finished');
    await panel.getByTestId('assistant-text').locator('table').waitFor();

    const sizes = [
      { name: 'panel-360', width: 360, height: 760 },
      { name: 'phone-390x844', width: 390, height: 844 },
    ];
    const problems: string[] = [];
    for (const size of sizes) {
      await panel.setViewportSize({ width: size.width, height: size.height });
      for (const scheme of ['light', 'dark'] as const) {
        await panel.emulateMedia({ colorScheme: scheme });
        await panel.waitForTimeout(150);
        await panel.screenshot({ path: join(SCREENS, `${size.name}-${scheme}-thread.png`) });
        problems.push(...(await overflowing(panel)).map((p) => `${size.name} ${scheme} thread: ${p}`));
      }
      await panel.getByTestId('back').click();
      await panel.screenshot({ path: join(SCREENS, `${size.name}-list.png`) });
      problems.push(...(await overflowing(panel)).map((p) => `${size.name} list: ${p}`));
      await panel.getByTestId('thread-item').filter({ hasText: 'Compare the quarterly' }).click();
    }
    expect(problems).toEqual([]);
  });
});

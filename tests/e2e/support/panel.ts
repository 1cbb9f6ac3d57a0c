/**
 * Drives the side panel like a person (click, type) and reads the runtime's
 * durable log from the service worker to compare with what the panel received.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { ThreadEvent } from '../../../shared/protocol';
import { currentWorker } from './chromium';

export async function configureModel(page: Page, baseUrl: string, apiKey: string): Promise<void> {
  await page.evaluate(
    ({ baseUrl, apiKey }) =>
      window.tandem?.client.send({
        type: 'settings.update',
        patch: { baseUrl, apiKey, notifyOnFinish: false, spendingCapEnabled: false },
      }),
    { baseUrl, apiKey },
  );
}

/** Creates a thread with the "new thread" button and returns its id (the one the panel selected). */
export async function newThreadFromUi(page: Page): Promise<string> {
  const before = await threadIds(page);
  await showThreadList(page);
  await page.getByTestId('new-thread').first().click();
  await page.waitForFunction((known) => {
    const threads = window.tandem?.client.threads ?? [];
    return threads.some((t) => !known.includes(t.id));
  }, before);
  const after = await threadIds(page);
  const id = after.find((t) => !before.includes(t));
  if (!id) throw new Error('No new thread appeared');
  return id;
}

/** In a narrow panel the list and the thread take turns: go back to the list if a thread is open. */
export async function showThreadList(page: Page): Promise<void> {
  const back = page.getByTestId('back');
  if ((await page.getByTestId('new-thread').isVisible()) || !(await back.isVisible())) return;
  await back.click();
  await page.getByTestId('new-thread').waitFor({ state: 'visible' });
}

/** Opens a thread from the list by (part of) its title. */
export async function openThreadFromUi(page: Page, title: string): Promise<void> {
  await showThreadList(page);
  await page.getByTestId('thread-item').filter({ hasText: title }).first().click();
}

export function threadIds(page: Page): Promise<string[]> {
  return page.evaluate(() => (window.tandem?.client.threads ?? []).map((t) => t.id));
}

export async function sendFromComposer(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** Events the panel's client holds for a thread. */
export function clientEvents(page: Page, threadId: string): Promise<ThreadEvent[]> {
  return page.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
}

/** The runtime's durable log for a thread, read in the (current) service worker. */
export async function runtimeLog(context: BrowserContext, threadId: string): Promise<ThreadEvent[]> {
  const worker = await currentWorker(context);
  return worker.evaluate(
    (id) =>
      (globalThis as unknown as { tandem: { log: { all(id: string): Promise<ThreadEvent[]> } } }).tandem.log.all(id),
    threadId,
  );
}

export async function waitForClientEvent(
  page: Page,
  threadId: string,
  kind: ThreadEvent['kind'],
  count = 1,
  timeout = 30_000,
): Promise<void> {
  await page.waitForFunction(
    ({ id, kind, count }) => (window.tandem?.client.events(id) ?? []).filter((e) => e.kind === kind).length >= count,
    { id: threadId, kind, count },
    { timeout },
  );
}

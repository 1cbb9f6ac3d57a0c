/**
 * The phone (390×844, over the real WebRTC link) gets message search and the model picker from
 * the same shared components as the panel: a word inside a message is found from the phone's
 * thread list with its snippet marked, tapping it opens the thread on that message, and the
 * phone can choose a priced model for the thread. axe-core finds nothing in the new states.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../fixtures/model-server';
import { axeViolations } from './support/axe';
import { newThreadFromUi, sendFromComposer, waitForClientEvent } from './support/panel';
import type { PhoneBrowser } from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let model: ModelServer;
let rig: PhoneRig | undefined;
let panel: Page;
let phone: PhoneBrowser;

beforeAll(async () => {
  rig = await startPhoneRig('ui-search-phone', { pair: true });
  ({ model, panel, phone } = rig);
});

afterAll(() => rig?.close());

async function axeBothSchemes(page: Page, state: string): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    for (const line of await axeViolations(page)) found.push(`${state} [${scheme}] ${line}`);
  }
  return found;
}

describe('search and model picker on the phone', () => {
  it('finds a message from the phone, opens it there, and picks a model for the thread', async () => {
    model.script([{ kind: 'text', text: 'The Heirloom seed catalogue arrives on Tuesday.' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'When does the catalogue come?');
    await waitForClientEvent(panel, threadId, 'task_finished');

    const page = phone.page;
    await page.getByTestId('thread-item').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('thread-search').fill('heirloom');
    const hit = page.getByTestId('message-hit');
    await hit.first().waitFor({ timeout: 15_000 });
    expect(await hit.first().locator('mark').allTextContents()).toEqual(['Heirloom']);
    const found: string[] = await axeBothSchemes(page, 'phone message hits');

    await hit.first().click();
    const row = page.locator('[data-testid="thread-items"] .row.found');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByText(/Heirloom seed catalogue/).count()).toBe(1);

    const picker = page.getByTestId('model-picker');
    await picker.locator('option').nth(3).waitFor({ state: 'attached', timeout: 15_000 });
    found.push(...(await axeBothSchemes(page, 'phone thread with the model picker')));
    await picker.selectOption('claude-haiku-4-5');
    await panel.waitForFunction(
      (id) => window.tandem?.client.threads.find((t) => t.id === id)?.model === 'claude-haiku-4-5',
      threadId,
    );
    expect(found).toEqual([]);
  });
});

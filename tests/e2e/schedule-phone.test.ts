/**
 * Schedules through the shared UI, in two real Chromiums: a schedule made with the panel's
 * Schedules screen runs when asked, then the paired phone edits it and deletes it from its own
 * Schedules screen (the user's own action, allowed from the phone).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleView } from '../../shared/protocol';
import { axeViolations } from './support/axe';
import { currentWorker, type ExtensionBrowser } from './support/chromium';
import { newThreadFromUi, runtimeLog, sendFromComposer } from './support/panel';
import type { PhoneBrowser } from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let rig: PhoneRig | undefined;
let extension: ExtensionBrowser;
let panel: Page;
let phone: PhoneBrowser;

beforeAll(async () => {
  rig = await startPhoneRig('schedule-phone', { pair: true });
  ({ extension, panel, phone } = rig);
});

afterAll(() => rig?.close());

/** The phone shows one screen at a time: back to the list if a thread is open, then open this one. */
async function openThreadOnPhone(title: string): Promise<void> {
  const back = phone.page.getByTestId('back');
  if (await back.isVisible()) await back.click();
  await phone.page.getByTestId('thread-item').filter({ hasText: title }).first().click({ timeout: 15_000 });
}

async function schedules(): Promise<ScheduleView[]> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(() =>
    (
      globalThis as unknown as { tandem: { schedules: { service: { list(): Promise<ScheduleView[]> } } } }
    ).tandem.schedules.service.list(),
  );
}

describe('schedules in the panel and on the phone', () => {
  it('creates a schedule from the panel screen, runs it now, then the phone edits and deletes it', async () => {
    const threadId = await newThreadFromUi(panel);
    await panel.getByTestId('open-schedules').click();
    const mine = panel.getByTestId('thread-schedules');
    await mine.getByTestId('schedule-new').click();
    await mine.getByTestId('schedule-title').fill('Morning check');
    await mine.getByTestId('schedule-prompt').fill('Check the three sites.');
    await mine.getByTestId('schedule-kind').selectOption('weekly');
    await mine.getByTestId('schedule-time').fill('08:00');
    await mine.getByTestId('schedule-save').click();
    const item = mine.getByTestId('schedule-item');
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(1);
    expect(await item.innerText()).toContain('Every weekday at 08:00');
    const [created] = await schedules();
    expect(created).toMatchObject({ threadId, title: 'Morning check', createdBy: 'user' });

    await item.getByTestId('schedule-run-now').click();
    await expect
      .poll(
        async () => (await runtimeLog(extension.context, threadId)).filter((e) => e.kind === 'task_finished').length,
        { timeout: 20_000 },
      )
      .toBe(1);
    await expect.poll(() => item.getByTestId('schedule-last').innerText(), { timeout: 10_000 }).toMatch(/^Last: Done/);

    // The phone: its Schedules screen lists every thread's schedules; edit the rule, then delete.
    await phone.page.getByTestId('open-schedules').click();
    const onPhone = phone.page.getByTestId('all-schedules').getByTestId('schedule-item');
    await expect.poll(() => onPhone.count(), { timeout: 15_000 }).toBe(1);
    await onPhone.getByTestId('schedule-edit').click();
    await onPhone.getByTestId('schedule-kind').selectOption('daily');
    await onPhone.getByTestId('schedule-time').fill('09:30');
    await onPhone.getByTestId('schedule-save').click();
    await expect.poll(async () => (await schedules())[0]?.description, { timeout: 10_000 }).toBe('Every day at 09:30');
    await expect.poll(() => item.innerText(), { timeout: 10_000 }).toContain('Every day at 09:30');
    await onPhone.getByTestId('schedule-delete').click();
    await onPhone.getByTestId('schedule-delete').click();
    await expect.poll(async () => (await schedules()).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(0);
  });

  it('saves a shortcut on the phone and expands /name typed in the phone composer', async () => {
    await panel.getByTestId('open-schedules').click(); // back from the panel's Schedules screen
    const threadId = await newThreadFromUi(panel);
    const title = 'Shortcut test';
    await panel.evaluate(
      ({ id, title }) => window.tandem?.client.send({ type: 'thread.rename', threadId: id, title }),
      { id: threadId, title },
    );
    const shortcuts = phone.page.getByTestId('shortcuts');
    await shortcuts.getByTestId('shortcut-name').fill('news');
    await shortcuts.getByTestId('shortcut-prompt').fill('Summarise the news.');
    await shortcuts.getByTestId('shortcut-save').click();
    await expect.poll(() => shortcuts.getByTestId('shortcut-item').count(), { timeout: 10_000 }).toBe(1);
    // Back to the thread on the phone, and use it.
    await phone.page.getByTestId('open-schedules').click();
    await phone.page.getByTestId('thread-item').filter({ hasText: title }).first().click();
    await phone.page.getByTestId('composer-input').fill('/news about sport');
    await phone.page.getByTestId('composer-input').press('Enter');
    await expect
      .poll(
        async () =>
          (await runtimeLog(extension.context, threadId)).flatMap((e) => (e.kind === 'user_message' ? [e.text] : [])),
        { timeout: 15_000 },
      )
      .toEqual(['Summarise the news.\n\nabout sport']);
  });

  it('"Save as shortcut" on a message opens the shortcut form with its text, in the panel and on the phone', async () => {
    const threadId = await newThreadFromUi(panel);
    const title = 'Save as shortcut test';
    await panel.evaluate(
      ({ id, title }) => window.tandem?.client.send({ type: 'thread.rename', threadId: id, title }),
      { id: threadId, title },
    );
    await sendFromComposer(panel, 'Plan my week around the weather.');
    const answer = panel.getByTestId('assistant-message').last();
    await answer.getByTestId('message-save-shortcut').waitFor({ timeout: 20_000 });

    // Panel, the user's own message: the Schedules view opens with it in the form.
    await panel.getByTestId('user-message').last().getByTestId('message-save-shortcut').click();
    const form = panel.getByTestId('shortcuts');
    await expect
      .poll(() => form.getByTestId('shortcut-prompt').inputValue(), { timeout: 5_000 })
      .toBe('Plan my week around the weather.');
    await form.getByTestId('shortcut-name').fill('week');
    await form.getByTestId('shortcut-save').click();
    await expect.poll(() => form.getByTestId('shortcut-item').filter({ hasText: '/week' }).count()).toBe(1);
    await panel.getByTestId('open-schedules').click(); // back to the thread

    // Phone, the assistant's answer: its Schedules screen opens with the answer's text.
    await openThreadOnPhone(title);
    const answerText = await phone.page.getByTestId('assistant-text').last().innerText({ timeout: 15_000 });
    await phone.page.getByTestId('assistant-message').last().getByTestId('message-save-shortcut').click();
    const phoneForm = phone.page.getByTestId('shortcuts');
    await expect
      .poll(async () => (await phoneForm.getByTestId('shortcut-prompt').inputValue()).trim(), { timeout: 5_000 })
      .toBe(answerText.trim());
    await phone.page.getByTestId('open-schedules').click(); // back
  });

  it('typing "/" in the composer lists the shortcuts to pick with the keys, in the panel and on the phone', async () => {
    await phone.page
      .getByTestId('shortcuts')
      .waitFor({ state: 'detached' })
      .catch(() => {});
    await panel.evaluate(async () => {
      await window.tandem?.client.send({
        type: 'shortcut.save',
        shortcut: { name: 'mail', prompt: 'Read my mail.\nThen file it.' },
      });
      await window.tandem?.client.send({
        type: 'shortcut.save',
        shortcut: { name: 'mood', prompt: 'How am I doing?' },
      });
    });
    const threadId = await newThreadFromUi(panel);
    const title = 'Slash menu test';
    await panel.evaluate(
      ({ id, title }) => window.tandem?.client.send({ type: 'thread.rename', threadId: id, title }),
      { id: threadId, title },
    );
    const userTexts = async () =>
      (await runtimeLog(extension.context, threadId)).flatMap((e) => (e.kind === 'user_message' ? [e.text] : []));

    // Panel: "/m" offers both, with the prompt's start; Down then Enter picks the second.
    const input = panel.getByTestId('composer-input');
    await input.click();
    await input.pressSequentially('/m');
    const options = panel.getByTestId('shortcut-option');
    await expect
      .poll(() => options.allInnerTexts(), { timeout: 5_000 })
      .toEqual([
        expect.stringMatching(/^\/mail\s*Read my mail\.$/),
        expect.stringMatching(/^\/mood\s*How am I doing\?$/),
      ]);
    expect(await panel.getByTestId('shortcut-menu').getAttribute('role')).toBe('listbox');
    // The open menu passes axe (what concerns the composer; other views have their own axe test).
    expect((await axeViolations(panel)).filter((v) => v.includes('tandem-composer'))).toEqual([]);
    expect(await options.first().getAttribute('aria-selected')).toBe('true');
    await input.press('ArrowDown');
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(await input.getAttribute('aria-activedescendant')).toBe('shortcut-option-1');
    await input.press('Enter');
    expect(await input.inputValue()).toBe('/mood ');
    expect(await options.count()).toBe(0);
    await input.pressSequentially('today');
    await input.press('Enter');
    await expect.poll(userTexts, { timeout: 15_000 }).toEqual(['How am I doing?\n\ntoday']);

    // Escape closes the menu and leaves the text; typing opens it again.
    await input.pressSequentially('/ma');
    await expect.poll(() => options.count()).toBe(1);
    await input.press('Escape');
    expect(await options.count()).toBe(0);
    expect(await input.inputValue()).toBe('/ma');
    await input.fill('');

    // Phone: the same menu, picked with Enter.
    await openThreadOnPhone(title);
    const phoneInput = phone.page.getByTestId('composer-input');
    await phoneInput.click();
    await phoneInput.pressSequentially('/mai');
    await expect
      .poll(() => phone.page.getByTestId('shortcut-option').allInnerTexts(), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^\/mail\s*Read my mail\.$/)]);
    await phoneInput.press('Enter');
    expect(await phoneInput.inputValue()).toBe('/mail ');
    await phoneInput.press('Enter');
    await expect
      .poll(userTexts, { timeout: 15_000 })
      .toEqual(['How am I doing?\n\ntoday', 'Read my mail.\nThen file it.']);
  });
});

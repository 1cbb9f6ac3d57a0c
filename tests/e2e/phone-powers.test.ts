/**
 * What a paired phone may do, in two real Chromiums (issue 9, defects 1 and 2 and "who did what"):
 * the phone is offered only answers that end with the task, its "Always allow" is refused and makes
 * no rule, what it did is recorded under its name and key fingerprint, and its deletes go to a
 * trash the computer restores from.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelServer } from '../fixtures/model-server';
import { currentWorker, type ExtensionBrowser } from './support/chromium';
import { newThreadFromUi, runtimeLog, sendFromComposer, waitForClientEvent } from './support/panel';
import { type PhoneBrowser, waitForPhoneEvent } from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let model: ModelServer;
let rig: PhoneRig | undefined;
let extension: ExtensionBrowser;
let panel: Page;
let phone: PhoneBrowser;

beforeAll(async () => {
  rig = await startPhoneRig('phone-powers', { pair: true });
  ({ model, extension, panel, phone } = rig);
});

afterAll(() => rig?.close());

beforeEach(() => model.reset());

async function openThreadOnPhone(title: string): Promise<void> {
  const page = phone.page;
  if (await page.getByTestId('back').isVisible()) await page.getByTestId('back').click();
  await page.getByTestId('thread-item').filter({ hasText: title }).first().click();
  await page.getByTestId('composer-input').waitFor();
}

/** Grants the runtime holds for a policy (read in the worker, from the real store). */
async function grants(policy: string): Promise<unknown[]> {
  const worker = await currentWorker(extension.context);
  return worker.evaluate(
    (name) =>
      (globalThis as unknown as { tandem: { grants: { load(p: string): Promise<unknown[]> } } }).tandem.grants.load(
        name,
      ),
    policy,
  );
}

async function sendFromPhone(command: Record<string, unknown>): Promise<string> {
  return phone.page.evaluate(
    (c) =>
      (window as unknown as { tandemPhone: { client: { send(c: unknown): Promise<unknown> } } }).tandemPhone.client
        .send(c)
        .then(
          () => 'accepted',
          (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`,
        ),
    command,
  );
}

describe('a paired phone cannot widen what the user allowed', () => {
  it('offers the phone only answers that end with the task, refuses "Always" from it, and names the phone', async () => {
    model.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'The kettle boiled.' } },
      { kind: 'text', text: 'I told you about the kettle.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Tell me when the kettle boils');
    await openThreadOnPhone('Tell me when the kettle boils');
    const options = phone.page.getByTestId('decision-option');
    await options.first().waitFor({ timeout: 10_000 });
    // The computer is offered everything; the phone only what ends with the task, and told why.
    await panel.getByTestId('decision-card').last().waitFor();
    const panelOptions = await panel
      .getByTestId('decision-option')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-option-id')));
    expect(panelOptions).toEqual(['allow_once', 'allow_always', 'deny', 'deny_always']);
    expect(await options.evaluateAll((els) => els.map((el) => el.getAttribute('data-option-id')))).toEqual([
      'allow_once',
      'deny',
    ]);
    await expect
      .poll(() => phone.page.getByTestId('decision-permanent-note').textContent())
      .toContain('To allow this permanently, use the computer.');

    // A phone that sends "Always allow" anyway (a modified page, a stolen phone) is refused; no rule is made.
    const log = await runtimeLog(extension.context, threadId);
    const request = log.find((e) => e.kind === 'decision_requested');
    if (request?.kind !== 'decision_requested') throw new Error('no decision');
    for (const optionId of ['allow_always', 'deny_always']) {
      const answer = await sendFromPhone({
        type: 'decision.answer',
        threadId,
        decisionId: request.decisionId,
        optionId,
      });
      expect(answer).toMatch(/^not_allowed: .*use the computer/);
    }
    expect(await grants('notifications')).toEqual([]);

    await phone.page.locator('[data-testid="decision-option"][data-option-id="allow_once"]').click();
    await waitForPhoneEvent(phone.page, threadId, 'task_finished');
    await waitForClientEvent(panel, threadId, 'task_finished');
    // Nothing that outlives the task.
    expect((await grants('notifications')).every((g) => (g as { taskId?: string }).taskId !== undefined)).toBe(true);

    // Who did what: the phone's name and key fingerprint, in the log, on the panel's card, in Activity.
    const after = await runtimeLog(extension.context, threadId);
    const resolved = after.find((e) => e.kind === 'decision_resolved');
    expect(resolved).toMatchObject({
      by: {
        kind: 'phone',
        device: { name: expect.any(String), fingerprint: expect.stringMatching(/^[0-9a-f ]{19}$/) },
      },
    });
    const fingerprint = resolved?.kind === 'decision_resolved' ? (resolved.by.device?.fingerprint ?? '') : '';
    await expect.poll(() => panel.getByTestId('decision-outcome').last().textContent()).toContain(fingerprint);
    await panel.getByTestId('open-settings').click();
    await panel.getByTestId('settings-section-activity').click();
    await expect
      .poll(() => panel.getByTestId('audit-entry').first().textContent(), { timeout: 5_000 })
      .toContain(fingerprint);
    await panel.getByTestId('back').click();
  });

  it('moves a thread the phone deletes to a trash the computer restores from', async () => {
    model.script([{ kind: 'text', text: 'Worth keeping.' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Do not lose this');
    await waitForClientEvent(panel, threadId, 'task_finished');
    expect(await sendFromPhone({ type: 'thread.delete', threadId })).toBe('accepted');
    expect(await sendFromPhone({ type: 'threads.trash' })).toMatch(/^not_allowed/);
    expect((await runtimeLog(extension.context, threadId)).length).toBeGreaterThan(0);

    await panel.getByTestId('open-settings').click();
    await panel.getByTestId('settings-section-deleted').click();
    const row = panel.getByTestId('deleted-thread').filter({ hasText: 'Do not lose this' });
    await row.waitFor({ timeout: 5_000 });
    await row.getByTestId('deleted-thread-restore').click();
    await panel.getByTestId('deleted-threads-empty').waitFor();
    await panel.getByTestId('back').click();
    await expect
      .poll(() =>
        phone.page.evaluate(() =>
          (
            window as unknown as { tandemPhone: { client: { threads: { id: string }[] } } }
          ).tandemPhone.client.threads.map((t) => t.id),
        ),
      )
      .toContain(threadId);
  });
});

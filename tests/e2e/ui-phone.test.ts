/**
 * The phone page as a thumb meets it, in a 390×844 touch viewport: every control at least
 * 44×44 px, opposite actions (Allow / Deny) apart, a composer hint that does not talk about
 * keys a phone does not have, and a calm state before pairing.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../fixtures/model-server';
import { axeViolations } from './support/axe';
import type { ExtensionBrowser } from './support/chromium';
import { newThreadFromUi, sendFromComposer } from './support/panel';
import {
  closeSettings,
  newPhone,
  openOnPhone,
  type PhoneBrowser,
  type StaticServer,
  showAndScanQr,
  waitForLinkOnline,
} from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let model: ModelServer;
let site: StaticServer;
let rig: PhoneRig | undefined;
let extension: ExtensionBrowser;
let panel: Page;
let phone: PhoneBrowser;

const MIN_TAP = 44;

beforeAll(async () => {
  rig = await startPhoneRig('ui-phone');
  ({ model, site, extension, panel, phone } = rig);
});

afterAll(() => rig?.close());

interface Target {
  what: string;
  width: number;
  height: number;
}

/**
 * Every visible control on the page, through shadow roots, with the size a finger can hit: a
 * checkbox or radio inside a <label> is hit through its label.
 */
function tapTargets(page: Page): Promise<Target[]> {
  return page.evaluate(() => {
    const found: Target[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll<HTMLElement>('button, input, textarea, select, a[href], [role="tab"]')) {
        const hit =
          el instanceof HTMLInputElement && ['checkbox', 'radio'].includes(el.type) ? (el.closest('label') ?? el) : el;
        const box = hit.getBoundingClientRect();
        const style = getComputedStyle(el);
        if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
        if (el.closest('.visually-hidden')) continue;
        const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '';
        found.push({ what: `${el.tagName.toLowerCase()} ${name}`.slice(0, 60), width: box.width, height: box.height });
      }
      for (const host of root.querySelectorAll('*')) if (host.shadowRoot) visit(host.shadowRoot);
    };
    visit(document);
    return found;
  });
}

function tooSmall(targets: Target[]): string[] {
  return targets
    .filter((t) => t.width < MIN_TAP - 0.5 || t.height < MIN_TAP - 0.5)
    .map((t) => `${t.what}: ${Math.round(t.width)}×${Math.round(t.height)}`);
}

describe('phone page UI', () => {
  it('shows a neutral state, not a red "Disconnected", before the phone is paired', async () => {
    const fresh = await newPhone(phone.browser, new URL(site.url).origin);
    await fresh.page.goto(site.url);
    const state = fresh.page.getByTestId('connection-state');
    await state.first().waitFor({ timeout: 10_000 });
    await expect.poll(() => state.first().getAttribute('data-tone')).not.toBe('bad');
    expect(await state.first().textContent()).not.toContain('Disconnected');
    await fresh.context.close();
  });

  it('has tap targets of at least 44×44 px and keeps Allow and Deny apart', async () => {
    model.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'The kettle boiled.' } },
      { kind: 'text', text: 'I told you about the kettle.' },
    ]);
    await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Tell me when the kettle boils');
    const url = await showAndScanQr(panel);
    await waitForLinkOnline(extension);
    await openOnPhone(phone.page, url);
    await closeSettings(panel);

    const page = phone.page;
    await page.getByTestId('thread-item').first().waitFor();
    expect(tooSmall(await tapTargets(page))).toEqual([]);

    await page.getByTestId('thread-item').filter({ hasText: 'kettle' }).first().click();
    const options = page.getByTestId('decision-option');
    await options.first().waitFor({ timeout: 10_000 });
    await page.getByTestId('tool-card').first().waitFor();
    expect(tooSmall(await tapTargets(page))).toEqual([]);

    const allow = await page.locator('[data-testid="decision-option"][data-option-id="allow_once"]').boundingBox();
    const deny = await page.locator('[data-testid="decision-option"][data-option-id="deny"]').boundingBox();
    expect(allow && deny).toBeTruthy();
    if (allow && deny) {
      const sameRow = Math.abs(allow.y - deny.y) < 4;
      const apart = sameRow
        ? Math.max(deny.x - (allow.x + allow.width), allow.x - (deny.x + deny.width))
        : Math.max(deny.y - (allow.y + allow.height), allow.y - (deny.y + deny.height));
      expect(apart).toBeGreaterThanOrEqual(16);
    }
  });

  it('does not tell a phone about Enter and Shift+Enter', async () => {
    const hint = phone.page.getByTestId('composer-hint');
    await hint.waitFor();
    expect(await hint.textContent()).not.toMatch(/Enter/);
  });

  it('has no axe-core violations in any state, light or dark', async () => {
    const found: string[] = [];
    const check = async (page: Page, state: string) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForTimeout(150);
        for (const line of await axeViolations(page)) found.push(`${state} [${scheme}] ${line}`);
      }
    };
    const page = phone.page;
    await page.getByTestId('decision-option').first().waitFor();
    await check(page, 'thread with a decision');
    await page.getByTestId('decision-option').first().click();
    await page.getByTestId('tool-card').first().waitFor();
    await expect.poll(() => page.getByTestId('assistant-text').last().textContent()).toContain('kettle');
    await check(page, 'thread with a tool card and answer');
    await page.getByTestId('back').click();
    await page.getByTestId('thread-item').first().waitFor();
    await check(page, 'thread list');

    const fresh = await newPhone(phone.browser, new URL(site.url).origin);
    await fresh.page.goto(site.url);
    await fresh.page.getByTestId('phone-unpaired').waitFor();
    await check(fresh.page, 'not paired');
    await fresh.context.close();
    expect(found).toEqual([]);
  });
});

/**
 * The Sites view in the real side panel page: lists rules and answers, adds and
 * removes rules through the protocol, shows the runtime's refusal of a bad
 * pattern, and updates live when an "Always allow" answer is given elsewhere.
 * The view is mounted by the panel app; until it is, this test is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSites, setSiteRule, startWebSession, type WebSession } from './support/web-session';

let s: WebSession;

beforeAll(async () => {
  s = await startWebSession('web-sites-view');
});
afterAll(() => s?.close());

describe('Sites view', () => {
  it('adds, lists and removes site rules, and refuses a bad pattern with the reason', async (ctx) => {
    const defined = await s.panel.evaluate(() => customElements.get('tandem-sites-view') !== undefined);
    if (!defined) {
      ctx.skip('tandem-sites-view is not part of the panel bundle yet');
      return;
    }
    await s.panel.evaluate(() => {
      const view = document.createElement('tandem-sites-view');
      view.client = window.tandem?.client;
      view.id = 'sites-under-test';
      document.body.replaceChildren(view);
    });
    const view = s.panel.locator('#sites-under-test');
    await expect.poll(() => view.getByTestId('sites-empty').count()).toBe(1);

    await view.getByTestId('site-pattern').fill(s.sites.allowed.url);
    await view.getByTestId('site-add').click();
    await expect.poll(() => view.getByTestId('site-row').count()).toBe(1);
    const row = view.getByTestId('site-row').first();
    expect(await row.getAttribute('data-pattern')).toBe(s.sites.allowed.url);
    expect(await row.getAttribute('data-effect')).toBe('allow');
    expect(await row.textContent()).toContain('Always');

    await view.getByTestId('site-pattern').fill('*.example.com');
    await view.getByTestId('site-effect').selectOption('deny');
    await view.getByTestId('site-add').click();
    await expect.poll(() => view.locator('[data-testid="site-row"][data-effect="deny"]').count()).toBe(1);
    expect(await view.locator('[data-testid="site-row"][data-effect="deny"]').getAttribute('data-pattern')).toBe(
      'https://*.example.com',
    );

    await view.getByTestId('site-pattern').fill('https://example.com/some/path');
    await view.getByTestId('site-add').click();
    await expect.poll(() => view.getByTestId('site-error').textContent()).toMatch(/whole site/);

    // A rule added elsewhere (another panel, a decision answered "always") shows up live.
    await setSiteRule(s.panel, s.sites.other.url, 'allow');
    await expect.poll(() => view.getByTestId('site-row').count()).toBe(3);

    await view
      .locator(`[data-testid="site-row"][data-pattern="${s.sites.allowed.url}"]`)
      .getByTestId('site-remove')
      .click();
    await expect.poll(() => view.getByTestId('site-row').count()).toBe(2);
    expect((await listSites(s.panel)).map((e) => e.pattern).sort()).toEqual(
      ['https://*.example.com', s.sites.other.url].sort(),
    );
  });
});

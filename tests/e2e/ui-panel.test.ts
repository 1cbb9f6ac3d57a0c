/**
 * The side panel as a demanding user meets it, in real Chromium at side-panel width (360 px):
 * keyboard (Escape, arrow keys between settings tabs, focus after Enter), wide tables, long
 * titles, the settings tab row, the usage figure, the key field and the host-less Trash.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { axeViolations } from './support/axe';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, newThreadFromUi, sendFromComposer, showThreadList, waitForClientEvent } from './support/panel';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;

const PANEL_WIDTH = 360;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('ui-panel');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await panel.setViewportSize({ width: PANEL_WIDTH, height: 760 });
  await configureModel(panel, server.url, server.apiKey);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

beforeEach(async () => {
  server.reset();
  await leaveSettings();
});

async function leaveSettings(): Promise<void> {
  if ((await panel.getByTestId('panel-title').textContent())?.includes('Settings')) {
    await panel.getByTestId('open-settings').click();
  }
}

async function openSettings(section = 'general'): Promise<void> {
  if (!(await panel.getByTestId('panel-title').textContent())?.includes('Settings')) {
    await panel.getByTestId('open-settings').click();
  }
  await panel.getByTestId(`settings-section-${section}`).click();
}

/** The element focused, looking through shadow roots. */
function deepFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active ? `${active.tagName.toLowerCase()}[${active.getAttribute('data-testid') ?? ''}]` : 'none';
  });
}

describe('side panel UI', () => {
  it('names itself once: the panel header does not repeat the browser’s "Tandem" title', async () => {
    await showThreadList(panel);
    expect((await panel.getByTestId('panel-title').textContent())?.trim()).not.toBe('Tandem');
  });

  it('scrolls a wide table sideways instead of breaking its words', async () => {
    const words = ['Supercalifragilistic', 'Antidisestablishment', 'Pneumonoultramicro', 'Floccinaucinihilipil'];
    const table = [
      `| ${words.join(' | ')} |`,
      `|${words.map(() => '---').join('|')}|`,
      `| ${words.join(' | ')} |`,
    ].join('\n');
    server.script([{ kind: 'text', text: `Here:\n\n${table}\n` }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'A table please');
    await waitForClientEvent(panel, threadId, 'task_finished');
    const cells = panel.locator('[data-testid="assistant-text"] td');
    await expect.poll(() => cells.count()).toBe(words.length);
    const lines = await cells.evaluateAll((tds) =>
      tds.map((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      }),
    );
    expect(lines).toEqual(words.map(() => 1));
    const scroller = await panel.locator('[data-testid="assistant-text"] table').evaluate((t) => {
      const box = t.closest('.table-scroll') ?? t;
      return { scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, overflowX: getComputedStyle(box).overflowX };
    });
    expect(scroller.scrollWidth).toBeGreaterThan(scroller.clientWidth);
    expect(scroller.overflowX).toBe('auto');
  });

  it('shows one short usage figure per answer, with the token details on demand', async () => {
    server.script([{ kind: 'text', text: 'Short answer.' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Hi');
    await waitForClientEvent(panel, threadId, 'task_finished');
    const usage = panel.getByTestId('turn-usage').last();
    await usage.waitFor();
    const collapsed = (await usage.textContent())?.replace(/\s+/g, ' ').trim() ?? '';
    expect(collapsed).toMatch(/^(~\$\d+\.\d\d|<\$0\.01|[\d.]+k? tokens)$/);
    const box = await usage.boundingBox();
    expect(box?.height).toBeLessThan(24);
    await panel.getByTestId('turn-usage-toggle').last().click();
    await expect
      .poll(() => panel.getByTestId('turn-usage-details').last().textContent())
      .toMatch(/in · .* out · .*cache write/);
  });

  it('fits every settings tab in the panel and moves between them with the arrow keys', async () => {
    await openSettings();
    const tabs = panel.getByRole('tab');
    const count = await tabs.count();
    expect(count).toBeGreaterThanOrEqual(7);
    for (let i = 0; i < count; i++) {
      const box = await tabs.nth(i).boundingBox();
      expect(box, `tab ${i}`).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, `tab ${await tabs.nth(i).textContent()}`).toBeLessThanOrEqual(PANEL_WIDTH);
    }
    await panel.getByTestId('settings-section-general').focus();
    await panel.keyboard.press('ArrowRight');
    await expect.poll(() => deepFocus(panel)).toBe('button[settings-section-sites]');
    expect(await panel.getByTestId('settings-section-sites').getAttribute('aria-selected')).toBe('true');
    await panel.keyboard.press('End');
    await expect.poll(() => deepFocus(panel)).toBe('button[settings-section-phone]');
    await panel.keyboard.press('ArrowRight');
    await expect.poll(() => deepFocus(panel)).toBe('button[settings-section-general]');
    await panel.keyboard.press('ArrowLeft');
    await expect.poll(() => deepFocus(panel)).toBe('button[settings-section-phone]');
  });

  it('leaves Settings with Escape', async () => {
    await openSettings('sites');
    await panel.keyboard.press('Escape');
    await expect.poll(() => panel.getByTestId('panel-title').textContent()).not.toContain('Settings');
  });

  it('stops a running answer with Escape', async () => {
    server.script([{ kind: 'hang', afterText: 'I will go on and on' }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Talk forever');
    await expect
      .poll(() => panel.getByTestId('assistant-text').last().textContent(), { timeout: 15_000 })
      .toContain('on and on');
    await panel.keyboard.press('Escape');
    await waitForClientEvent(panel, threadId, 'task_finished', 1, 5_000);
    await expect.poll(() => panel.getByTestId('notice').last().textContent()).toContain('Stopped');
  });

  it('keeps focus in the panel when a thread is opened with Enter, and shows long titles in full on hover', async () => {
    const title = 'A very long thread title that cannot fit in a narrow side panel without being cut off somewhere';
    await showThreadList(panel);
    const threadId = await panel.evaluate(
      (t) => window.tandem?.client.send({ type: 'thread.create', title: t }),
      title,
    );
    const row = panel.locator(`[data-thread-id="${threadId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('thread-title').getAttribute('title')).toBe(title);
    await row.locator('button[data-part="open"]').focus();
    await panel.keyboard.press('Enter');
    await expect.poll(() => panel.getByTestId('panel-title').textContent()).toContain('A very long');
    expect(await panel.getByTestId('panel-title').getAttribute('title')).toBe(title);
    await expect.poll(() => deepFocus(panel)).toBe('textarea[composer-input]');
  });

  it('refuses a pasted non-key with a clear message, and a new key clears the last check’s error', async () => {
    await panel.evaluate(() =>
      window.tandem?.client.send({ type: 'settings.update', patch: { apiKey: 'sk-wrong-key-123' } }),
    );
    await openSettings();
    await panel.getByTestId('settings-check-key').click();
    await panel.getByTestId('key-check-result').waitFor();
    expect(await panel.getByTestId('key-check-result').getAttribute('data-ok')).toBe('false');
    await panel.getByTestId('settings-api-key').fill('hello');
    expect(await panel.getByTestId('key-check-result').count()).toBe(0);
    await panel.getByTestId('settings-save').click();
    await expect
      .poll(() => panel.getByTestId('settings-error-apiKey').textContent())
      .toContain('does not look like an API key');
    expect(await panel.getByTestId('settings-api-key-hint').textContent()).not.toContain('()');
    const hint = await panel.evaluate(() => window.tandem?.client.settings?.apiKeyHint);
    expect(hint).toBe('…-123');
    await configureModel(panel, server.url, server.apiKey);
  });

  it('says the file host is missing in Trash, with the way to install it, instead of "Loading…" forever', async () => {
    await openSettings('trash');
    await panel.getByTestId('trash-host-missing').waitFor({ timeout: 10_000 });
    expect(await panel.getByTestId('trash-loading').count()).toBe(0);
    await panel.getByTestId('trash-open-folders').click();
    expect(await panel.getByTestId('settings-section-folders').getAttribute('aria-selected')).toBe('true');
  });

  it('words a missing-file-host tool error for people and links it to Settings → Folders', async () => {
    server.script([
      { kind: 'tool_use', name: 'list_dir', input: {} },
      { kind: 'text', text: 'The files are not available.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'What is in my folders?');
    await waitForClientEvent(panel, threadId, 'task_finished');
    const card = panel.getByTestId('tool-card').last();
    await expect.poll(() => card.getAttribute('data-status')).toBe('error');
    const problem = card.getByTestId('tool-problem');
    expect(await problem.textContent()).toContain('file host is not installed');
    expect(await problem.textContent()).not.toContain('Ask the user');
    await card.getByTestId('tool-fix-settings').click();
    await expect.poll(() => panel.getByTestId('settings-section-folders').getAttribute('aria-selected')).toBe('true');
  });

  it('copies a code block or a whole answer, and stamps each message with its time', async () => {
    const answer = 'Run this:\n\n```sh\necho hello\n```\n\nThat is all.';
    server.script([{ kind: 'text', text: answer }]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Give me a command');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await panel.evaluate(() => {
      const copied: string[] = [];
      (window as unknown as { copied: string[] }).copied = copied;
      navigator.clipboard.writeText = async (text: string) => {
        copied.push(text);
      };
    });
    await panel.getByTestId('copy-code').last().click();
    await expect.poll(() => panel.getByTestId('copy-code').last().textContent()).toBe('Copied');
    await panel.getByTestId('copy-message').last().click();
    const copied = await panel.evaluate(() => (window as unknown as { copied: string[] }).copied);
    expect(copied).toEqual(['echo hello\n', answer]);

    const times = panel.getByTestId('message-time');
    expect(await times.count()).toBeGreaterThanOrEqual(2);
    const stamp = await times.last().getAttribute('datetime');
    expect(Math.abs(Date.parse(stamp ?? '') - Date.now())).toBeLessThan(5 * 60_000);
    expect(await times.last().textContent()).toMatch(/\d{1,2}:\d{2}/);
  });

  it('groups the thread list by day', async () => {
    await showThreadList(panel);
    const groups = panel.getByTestId('thread-group');
    await expect.poll(() => groups.first().textContent()).toBe('Today');
    expect(await groups.count()).toBe(1);
  });

  it('exports the open thread as Markdown and as JSON with its tool calls', async () => {
    server.script([
      { kind: 'tool_use', name: 'clock', input: {}, text: 'Checking the clock.' },
      { kind: 'text', text: 'It is time for tea.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Export me');
    await waitForClientEvent(panel, threadId, 'task_finished');
    const [markdown] = await Promise.all([panel.waitForEvent('download'), panel.getByTestId('export-md').click()]);
    expect(markdown.suggestedFilename()).toMatch(/\.md$/);
    const md = readFileSync((await markdown.path()) ?? '', 'utf8');
    expect(md).toContain('Export me');
    expect(md).toContain('### Tool call: clock');
    expect(md).toContain('It is time for tea.');
    const [json] = await Promise.all([panel.waitForEvent('download'), panel.getByTestId('export-json').click()]);
    const data = JSON.parse(readFileSync((await json.path()) ?? '', 'utf8'));
    expect(data.format).toBe('tandem-thread');
    expect(data.events.map((e: { kind: string }) => e.kind)).toContain('tool_result');
  });

  it('shows a "Demo model" badge while answers come from a model server on this computer', async () => {
    await expect.poll(() => panel.getByTestId('model-badge').textContent()).toBe('Demo model');
    await panel.evaluate(() =>
      window.tandem?.client.send({ type: 'settings.update', patch: { baseUrl: 'https://api.anthropic.com' } }),
    );
    await expect.poll(() => panel.getByTestId('model-badge').count()).toBe(0);
    await configureModel(panel, server.url, server.apiKey);
    await expect.poll(() => panel.getByTestId('model-badge').count()).toBe(1);
  });

  it('regenerates and edits the last message as new versions ("‹ 2/2 ›"), the earlier answers kept', async () => {
    server.script([
      { kind: 'text', text: 'First answer.' },
      { kind: 'text', text: 'Second answer.' },
      { kind: 'text', text: 'Third answer.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Say something');
    await waitForClientEvent(panel, threadId, 'task_finished');
    await panel.getByTestId('message-resend').click();
    await waitForClientEvent(panel, threadId, 'task_finished', 2);
    await expect.poll(() => panel.getByTestId('assistant-text').last().textContent()).toContain('Second answer.');
    // The newest version is shown; the first answer is one click away, not sent to the model again.
    expect(await panel.getByTestId('assistant-text').allTextContents()).toHaveLength(1);
    expect(await panel.getByTestId('version-position').textContent()).toBe('2/2');
    expect(await panel.getByTestId('message-edited').count()).toBe(1);
    expect(JSON.stringify(server.requests[1]?.body?.messages)).not.toContain('First answer.');

    await panel.getByTestId('version-previous').click();
    await expect.poll(() => panel.getByTestId('assistant-text').last().textContent()).toContain('First answer.');
    expect(await panel.getByTestId('version-position').textContent()).toBe('1/2');
    // An older version is for reading: edits start from the newest one.
    expect(await panel.getByTestId('message-resend').count()).toBe(0);
    await panel.getByTestId('version-next').click();
    await expect.poll(() => panel.getByTestId('version-position').textContent()).toBe('2/2');

    await panel.getByTestId('message-edit').click();
    expect(await panel.getByTestId('composer-input').inputValue()).toBe('Say something');
    await panel.getByTestId('editing-note').waitFor({ state: 'visible' });
    // The switcher and the editing note, in both colour schemes: nothing for axe-core to report.
    const violations: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await panel.emulateMedia({ colorScheme });
      await panel.waitForTimeout(150);
      for (const line of await axeViolations(panel)) violations.push(`[${colorScheme}] ${line}`);
    }
    await panel.emulateMedia({ colorScheme: 'light' });
    expect(violations).toEqual([]);
    await sendFromComposer(panel, 'Say something else');
    await waitForClientEvent(panel, threadId, 'task_finished', 3);
    await expect.poll(() => panel.getByTestId('version-position').textContent()).toBe('3/3');
    expect(await panel.getByTestId('user-message-text').allTextContents()).toEqual(['Say something else']);
    expect(await panel.getByTestId('assistant-text').last().textContent()).toContain('Third answer.');
    const sent = JSON.stringify(server.requests[2]?.body?.messages);
    expect(sent).toContain('Say something else');
    expect(sent).not.toContain('answer.');
  });
});

/**
 * axe-core over every state of the side panel, light and dark, at side-panel width:
 * 0 violations of any impact. The phone page's states are checked in ui-axe-phone.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { axeViolations } from './support/axe';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, newThreadFromUi, sendFromComposer, showThreadList, waitForClientEvent } from './support/panel';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('ui-axe');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await panel.setViewportSize({ width: 360, height: 760 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

const SECTIONS = ['general', 'sites', 'activity', 'folders', 'trash', 'deleted', 'backup', 'phone'];

/** Checks the page in both colour schemes; returns "scheme: violation" lines. */
async function checkBothSchemes(state: string): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await panel.emulateMedia({ colorScheme: scheme });
    // Let transitions and the next frame settle before measuring contrast.
    await panel.waitForTimeout(150);
    for (const line of await axeViolations(panel)) found.push(`${state} [${scheme}] ${line}`);
  }
  return found;
}

/** A 1 × 1 PNG, for an attachment chip with a thumbnail. */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('accessibility of the side panel (axe-core)', () => {
  it('has no violations in any state, light or dark', async () => {
    const found: string[] = [];
    // First run: no key yet, no threads.
    await panel.getByTestId('first-run').waitFor();
    found.push(...(await checkBothSchemes('first run')));

    await configureModel(panel, server.url, server.apiKey);
    server.script([
      {
        kind: 'text',
        text: [
          'Here is **Markdown** with a [link](https://example.com), `code`, a list and a table:',
          '',
          '- one',
          '- two',
          '',
          '| Name | Value |',
          '|---|---|',
          '| alpha | 1 |',
          '',
          '```ts',
          'const answer = 42;',
          '```',
        ].join('\n'),
      },
    ]);
    const first = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Show me everything');
    await waitForClientEvent(panel, first, 'task_finished');
    // Token colours must pass contrast too: wait for the lazy highlighter.
    await panel.locator('[data-testid="assistant-text"] pre .hljs-keyword').first().waitFor();
    // The status row holds the thread's model picker, filled from the Models API.
    await panel.locator('[data-testid="model-picker"] option').nth(1).waitFor({ state: 'attached' });
    found.push(...(await checkBothSchemes('thread with an answer')));
    await panel.getByTestId('attach-input').setInputFiles([
      { name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from(TINY_PNG, 'base64') },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('milk') },
    ]);
    await panel.locator('tandem-composer [data-testid="attachment-chip"]').nth(1).waitFor();
    found.push(...(await checkBothSchemes('composer with attachments')));
    for (let i = 0; i < 2; i++)
      await panel.locator('tandem-composer [data-testid="attachment-remove"]').first().click();
    await panel.getByTestId('turn-usage-toggle').last().click();
    found.push(...(await checkBothSchemes('usage details open')));

    server.script([
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'The kettle boiled.' } },
      { kind: 'text', text: 'Done.' },
    ]);
    await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Tell me when the kettle boils');
    await panel.getByTestId('decision-card').last().waitFor({ timeout: 15_000 });
    found.push(...(await checkBothSchemes('decision waiting')));

    server.script([{ kind: 'error', errorType: 'overloaded_error', message: 'Overloaded', status: 529 }]);
    await panel.getByTestId('decision-option').first().click();
    await panel.getByTestId('notice').last().waitFor({ timeout: 15_000 });
    found.push(...(await checkBothSchemes('tool card and notice')));

    await showThreadList(panel);
    await panel.getByTestId('thread-item').nth(1).waitFor();
    found.push(...(await checkBothSchemes('thread list')));
    // Search inside messages: hits with marked snippets under the titles.
    await panel.getByTestId('thread-search').fill('kettle');
    await panel.getByTestId('message-hit').first().waitFor({ timeout: 15_000 });
    found.push(...(await checkBothSchemes('message search hits')));
    await panel.getByTestId('thread-search').fill('');

    await panel.getByTestId('open-settings').click();
    for (const section of SECTIONS) {
      await panel.getByTestId(`settings-section-${section}`).click();
      await panel.waitForTimeout(300);
      found.push(...(await checkBothSchemes(`settings ${section}`)));
    }
    // The audit log's export and "Verify a file" with their results on screen (one of them a failure).
    await panel.getByTestId('settings-section-activity').click();
    await panel.getByTestId('audit-head').waitFor();
    await Promise.all([panel.waitForEvent('download'), panel.getByTestId('audit-export').click()]);
    await panel.getByTestId('audit-export-result').filter({ hasText: 'verifies' }).waitFor();
    const notAudit = join(sandbox.root, 'not-an-audit-log.jsonl');
    writeFileSync(notAudit, '{"hello":1}\n');
    await panel.getByTestId('audit-verify-file').setInputFiles(notAudit);
    await panel.getByTestId('audit-verify-result').waitFor();
    found.push(...(await checkBothSchemes('settings activity, audit export and verify results')));
    expect(found).toEqual([]);
  });
});

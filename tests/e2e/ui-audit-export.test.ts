/**
 * The audit log export end to end in Chromium: a scripted-model task makes an automatic tool call
 * and one the user allows in the panel; Settings → Activity exports the log; `tandem-audit verify`
 * (the real bin) says OK with the chain head Settings shows, and names the line of an edited copy;
 * the page's own "Verify a file" agrees.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, newThreadFromUi, sendFromComposer, waitForClientEvent } from './support/panel';

const REPO = resolve(import.meta.dirname, '../..');
const AUDIT_BIN = join(REPO, 'native-host', 'bin', 'tandem-audit.mjs');

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;

beforeAll(async () => {
  // The bin runs native-host/dist/tandem-audit.mjs, which `npm run build` makes; build it fresh here.
  const { buildAuditCli } = (await import(join(REPO, 'native-host', 'build.mjs'))) as {
    buildAuditCli(): Promise<string>;
  };
  await buildAuditCli();
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('ui-audit-export');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await panel.setViewportSize({ width: 360, height: 760 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

function verifyWithCli(file: string) {
  const result = spawnSync(process.execPath, [AUDIT_BIN, 'verify', file], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('audit log export (Chromium)', () => {
  it('exports a log that tandem-audit verifies, with the head Settings shows, and catches an edit', async () => {
    await configureModel(panel, server.url, server.apiKey);
    server.script([
      { kind: 'tool_use', name: 'clock', input: { timeZone: 'UTC' } },
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Tea', message: 'The kettle boiled.' } },
      { kind: 'text', text: 'Done.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Check the time, then tell me about the kettle');
    const card = panel.getByTestId('decision-card').last();
    await card.waitFor({ timeout: 15_000 });
    await card.locator('[data-testid="decision-option"][data-option-id="allow_once"]').click();
    await waitForClientEvent(panel, threadId, 'task_finished');

    await panel.getByTestId('open-settings').click();
    await panel.getByTestId('settings-section-activity').click();
    const head = panel.getByTestId('audit-head');
    await expect.poll(() => panel.getByTestId('audit-chain').textContent(), { timeout: 10_000 }).toContain('2 rows');
    const shownHead = ((await head.textContent()) ?? '').trim();
    expect(shownHead).toMatch(/^[0-9a-f]{64}$/);

    const [download] = await Promise.all([panel.waitForEvent('download'), panel.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^tandem-audit-.*\.jsonl$/);
    const file = join(sandbox.root, download.suggestedFilename());
    await download.saveAs(file);
    await expect.poll(() => panel.getByTestId('audit-export-result').getAttribute('data-ok')).toBe('true');

    const text = readFileSync(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ format: 'tandem-audit-log', rows: 2, algorithm: 'SHA-256' });
    expect(JSON.parse(lines[1] as string)).toMatchObject({ tool: 'clock', decision: 'auto', outcome: 'ok', threadId });
    expect(JSON.parse(lines[2] as string)).toMatchObject({
      tool: 'notify_user',
      decision: 'allowed',
      decidedBy: 'panel',
      outcome: 'ok',
    });

    const ok = verifyWithCli(file);
    expect(ok, ok.out).toMatchObject({ status: 0 });
    expect(ok.out).toBe(`OK: 2 rows, chain head ${shownHead}\n`);

    // Someone turns the allowed notification into an automatic one.
    const edited = join(sandbox.root, 'edited.jsonl');
    writeFileSync(edited, text.replace('"decision":"allowed"', '"decision":"auto"'));
    const bad = verifyWithCli(edited);
    expect(bad.status).toBe(1);
    expect(bad.out).toBe('FAIL: line 3: this row was changed (its hash does not match its content).\n');

    // The page's verifier: the same answers.
    const picker = panel.getByTestId('audit-verify-file');
    const result = panel.getByTestId('audit-verify-result');
    await picker.setInputFiles(file);
    await expect.poll(() => result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain('matches this browser’s audit log as it is now');
    await picker.setInputFiles(edited);
    await expect.poll(() => result.getAttribute('data-ok')).toBe('false');
    expect(await result.textContent()).toContain('line 3: this row was changed');
  });
});

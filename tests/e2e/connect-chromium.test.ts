/**
 * Connectors end to end in real Chromium: the built extension, the real native host installed into
 * the test profile, server-memory from npm as a local connector. The user pastes an `mcpServers`
 * block into Settings → Connectors (and is told what a local server means), tests the connection,
 * sees the tools, and the agent then uses one behind a permission card; the result reaches the
 * model as untrusted content and the server really stored it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { serverEntry } from '../support/mcp-servers';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { buildHostInto, installHost } from './support/native-host';
import { clientEvents, configureModel, newThreadFromUi, sendFromComposer, waitForClientEvent } from './support/panel';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;
let memoryFile: string;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('connect');
  const bundle = buildHostInto(sandbox.root);
  memoryFile = join(sandbox.root, 'memory.jsonl');
  browser = await launchExtensionBrowser(sandbox.root);
  await installHost(sandbox.root, bundle, { profileDirs: [browser.profileDir] });
  panel = await browser.openPanel();
  await configureModel(panel, server.url, server.apiKey);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

describe('connectors in Chromium', () => {
  it('a pasted mcpServers block becomes a connector whose tool the agent uses behind a permission card', async () => {
    if (!(await panel.getByTestId('settings-section-connectors').isVisible()))
      await panel.getByTestId('open-settings').click();
    await panel.getByTestId('settings-section-connectors').click();
    const json = JSON.stringify({
      mcpServers: {
        memory: {
          command: process.execPath,
          args: [serverEntry('server-memory')],
          env: { MEMORY_FILE_PATH: memoryFile },
        },
      },
    });
    await panel.getByTestId('connector-json').fill(json);
    expect(await panel.getByTestId('connector-local-warning').textContent()).toContain('with your user rights');
    await panel.getByTestId('connector-add').click();
    const row = panel.locator('[data-testid="connector-row"][data-id="memory"]');
    await row.waitFor();
    await row.getByTestId('connector-test').click();
    await expect
      .poll(() => row.getByTestId('connector-tool').count(), { timeout: 30_000, message: 'tools listed' })
      .toBeGreaterThan(3)
      .catch(async (error) => {
        throw new Error(`${error}: ${await panel.getByTestId('connectors-view').textContent()}`);
      });
    expect(await row.textContent()).toContain('delete_entities (destructive: asks every time)');

    await panel.getByTestId('open-settings').click();
    server.script([
      {
        kind: 'tool_use',
        name: 'mcp_memory__create_entities',
        input: { entities: [{ name: 'Ana', entityType: 'person', observations: ['likes tea'] }] },
      },
      { kind: 'text', text: 'Saved.' },
    ]);
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Remember Ana');
    await waitForClientEvent(panel, threadId, 'decision_requested');
    const card = panel.locator('[data-testid="decision-card"][data-topic="permission"]').last();
    expect(await card.textContent()).toContain('create_entities');
    await card.locator('[data-testid="decision-option"][data-option-id="allow_once"]').click();
    await waitForClientEvent(panel, threadId, 'task_finished', 1, 60_000);
    const events = await clientEvents(panel, threadId);
    const result = events.find((e): e is Extract<ThreadEvent, { kind: 'tool_result' }> => e.kind === 'tool_result');
    expect(result?.isError).toBe(false);
    const text = result?.content.map((b) => (b.type === 'text' ? b.text : '')).join('') ?? '';
    expect(text).toMatch(/^<untrusted_content source="mcp:memory\/create_entities">/);
    expect(readFileSync(memoryFile, 'utf8')).toContain('likes tea');
  }, 120_000);
});

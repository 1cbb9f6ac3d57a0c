/**
 * Local files end to end in real Chromium: the built extension, the real native
 * host installed into the test profile's NativeMessagingHosts/ (its settings and
 * trash in the sandbox), real native messaging, the scripted model driving the
 * file tools, and the Folders and Trash views clicked like a person would.
 *
 * The tests run in order on one browser: the bridge starts "not installed", is
 * installed, gets a folder through the Folders view, then the agent works in it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer, type Turn } from '../fixtures/model-server';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { buildHostInto, type InstalledHost, installHost } from './support/native-host';
import { clientEvents, configureModel, newThreadFromUi, sendFromComposer, waitForClientEvent } from './support/panel';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;
let bundle: string;
let host: InstalledHost | undefined;
/** The allowed folder (real path) and a folder next to it the agent must never reach. */
let work: string;
let outside: string;
/** A 1×1 PNG. */
const PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('files');
  bundle = buildHostInto(sandbox.root);
  work = join(realpathSync(sandbox.root), 'files', 'work');
  outside = join(realpathSync(sandbox.root), 'files', 'outside');
  mkdirSync(join(work, 'sub'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(work, 'notes.md'), '# Notes\n\nfirst line\nsecond line with a needle\n');
  writeFileSync(join(work, 'sub', 'todo.txt'), 'buy milk\nfind the needle\n');
  writeFileSync(join(outside, 'secret.txt'), 'outside secret\n');
  writeFileSync(join(work, 'pixel.png'), Buffer.from(PIXEL_PNG, 'base64'));
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await configureModel(panel, server.url, server.apiKey);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

beforeEach(() => server.reset());

async function openSettingsSection(id: 'folders' | 'trash'): Promise<void> {
  if (!(await panel.getByTestId(`settings-section-${id}`).isVisible()))
    await panel.getByTestId('open-settings').click();
  await panel.getByTestId(`settings-section-${id}`).click();
}

async function closeSettings(): Promise<void> {
  if (await panel.getByTestId('settings-section-folders').isVisible()) await panel.getByTestId('open-settings').click();
}

/** Runs one task in a new thread: the model follows `turns`; `decide` answers each permission question in order. */
async function runTask(
  turns: Turn[],
  decide: Array<{ optionId: string; expectTitle?: string }> = [],
): Promise<{
  threadId: string;
  results: Array<Extract<ThreadEvent, { kind: 'tool_result' }>>;
  /** Titles of every permission question the task raised. */
  titles: string[];
}> {
  await closeSettings();
  server.script(turns);
  const threadId = await newThreadFromUi(panel);
  await sendFromComposer(panel, 'Please work on my files.');
  for (const [i, answer] of decide.entries()) {
    await waitForClientEvent(panel, threadId, 'decision_requested', i + 1);
    const card = panel.locator('[data-testid="decision-card"][data-topic="permission"]').last();
    if (answer.expectTitle) expect(await card.locator('.title').textContent()).toContain(answer.expectTitle);
    await card.locator(`[data-testid="decision-option"][data-option-id="${answer.optionId}"]`).click();
  }
  await waitForClientEvent(panel, threadId, 'task_finished');
  const events = await clientEvents(panel, threadId);
  const results = events.filter((e): e is Extract<ThreadEvent, { kind: 'tool_result' }> => e.kind === 'tool_result');
  const titles = events.flatMap((e) => (e.kind === 'decision_requested' ? [e.title] : []));
  return { threadId, results, titles };
}

const textOf = (result: { content: Array<{ type: string; text?: string }> }) =>
  result.content.map((b) => b.text ?? '').join('\n');

describe('local files in Chromium', () => {
  it('shows "not installed" with the install command until the host is installed, then connects', async () => {
    await openSettingsSection('folders');
    const state = panel.getByTestId('bridge-state');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 15_000 }).toBe('not_installed');
    expect(await panel.getByTestId('install-command').textContent()).toContain('npm run host:install');
    await expect.poll(() => panel.getByTestId('copy-install-command').isVisible()).toBe(true);

    host = await installHost(sandbox.root, bundle, { profileDirs: [browser.profileDir] });
    await panel.getByTestId('bridge-retry').click();
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 15_000 }).toBe('connected');
    await expect.poll(() => panel.getByTestId('folders-empty').isVisible()).toBe(true);
  });

  it('adds a folder through the Folders view and lists it', async () => {
    await openSettingsSection('folders');
    await panel.getByTestId('folder-path').fill(work);
    await panel.getByTestId('folder-new-mode').selectOption('read-write');
    await panel.getByTestId('folder-add').click();
    const item = panel.locator('[data-testid="folder-item"][data-name="work"]');
    await expect.poll(() => item.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await item.getByTestId('folder-path-text').textContent()).toBe(work);
    expect(await item.getByTestId('folder-mode').inputValue()).toBe('read-write');
    // The host keeps the list itself.
    const config = JSON.parse(readFileSync(join(host?.hostHome ?? '', 'host-config.json'), 'utf8'));
    expect(JSON.stringify(config)).toContain(work);
  });

  it('lists, reads, writes, edits and searches in the allowed folder', async () => {
    const { results, titles } = await runTask(
      [
        { kind: 'tool_use', name: 'list_dir', input: {} },
        { kind: 'tool_use', name: 'list_dir', input: { path: 'work' } },
        { kind: 'tool_use', name: 'read_file', input: { path: 'work/notes.md' } },
        { kind: 'tool_use', name: 'write_file', input: { path: 'work/new.txt', content: 'written by the agent\n' } },
        {
          kind: 'tool_use',
          name: 'edit_file',
          input: { path: `${work}/notes.md`, oldText: 'first line', newText: 'first line, edited' },
        },
        { kind: 'tool_use', name: 'search', input: { path: 'work', contentQuery: 'needle' } },
        { kind: 'tool_use', name: 'read_file', input: { path: 'work/pixel.png' } },
        { kind: 'text', text: 'All done.' },
      ],
      // The write asks for the folder; "always" covers the edit after it.
      [{ optionId: 'allow_always', expectTitle: 'work/new.txt' }],
    );
    expect(titles).toHaveLength(1);
    const [folders, listing, read, write, edit, search, image] = results;
    expect(textOf(folders ?? { content: [] })).toContain(`work: ${work}`);
    expect(textOf(listing ?? { content: [] })).toMatch(/notes\.md[\s\S]*sub\//);
    const readText = textOf(read ?? { content: [] });
    expect(readText).toContain(`<untrusted_content source="${work}/notes.md">`);
    expect(readText).toContain('second line with a needle');
    expect(write?.isError).toBe(false);
    expect(readFileSync(join(work, 'new.txt'), 'utf8')).toBe('written by the agent\n');
    expect(edit?.isError).toBe(false);
    expect(edit?.display).toContain('+first line, edited');
    expect(readFileSync(join(work, 'notes.md'), 'utf8')).toContain('first line, edited\n');
    const found = textOf(search ?? { content: [] });
    expect(found).toContain('work/notes.md:4');
    expect(found).toContain('work/sub/todo.txt:2');
    // Images go to the model as image blocks.
    expect(image?.content.find((b) => b.type === 'image')).toMatchObject({
      source: { type: 'base64', media_type: 'image/png', data: PIXEL_PNG },
    });
    // The user sees the diff on the edit's tool card.
    const editCard = panel.locator('[data-testid="tool-card"]', { hasText: 'edit_file' }).last();
    await expect
      .poll(() => editCard.locator('pre[data-testid="tool-display"]').textContent())
      .toContain('first line, edited');
  });

  it('asks before deleting, naming the path: deny keeps the file, allow trashes it, restore brings it back', async () => {
    const target = join(work, 'new.txt');
    const denied = await runTask(
      [
        { kind: 'tool_use', name: 'delete', input: { paths: ['work/new.txt'] } },
        { kind: 'text', text: 'Understood.' },
      ],
      [{ optionId: 'deny', expectTitle: 'work/new.txt' }],
    );
    expect(denied.results[0]?.isError).toBe(true);
    expect(existsSync(target)).toBe(true);

    // Deleting asks every time, even after "Always" for writes in this folder.
    const allowed = await runTask(
      [
        { kind: 'tool_use', name: 'delete', input: { paths: ['work/new.txt'] } },
        { kind: 'text', text: 'Deleted.' },
      ],
      [{ optionId: 'allow_once', expectTitle: 'work/new.txt' }],
    );
    expect(allowed.results[0]?.isError).toBe(false);
    expect(existsSync(target)).toBe(false);
    const trashId = /trash id ([a-z0-9-]+)/.exec(textOf(allowed.results[0] ?? { content: [] }))?.[1];
    expect(trashId).toBeTruthy();

    const restored = await runTask([
      { kind: 'tool_use', name: 'restore', input: { entryId: trashId } },
      { kind: 'text', text: 'Restored.' },
    ]);
    expect(restored.results[0]?.isError).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('written by the agent\n');
  });

  it('refuses paths outside the allowed folders and leaves the outside file untouched', async () => {
    const secret = join(outside, 'secret.txt');
    const { results, titles } = await runTask([
      { kind: 'tool_use', name: 'read_file', input: { path: secret } },
      { kind: 'tool_use', name: 'read_file', input: { path: 'work/../outside/secret.txt' } },
      { kind: 'tool_use', name: 'write_file', input: { path: secret, content: 'overwritten', overwrite: true } },
      { kind: 'tool_use', name: 'delete', input: { paths: [`${work}/../outside/secret.txt`] } },
      { kind: 'text', text: 'I cannot reach that.' },
    ]);
    expect(titles).toEqual([]);
    expect(results.slice(0, 3).map((r) => r.isError)).toEqual([true, true, true]);
    for (const result of results.slice(0, 3)) expect(textOf(result)).toMatch(/Refused|outside/);
    expect(JSON.stringify(results)).not.toContain('outside secret');
    expect(readFileSync(secret, 'utf8')).toBe('outside secret\n');
  });

  it('lists trashed files in the Trash view, restores one and deletes one for good after confirming', async () => {
    writeFileSync(join(work, 'keep.txt'), 'keep me\n');
    writeFileSync(join(work, 'drop.txt'), 'drop me\n');
    const { titles } = await runTask(
      [
        { kind: 'tool_use', name: 'delete', input: { paths: ['work/keep.txt', 'work/drop.txt'] } },
        { kind: 'text', text: 'Both are in the trash.' },
      ],
      [{ optionId: 'allow_once' }],
    );
    expect(titles[0]).toContain('Delete 2 items');
    expect(existsSync(join(work, 'keep.txt'))).toBe(false);

    await openSettingsSection('trash');
    const keep = panel.locator('[data-testid="trash-item"][data-name="keep.txt"]');
    const drop = panel.locator('[data-testid="trash-item"][data-name="drop.txt"]');
    await expect.poll(() => keep.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await keep.getByTestId('trash-original-path').textContent()).toBe(join(work, 'keep.txt'));

    await keep.getByTestId('trash-restore').click();
    await expect.poll(() => keep.count(), { timeout: 10_000 }).toBe(0);
    expect(readFileSync(join(work, 'keep.txt'), 'utf8')).toBe('keep me\n');

    await drop.getByTestId('trash-purge').click();
    await expect.poll(() => drop.getByTestId('trash-purge-confirm').isVisible()).toBe(true);
    await drop.getByTestId('trash-purge-yes').click();
    await expect.poll(() => drop.count(), { timeout: 10_000 }).toBe(0);
    expect(existsSync(join(work, 'drop.txt'))).toBe(false);
    const trashFiles = JSON.stringify(readdirSync(join(host?.hostHome ?? '', 'trash'), { recursive: true }));
    expect(trashFiles).not.toContain('drop.txt');
  });
});

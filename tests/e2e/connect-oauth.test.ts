/**
 * A remote connector signed in with OAuth, end to end in real Chromium: the built extension, a
 * loopback MCP server with its own authorization server (tests/fixtures/mcp-oauth). The user adds
 * the server in Settings → Connectors and presses Sign in; `identity.launchWebAuthFlow` opens the
 * server's consent page in a window of its own, the user approves, and the agent then calls a tool
 * through the scripted model. When the short-lived access token expires the extension refreshes it
 * without asking; when the server revokes everything the next call is a tool error asking to sign
 * in again (and Settings says so) instead of a consent window popping up mid-task; Sign out deletes
 * the tokens. No token value ever reaches the model, the thread's log or a client message.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type OAuthMcpServer, startOAuthMcpServer } from '../fixtures/mcp-oauth/oauth-server';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { currentWorker, type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { clientEvents, configureModel, runtimeLog } from './support/panel';
import { newThread, sendMessage } from './support/web-session';

let model: ModelServer;
let notes: OAuthMcpServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;
const threads: string[] = [];

beforeAll(async () => {
  model = await startModelServer({ minCacheableTokens: 0 });
  notes = await startOAuthMcpServer();
  sandbox = makeSandbox('connect-oauth');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  // Every message the panel receives from the runtime, kept for the token scan at the end.
  await panel.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenMessages: string[] }).seenMessages = seen;
    window.tandem?.client.onMessage((message) => seen.push(JSON.stringify(message)));
  });
  await configureModel(panel, model.url, model.apiKey);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await notes?.close();
  await model?.close();
  sandbox?.cleanup();
});

const row = () => panel.locator('[data-testid="connector-row"][data-id="notes"]');

async function openConnectors(): Promise<void> {
  if (!(await panel.getByTestId('settings-section-connectors').isVisible()))
    await panel.getByTestId('open-settings').click();
  await panel.getByTestId('settings-section-connectors').click();
}

/** The OAuth state the extension keeps for the connector, read from the profile in the worker. */
async function storedOAuth(): Promise<Record<string, unknown> | undefined> {
  const worker = await currentWorker(browser.context);
  return worker.evaluate(async () => {
    const { db } = (globalThis as unknown as { tandem: { db: { kv: { get(key: string): Promise<unknown> } } } }).tandem;
    const row = (await db.kv.get('connectors:oauth:notes')) as { value?: Record<string, unknown> } | undefined;
    return row?.value;
  });
}

/** Runs one task in which the scripted model calls list_notes once; returns the tool result. */
async function callListNotes(): Promise<{ isError: boolean; text: string }> {
  model.script([
    { kind: 'tool_use', name: 'mcp_notes__list_notes', input: {} },
    { kind: 'text', text: 'Done.' },
  ]);
  const threadId = await newThread(panel);
  threads.push(threadId);
  await sendMessage(panel, threadId, 'What are my notes?');
  const deadline = Date.now() + 60_000;
  const answered = new Set<string>();
  for (;;) {
    const all = await clientEvents(panel, threadId);
    for (const prompt of all) {
      if (prompt.kind !== 'decision_requested' || answered.has(prompt.decisionId)) continue;
      answered.add(prompt.decisionId);
      await panel.evaluate(
        ({ threadId, decisionId }) =>
          window.tandem?.client.send({ type: 'decision.answer', threadId, decisionId, optionId: 'allow_tool' }),
        { threadId, decisionId: prompt.decisionId },
      );
    }
    if (all.some((e) => e.kind === 'task_finished')) {
      const result = all.find((e): e is Extract<ThreadEvent, { kind: 'tool_result' }> => e.kind === 'tool_result');
      if (!result) throw new Error(`No tool result: ${all.map((e) => e.kind).join(', ')}`);
      return { isError: result.isError, text: result.content.map((b) => (b.type === 'text' ? b.text : '')).join('') };
    }
    if (Date.now() > deadline) throw new Error(`The task did not finish: ${all.map((e) => e.kind).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The authorization server's consent page, in the window launchWebAuthFlow opens (not any other tab). */
function consentPage(): Promise<Page> {
  return browser.context.waitForEvent('page', {
    timeout: 20_000,
    predicate: async (page) => {
      await page.waitForLoadState('domcontentloaded');
      return page.url().startsWith(`${notes.origin}/authorize`);
    },
  });
}

const count = (kind: string) => notes.events.filter((e) => e.kind === kind).length;

describe('OAuth connectors in Chromium', () => {
  it('signs in through the consent page launchWebAuthFlow opens, and the agent calls a tool', async () => {
    await openConnectors();
    await panel.getByTestId('connector-json').fill(JSON.stringify({ mcpServers: { notes: { url: notes.mcpUrl } } }));
    await panel.getByTestId('connector-add').click();
    await row().waitFor();
    const consent = consentPage();
    await row().getByTestId('connector-sign-in').click();
    const page = await consent;
    await page.waitForLoadState();
    expect(page.url()).toContain(`${notes.origin}/authorize`);
    // PKCE with S256, a fresh state and the resource indicator, to the redirect URI of the browser's own flow.
    const asked = new URL(page.url());
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    expect(asked.searchParams.get('state')).toMatch(/^[0-9a-f]{32}$/);
    expect(asked.searchParams.get('resource')).toBe(notes.mcpUrl);
    expect(asked.searchParams.get('redirect_uri')).toBe(`https://${browser.extensionId}.chromiumapp.org/mcp`);
    await page.locator('#approve').click();
    await expect
      .poll(() => row().getByTestId('connector-tool').count(), { timeout: 30_000, message: 'tools listed' })
      .toBe(2);
    expect(notes.events.map((e) => e.kind).slice(0, 5)).toEqual([
      'mcp',
      'register',
      'consent_shown',
      'approved',
      'code_exchanged',
    ]);
    const stored = await storedOAuth();
    expect(stored?.tokens).toBeDefined();

    await panel.getByTestId('open-settings').click();
    const result = await callListNotes();
    expect(result.isError).toBe(false);
    expect(result.text).toContain('buy tea');
  }, 90_000);

  it('refreshes an expired access token without asking the user', async () => {
    const consents = count('consent_shown');
    const before = count('refreshed');
    notes.expireAccessTokens();
    const result = await callListNotes();
    expect(result.isError).toBe(false);
    expect(result.text).toContain('buy tea');
    expect(count('refreshed')).toBe(before + 1);
    expect(count('consent_shown')).toBe(consents);
  }, 90_000);

  it('after the server revokes the tokens the next call asks the user to sign in again, without a window mid-task', async () => {
    const consents = count('consent_shown');
    const pages = browser.context.pages().length;
    notes.revokeAll();
    const result = await callListNotes();
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/sign in again/i);
    expect(result.text).toContain('Settings → Connectors');
    // No consent window opened by a tool call (a phone or a schedule may have started the task).
    expect(count('consent_shown')).toBe(consents);
    expect(browser.context.pages().length).toBe(pages);
    await openConnectors();
    await expect.poll(() => row().getByTestId('connector-error').textContent()).toMatch(/sign in again/i);
  }, 90_000);

  it('signing in again from Settings works, and Sign out deletes the tokens and revokes them at the server', async () => {
    const consent = consentPage();
    await row().getByTestId('connector-sign-in').click();
    const page = await consent;
    await page.locator('#approve').click();
    await expect.poll(async () => (await storedOAuth())?.tokens !== undefined, { timeout: 20_000 }).toBe(true);
    await expect.poll(() => row().getByTestId('connector-error').count()).toBe(0);
    await row().getByTestId('connector-sign-out').click();
    await expect.poll(async () => (await storedOAuth())?.tokens, { timeout: 10_000 }).toBeUndefined();
    // The server is told too (RFC 7009), so a copy of the tokens elsewhere is worthless.
    await expect.poll(() => notes.liveAccessTokens(), { timeout: 10_000 }).toBe(0);
    expect(notes.events.filter((e) => e.kind === 'revoked' && e.by === 'client').length).toBe(2);
  }, 90_000);

  it('a consent the user denies leaves the connector signed out and says so', async () => {
    const consent = consentPage();
    await row().getByTestId('connector-sign-in').click();
    await (await consent).locator('#deny').click();
    await expect
      .poll(() => row().getByTestId('connector-error').textContent(), { timeout: 20_000 })
      .toContain('Sign-in refused: The user said no.');
    expect((await storedOAuth())?.tokens).toBeUndefined();
    expect(count('denied')).toBe(1);
  }, 60_000);

  it("closing the consent window ends the sign-in with the browser's words", async () => {
    const consent = consentPage();
    await row().getByTestId('connector-sign-in').click();
    await (await consent).close();
    await expect
      .poll(() => row().getByTestId('connector-error').textContent(), { timeout: 20_000 })
      .toMatch(/did not approve/i);
    expect((await storedOAuth())?.tokens).toBeUndefined();
  }, 60_000);

  it('no token ever reaches the model, a thread log or a message to a client', async () => {
    const tokens = notes.issued();
    expect(tokens.length).toBeGreaterThanOrEqual(6);
    const haystacks: Record<string, string> = {
      'model requests': JSON.stringify(model.requests),
      'runtime messages to the panel': (
        await panel.evaluate(() => (window as unknown as { seenMessages: string[] }).seenMessages)
      ).join('\n'),
    };
    for (const id of threads) haystacks[`thread ${id} log`] = JSON.stringify(await runtimeLog(browser.context, id));
    expect(haystacks['model requests']).toContain('buy tea');
    for (const [where, text] of Object.entries(haystacks))
      for (const token of tokens) expect(text.includes(token), `a token in ${where}`).toBe(false);
  }, 60_000);
});

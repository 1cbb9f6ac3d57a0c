/**
 * Helpers for the web-access end-to-end tests: the built extension in Chromium,
 * the scripted model server, the local test sites, and the side panel's
 * `ConversationClient` (window.tandem.client) to drive the runtime exactly as
 * the panel does: same commands, same protocol.
 */
import type { Page } from 'playwright-core';
import type { SiteEntry, ThreadEvent, ThreadEventOf } from '../../../shared/protocol';
import {
  lastToolResults,
  type ModelServer,
  type RespondTurn,
  startModelServer,
  type ToolResultSeen,
} from '../../fixtures/model-server';
import { startTestSites, type TestSites } from '../../fixtures/sites';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './chromium';
import { configureModel } from './panel';

export interface WebSession {
  server: ModelServer;
  sites: TestSites;
  sandbox: ReturnType<typeof makeSandbox>;
  browser: ExtensionBrowser;
  panel: Page;
  /** Closes and relaunches the browser on the same profile (a browser restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebSession(name: string): Promise<WebSession> {
  const server = await startModelServer({ minCacheableTokens: 0 });
  const sites = await startTestSites();
  const sandbox = makeSandbox(name);
  let browser: ExtensionBrowser;
  try {
    browser = await launchExtensionBrowser(sandbox.root);
  } catch (error) {
    // The caller never gets a session to close: leave no servers or profile behind.
    await server.close();
    await sites.close();
    sandbox.cleanup();
    throw error;
  }
  const session: WebSession = {
    server,
    sites,
    sandbox,
    browser,
    panel: undefined as unknown as Page,
    async restart() {
      await session.browser.close();
      session.browser = await launchExtensionBrowser(sandbox.root, sandbox.profileDir);
      session.panel = await session.browser.openPanel();
    },
    async close() {
      await session.browser?.close().catch(() => {});
      await server.close();
      await sites.close();
      sandbox.cleanup();
    },
  };
  session.panel = await session.browser.openPanel();
  await configureModel(session.panel, server.url, server.apiKey);
  return session;
}

export async function setSiteRule(panel: Page, pattern: string, effect: 'allow' | 'deny'): Promise<void> {
  await panel.evaluate(({ pattern, effect }) => window.tandem?.client.send({ type: 'sites.set', pattern, effect }), {
    pattern,
    effect,
  });
}

export async function removeSiteRule(panel: Page, pattern: string): Promise<void> {
  await panel.evaluate((pattern) => window.tandem?.client.send({ type: 'sites.remove', pattern }), pattern);
}

/** The Sites list as the runtime sends it (a `sites` message). */
export async function listSites(panel: Page): Promise<SiteEntry[]> {
  return panel.evaluate(async () => {
    const client = window.tandem?.client;
    await client?.send({ type: 'sites.list' });
    return client?.sites ?? [];
  });
}

export async function newThread(panel: Page): Promise<string> {
  const id = await panel.evaluate(async () => {
    const client = window.tandem?.client;
    const threadId = await client?.send({ type: 'thread.create' });
    if (threadId) client?.subscribe(threadId);
    return threadId;
  });
  if (!id) throw new Error('thread.create gave no id');
  return id;
}

export async function sendMessage(panel: Page, threadId: string, text: string): Promise<void> {
  await panel.evaluate(({ threadId, text }) => window.tandem?.client.send({ type: 'message.send', threadId, text }), {
    threadId,
    text,
  });
}

export function events(panel: Page, threadId: string): Promise<ThreadEvent[]> {
  return panel.evaluate((id) => {
    const client = window.tandem?.client;
    client?.subscribe(id);
    return [...(client?.events(id) ?? [])];
  }, threadId);
}

/** Waits for the `count`-th event of a kind in a thread and returns it. */
export async function waitForKind<K extends ThreadEvent['kind']>(
  panel: Page,
  threadId: string,
  kind: K,
  count = 1,
  timeout = 30_000,
): Promise<ThreadEventOf<K>> {
  try {
    await panel.waitForFunction(
      ({ id, kind, count }) => {
        const client = window.tandem?.client;
        client?.subscribe(id);
        return (client?.events(id) ?? []).filter((e) => e.kind === kind).length >= count;
      },
      { id: threadId, kind, count },
      { timeout, polling: 50 },
    );
  } catch (error) {
    // Say what did happen: a timeout alone says nothing about why.
    throw new Error(
      `No ${kind} #${count} in thread ${threadId}. The thread so far:\n${describeEvents(await events(panel, threadId))}`,
      {
        cause: error,
      },
    );
  }
  const found = (await events(panel, threadId)).filter((e): e is ThreadEventOf<K> => e.kind === kind);
  const event = found[count - 1];
  if (!event) throw new Error(`No ${kind} #${count}`);
  return event;
}

export function describeEvents(all: readonly ThreadEvent[]): string {
  return all
    .map((e) => {
      if (e.kind === 'tool_result')
        return `${e.seq} tool_result ${e.name}${e.isError ? ' (error)' : ''}: ${resultText(e).slice(0, 200)}`;
      if (e.kind === 'decision_requested') return `${e.seq} decision_requested: ${e.title}`;
      if (e.kind === 'assistant_message') return `${e.seq} assistant: ${JSON.stringify(e.content).slice(0, 200)}`;
      if (e.kind === 'error' || e.kind === 'retry_scheduled') return `${e.seq} ${e.kind}: ${e.message.slice(0, 200)}`;
      return `${e.seq} ${e.kind}`;
    })
    .join('\n');
}

export async function answer(panel: Page, threadId: string, decisionId: string, optionId: string): Promise<void> {
  await panel.evaluate(
    ({ threadId, decisionId, optionId }) =>
      window.tandem?.client.send({ type: 'decision.answer', threadId, decisionId, optionId }),
    { threadId, decisionId, optionId },
  );
}

/** Answers the `count`-th permission prompt of a thread with `optionId`; returns the prompt. */
export async function answerPrompt(
  panel: Page,
  threadId: string,
  count: number,
  optionId: string,
): Promise<ThreadEventOf<'decision_requested'>> {
  const decision = await waitForKind(panel, threadId, 'decision_requested', count);
  await answer(panel, threadId, decision.decisionId, optionId);
  return decision;
}

export function toolResults(all: readonly ThreadEvent[]): Array<ThreadEventOf<'tool_result'>> {
  return all.filter((e): e is ThreadEventOf<'tool_result'> => e.kind === 'tool_result');
}

export function resultText(result: ThreadEventOf<'tool_result'>): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('\n');
}

/** A scripted turn computed from the last tool result (e.g. to pick a ref from read_page). */
export function respondFromLastResult(
  make: (result: ToolResultSeen | undefined) => { name: string; input: Record<string, unknown> },
): RespondTurn {
  return {
    kind: 'respond',
    respond: (request) => {
      const { name, input } = make(lastToolResults(request)[0]);
      return { kind: 'tool_use', name, input };
    },
  };
}

/** The ref read_page gave an element, found by its role and name. */
export function refFor(readPage: string | undefined, role: string, name: string): string {
  const line = (readPage ?? '').split('\n').find((l) => l.includes(`] ${role} ${JSON.stringify(name)}`));
  const ref = line?.match(/^\[(e\d+)\]/)?.[1];
  if (!ref) throw new Error(`No ${role} "${name}" in read_page output:\n${readPage?.slice(0, 3_000)}`);
  return ref;
}

/** The tab id from a tab_open result ("Opened tab 123 is at …"). */
export function tabFrom(result: ToolResultSeen | undefined): number {
  const id = result?.text.match(/tab (\d+)/)?.[1];
  if (!id) throw new Error(`No tab id in: ${result?.text}`);
  return Number(id);
}

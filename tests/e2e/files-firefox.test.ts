/**
 * Local files in real Firefox ESR: the real host installed as for a user (manifest in
 * $HOME/.mozilla/native-messaging-hosts/ with allowed_extensions), started by Firefox
 * over native messaging from the MV3 background page; the agent lists and reads, and
 * uploads a file into a page (the page's own hash of what it got is checked).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer, type Turn } from '../fixtures/model-server';
import { startTestSites, type TestSites } from '../fixtures/sites';
import { makeSandbox } from './support/chromium';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';
import { buildHostInto, installHost } from './support/native-host';
import { refFor, resultText, toolResults } from './support/web-session';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let firefox: FirefoxExtensionBrowser;
let work: string;
let sites: TestSites;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sites = await startTestSites();
  sandbox = makeSandbox('files-firefox');
  work = join(realpathSync(sandbox.root), 'files', 'work');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'hello.md'), 'Hello from a local file in Firefox.\n');
  await installHost(sandbox.root, buildHostInto(sandbox.root), { browsers: ['firefox'] });
  firefox = await launchFirefoxWithExtension(sandbox.root);
});

afterAll(async () => {
  await firefox?.close();
  await server?.close();
  await sites?.close();
  sandbox?.cleanup();
});

describe('local files in Firefox', () => {
  it('connects to the host over native messaging; the agent lists and reads an allowed folder', async () => {
    const { panel } = firefox;
    await panel.evaluate(
      (baseUrl, apiKey) =>
        window.tandem?.client.send({ type: 'settings.update', patch: { baseUrl, apiKey, notifyOnFinish: false } }),
      server.url,
      server.apiKey,
    );
    await panel.evaluate((path) => window.tandem?.client.send({ type: 'folders.add', path, mode: 'read' }), work);
    server.script([
      { kind: 'tool_use', name: 'list_dir', input: { path: 'work' } },
      { kind: 'tool_use', name: 'read_file', input: { path: 'work/hello.md' } },
      { kind: 'text', text: 'Read it.' },
    ]);
    const threadId = await panel.evaluate(async () => {
      const client = window.tandem?.client;
      const id = (await client?.send({ type: 'thread.create' })) ?? '';
      client?.subscribe(id);
      await client?.send({ type: 'message.send', threadId: id, text: 'Read my file' });
      return id;
    });
    await panel.waitForFunction(
      (id) => (window.tandem?.client.events(id) ?? []).some((e) => e.kind === 'task_finished'),
      { timeout: 30_000 },
      threadId,
    );
    const events: ThreadEvent[] = await panel.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
    const results = events.filter((e): e is Extract<ThreadEvent, { kind: 'tool_result' }> => e.kind === 'tool_result');
    expect(results.map((r) => r.isError)).toEqual([false, false]);
    expect(JSON.stringify(results[0]?.content)).toContain('hello.md');
    expect(JSON.stringify(results[1]?.content)).toContain('Hello from a local file in Firefox.');
  });
});

describe('file upload in Firefox', () => {
  it('uploads a file from the allowed folder into a page after the user confirms', async () => {
    const { panel } = firefox;
    const photo = join(work, 'photo.jpg');
    // Over one page staging chunk (2 MiB), so it is handed over in parts.
    const bytes = Buffer.alloc(2_300_000, 0);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 10)) & 0xff;
    bytes.set([0xff, 0xd8, 0xff], 0);
    writeFileSync(photo, bytes);
    await panel.evaluate(
      (allowed) => window.tandem?.client.send({ type: 'sites.set', pattern: allowed, effect: 'allow' }),
      sites.allowed.url,
    );
    const state = { tab: -1, page: '' };
    const step = (name: string, input: () => Record<string, unknown>): Turn => ({
      kind: 'respond',
      respond: (request) => {
        const last = request.messages.at(-1);
        const block =
          last && typeof last.content !== 'string' ? last.content.find((b) => b.type === 'tool_result') : undefined;
        const content = block?.type === 'tool_result' ? block.content : undefined;
        const text =
          typeof content === 'string'
            ? content
            : (content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');
        const tab = text.match(/Opened tab (\d+)/)?.[1];
        if (tab) state.tab = Number(tab);
        if (text.includes('Interactive elements')) state.page = text;
        return { kind: 'tool_use', name, input: input() };
      },
    });
    server.script([
      { kind: 'tool_use', name: 'tab_open', input: { url: `${sites.allowed.url}/upload` } },
      step('read_page', () => ({ tab: state.tab })),
      step('upload_file', () => ({
        tab: state.tab,
        ref: refFor(state.page, 'file', 'Photos'),
        paths: ['work/photo.jpg'],
      })),
      { kind: 'text', text: 'Uploaded.' },
    ]);
    const threadId = await panel.evaluate(async () => {
      const client = window.tandem?.client;
      const id = (await client?.send({ type: 'thread.create' })) ?? '';
      client?.subscribe(id);
      await client?.send({ type: 'message.send', threadId: id, text: 'Upload my photo' });
      return id;
    });
    const prompt = await panel.waitForFunction(
      (id) => (window.tandem?.client.events(id) ?? []).find((e) => e.kind === 'decision_requested'),
      { timeout: 60_000 },
      threadId,
    );
    const decision = (await prompt.jsonValue()) as Extract<ThreadEvent, { kind: 'decision_requested' }>;
    expect(decision.title).toContain('photo.jpg');
    expect(decision.title).toContain(new URL(sites.allowed.url).host);
    await panel.evaluate((a) => window.tandem?.client.send({ type: 'decision.answer', ...a, optionId: 'allow_once' }), {
      threadId,
      decisionId: decision.decisionId,
    });
    await panel.waitForFunction(
      (id) => (window.tandem?.client.events(id) ?? []).some((e) => e.kind === 'task_finished'),
      { timeout: 60_000 },
      threadId,
    );
    const events: ThreadEvent[] = await panel.evaluate((id) => [...(window.tandem?.client.events(id) ?? [])], threadId);
    expect(toolResults(events).map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    let received: unknown;
    for (const page of (await firefox.browser.pages()).reverse()) {
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (!href || new URL(href).pathname !== '/upload') continue;
      await page.waitForFunction(
        () => (window as unknown as { uploadState: { pending: number } }).uploadState.pending === 0,
      );
      received = await page.evaluate(() => {
        const s = (window as unknown as { uploadState: { photos: unknown; events: unknown } }).uploadState;
        return { photos: s.photos, events: s.events };
      });
      break;
    }
    expect(received).toEqual({
      photos: [
        {
          name: 'photo.jpg',
          size: bytes.length,
          type: 'image/jpeg',
          sha256: createHash('sha256').update(readFileSync(photo)).digest('hex'),
        },
      ],
      events: ['photos:input', 'photos:change:1'],
    });
  });
});

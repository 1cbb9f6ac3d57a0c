/**
 * Local files in real Firefox ESR: the real host installed as for a user (manifest in
 * $HOME/.mozilla/native-messaging-hosts/ with allowed_extensions), started by Firefox
 * over native messaging from the MV3 background page; the agent lists and reads.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { makeSandbox } from './support/chromium';
import { type FirefoxExtensionBrowser, launchFirefoxWithExtension } from './support/firefox';
import { buildHostInto, installHost } from './support/native-host';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let firefox: FirefoxExtensionBrowser;
let work: string;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
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

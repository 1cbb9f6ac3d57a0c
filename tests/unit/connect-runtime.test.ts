/**
 * Connectors in the real runtime (Node, in-memory IndexedDB) with the real native host and real MCP
 * servers from npm, driven by the scripted model: a pasted config adds a connector (from the panel
 * only), its tools reach the model, every call passes the gate (a phone may answer), results come
 * back as untrusted content, the audit log names the connector, and a hung call ends as a tool error
 * while the task goes on.
 */
import 'fake-indexeddb/auto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AssembledRuntime, assembleRuntime } from '../../extension/runtime/assemble';
import { buildHost, removeScratch, tempDir } from '../../native-host/test/helpers/host-process';
import type { RuntimeMessage, ThreadEvent } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { serverEntry } from '../support/mcp-servers';
import { realHostConnector } from '../support/real-host-connector';
import { connect, newThread, type TestClient } from '../support/runtime-harness';

let server: ModelServer;
let bundle: string;
const children: ChildProcessWithoutNullStreams[] = [];
const runtimes: AssembledRuntime[] = [];

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  bundle = buildHost();
}, 60_000);
afterAll(async () => {
  for (const r of runtimes) await r.connectors.closeAll();
  for (const r of runtimes) r.files?.bridge.close();
  for (const child of children) child.kill();
  server.close();
  removeScratch();
});
beforeEach(() => server.reset());

async function setup(callTimeoutMs?: number) {
  const assembled = assembleRuntime({
    databaseName: `connect-runtime-${Math.random()}`,
    nativeMessaging: realHostConnector(bundle, tempDir('home'), children),
    ...(callTimeoutMs ? { connectors: { callTimeoutMs } } : {}),
  });
  runtimes.push(assembled);
  await assembled.settings.update({ apiKey: server.apiKey, baseUrl: server.url, model: 'claude-sonnet-5-5' });
  const panel = connect(assembled, 'panel');
  const threadId = await newThread(panel);
  return { assembled, panel, threadId };
}

function memoryConfig(): string {
  const file = path.join(tempDir('memory'), 'memory.jsonl');
  return JSON.stringify({
    mcpServers: {
      memory: { command: process.execPath, args: [serverEntry('server-memory')], env: { MEMORY_FILE_PATH: file } },
    },
  });
}

const DEVICE = { deviceId: 'f'.repeat(64), deviceName: 'Test phone' };
function phone(assembled: AssembledRuntime) {
  const messages: RuntimeMessage[] = [];
  const attach = assembled.runtime.attach as (
    kind: 'phone',
    send: (m: RuntimeMessage) => void,
    device: { deviceId: string; deviceName: string },
  ) => ReturnType<AssembledRuntime['runtime']['attach']>;
  const attached = attach.call(assembled.runtime, 'phone', (m) => messages.push(structuredClone(m)), DEVICE);
  let n = 0;
  return {
    messages,
    async command(command: Record<string, unknown>) {
      const id = `phone-${++n}`;
      await attached.receive({ ...command, id });
      return messages.findLast((m) => (m.type === 'ack' || m.type === 'error') && m.commandId === id);
    },
  };
}

async function addMemory(panel: TestClient) {
  expect(await panel.command({ type: 'connectors.add', json: memoryConfig() })).toMatchObject({ type: 'ack' });
  expect(await panel.command({ type: 'connectors.test', connectorId: 'memory' })).toMatchObject({ type: 'ack' });
}

const decision = (panel: TestClient, threadId: string, after = 0) =>
  panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested' && e.seq > after, 20_000);

describe('connectors in the runtime', () => {
  it('a phone cannot add, test or remove a connector; the panel can, and the model then sees its tools', async () => {
    const { assembled, panel } = await setup();
    const p = phone(assembled);
    for (const command of [
      { type: 'connectors.add', json: memoryConfig() },
      { type: 'connectors.list' },
      { type: 'connectors.remove', connectorId: 'memory' },
      { type: 'connectors.setTool', connectorId: 'memory', tool: 'read_graph', enabled: true },
    ])
      expect(await p.command(command)).toMatchObject({ type: 'error', code: 'not_allowed' });
    expect(await assembled.connectors.views()).toEqual([]);
    expect(p.messages.some((m) => m.type === 'connectors')).toBe(false);

    await addMemory(panel);
    const view = panel.messages.findLast((m) => m.type === 'connectors');
    expect(view).toMatchObject({ connectors: [{ id: 'memory', kind: 'stdio', envKeys: ['MEMORY_FILE_PATH'] }] });
    expect(JSON.stringify(view)).not.toContain('memory.jsonl');
    const names = assembled.tools.specs().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['mcp_memory__create_entities', 'mcp_memory__read_graph']));

    // Switching a tool off takes it away from the model.
    await panel.command({ type: 'connectors.setTool', connectorId: 'memory', tool: 'read_graph', enabled: false });
    expect(assembled.tools.specs().map((s) => s.name)).not.toContain('mcp_memory__read_graph');
    await panel.command({ type: 'connectors.remove', connectorId: 'memory' });
    expect(
      assembled.tools
        .specs()
        .map((s) => s.name)
        .filter((n) => n.startsWith('mcp_')),
    ).toEqual([]);
  }, 60_000);

  it('after a restart, the first model call already has the connectors’ tools (they load before the loop runs)', async () => {
    const databaseName = `connect-restart-${Math.random()}`;
    const first = assembleRuntime({
      databaseName,
      nativeMessaging: realHostConnector(bundle, tempDir('home'), children),
    });
    runtimes.push(first);
    await first.settings.update({ apiKey: server.apiKey, baseUrl: server.url, model: 'claude-sonnet-5-5' });
    await addMemory(connect(first, 'panel'));
    await first.connectors.closeAll();

    // The browser starts again and a message arrives at once (a phone's outbox, a schedule).
    const second = assembleRuntime({
      databaseName,
      nativeMessaging: realHostConnector(bundle, tempDir('home'), children),
    });
    runtimes.push(second);
    const panel = connect(second, 'panel');
    const threadId = await newThread(panel);
    server.script([{ kind: 'text', text: 'Hello.' }]);
    await panel.command({ type: 'message.send', threadId, text: 'What can you use?' });
    await server.waitForRequests(1);
    const tools = server.requests.at(-1)?.body?.tools?.map((t) => t.name) ?? [];
    expect(tools).toEqual(expect.arrayContaining(['mcp_memory__read_graph']));
  }, 60_000);

  it('a phone answers a connector prompt; the result is untrusted; the audit names connector, tool, input, decision, outcome', async () => {
    const { assembled, panel, threadId } = await setup();
    await addMemory(panel);
    const input = { entities: [{ name: 'Ana', entityType: 'person', observations: ['likes tea'] }] };
    server.script([
      { kind: 'tool_use', name: 'mcp_memory__create_entities', input },
      { kind: 'text', text: 'Saved.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Remember Ana' });
    const asked = await decision(panel, threadId);
    if (asked.kind !== 'decision_requested') throw new Error('unreachable');
    expect(asked.title).toContain('memory');
    expect(asked.options.map((o) => [o.id, o.persistent])).toEqual([
      ['allow_once', false],
      ['allow_tool', true],
      ['deny', false],
      ['deny_always', true],
    ]);
    const p = phone(assembled);
    const base = { type: 'decision.answer', threadId, decisionId: asked.decisionId };
    expect(await p.command({ ...base, optionId: 'allow_tool' })).toMatchObject({ type: 'error', code: 'not_allowed' });
    expect(await p.command({ ...base, optionId: 'allow_once' })).toMatchObject({ type: 'ack' });
    const result = (await panel.waitForEvent(threadId, (e) => e.kind === 'tool_result', 20_000)) as Extract<
      ThreadEvent,
      { kind: 'tool_result' }
    >;
    expect(result.isError).toBe(false);
    const text = result.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toMatch(/^<untrusted_content source="mcp:memory\/create_entities">/);
    expect(text).toContain('likes tea');
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished', 20_000);
    const [entry] = await assembled.audit.list(threadId, 10);
    expect(entry).toMatchObject({
      tool: 'mcp_memory__create_entities',
      connector: 'memory',
      input,
      decision: 'allowed',
      decidedBy: 'phone',
      outcome: 'ok',
    });
  }, 60_000);

  it('a destructive tool asks every time, and "always" for one tool does not cover another', async () => {
    const { panel, threadId } = await setup();
    await addMemory(panel);
    server.script([
      { kind: 'tool_use', name: 'mcp_memory__create_entities', input: { entities: [] } },
      { kind: 'tool_use', name: 'mcp_memory__add_observations', input: { observations: [] } },
      { kind: 'tool_use', name: 'mcp_memory__delete_entities', input: { entityNames: ['x'] } },
      { kind: 'tool_use', name: 'mcp_memory__delete_entities', input: { entityNames: ['y'] } },
      { kind: 'text', text: 'Done.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Tidy up' });
    const answer = async (after: number, optionId: string) => {
      const asked = await decision(panel, threadId, after);
      if (asked.kind !== 'decision_requested') throw new Error('unreachable');
      expect(
        await panel.command({ type: 'decision.answer', threadId, decisionId: asked.decisionId, optionId }),
      ).toMatchObject({ type: 'ack' });
      return asked;
    };
    const first = await answer(0, 'allow_tool');
    // Another tool of the same connector still asks.
    const second = await answer(first.seq, 'allow_once');
    expect(second.title).toContain('add_observations');
    const third = await answer(second.seq, 'allow_once');
    expect(third.title).toContain('destructive');
    expect(third.options.map((o) => o.id)).toEqual(['allow_once', 'deny']);
    // The same destructive tool again, in the same task: asked again.
    const fourth = await answer(third.seq, 'deny');
    expect(fourth.title).toContain('delete_entities');
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished', 20_000);
  }, 60_000);

  it('a call that hangs ends as a tool error and the task goes on', async () => {
    const { panel, threadId } = await setup(1500);
    const json = JSON.stringify({
      mcpServers: { everything: { command: process.execPath, args: [serverEntry('server-everything'), 'stdio'] } },
    });
    expect(await panel.command({ type: 'connectors.add', json })).toMatchObject({ type: 'ack' });
    expect(await panel.command({ type: 'connectors.test', connectorId: 'everything' })).toMatchObject({ type: 'ack' });
    server.script([
      { kind: 'tool_use', name: 'mcp_everything__trigger-long-running-operation', input: { duration: 30, steps: 3 } },
      { kind: 'text', text: 'It timed out; moving on.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Run the long thing' });
    const asked = await decision(panel, threadId);
    if (asked.kind !== 'decision_requested') throw new Error('unreachable');
    await panel.command({ type: 'decision.answer', threadId, decisionId: asked.decisionId, optionId: 'allow_once' });
    const result = (await panel.waitForEvent(threadId, (e) => e.kind === 'tool_result', 20_000)) as Extract<
      ThreadEvent,
      { kind: 'tool_result' }
    >;
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('did not answer within 2 s');
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished', 20_000);
  }, 60_000);

  it('the model reads a connector resource through the read tool, as untrusted content', async () => {
    const { assembled, panel, threadId } = await setup();
    const json = JSON.stringify({
      mcpServers: { everything: { command: process.execPath, args: [serverEntry('server-everything'), 'stdio'] } },
    });
    await panel.command({ type: 'connectors.add', json });
    expect(await panel.command({ type: 'connectors.test', connectorId: 'everything' })).toMatchObject({ type: 'ack' });
    expect(assembled.tools.specs().map((s) => s.name)).toContain('mcp_everything___read_resource');
    server.script([
      { kind: 'tool_use', name: 'mcp_everything___read_resource', input: { uri: 'demo://resource/dynamic/text/1' } },
      { kind: 'text', text: 'Read it.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Read resource 1' });
    const asked = await decision(panel, threadId);
    if (asked.kind !== 'decision_requested') throw new Error('unreachable');
    // Reading is read-only: the connector-wide read-only grant is on offer.
    expect(asked.options.map((o) => o.id)).toContain('allow_read_only');
    await panel.command({
      type: 'decision.answer',
      threadId,
      decisionId: asked.decisionId,
      optionId: 'allow_read_only',
    });
    const result = (await panel.waitForEvent(threadId, (e) => e.kind === 'tool_result', 20_000)) as Extract<
      ThreadEvent,
      { kind: 'tool_result' }
    >;
    expect(result.isError).toBe(false);
    const text = result.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toMatch(/^<untrusted_content source="mcp:everything\/demo:\/\/resource\/dynamic\/text\/1">/);
    expect(text).toContain('[resource demo://resource/dynamic/text/1');
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished', 20_000);
  }, 60_000);
});

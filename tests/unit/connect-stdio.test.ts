/**
 * Local MCP servers from npm run by the REAL native host (the built bundle over stdio frames, as a
 * browser runs it), with the SDK client in the extension talking through the bridge: tools listed,
 * called, images and resources in results, list_changed, a crash mid-call and a hang.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostStdioTransport } from '../../extension/connectors/bridge-transport';
import type { StdioSpec } from '../../extension/connectors/connector-config';
import { ConnectorSession } from '../../extension/connectors/connector-session';
import { toToolOutput } from '../../extension/connectors/tool-results';
import { FileBridge } from '../../extension/files/bridge-client';
import { buildHost, removeScratch, tempDir } from '../../native-host/test/helpers/host-process';
import { stdioSpec } from '../support/mcp-servers';
import { realHostConnector } from '../support/real-host-connector';

const children: ChildProcessWithoutNullStreams[] = [];
let bridge: FileBridge;
let hostHome: string;
const sessions: ConnectorSession[] = [];

function session(id: string, spec: StdioSpec, options: ConstructorParameters<typeof ConnectorSession>[2] = {}) {
  const transports: HostStdioTransport[] = [];
  const s = new ConnectorSession(
    id,
    () => {
      const t = new HostStdioTransport(bridge, id, spec);
      transports.push(t);
      return t;
    },
    options,
  );
  sessions.push(s);
  return { session: s, transports };
}

beforeAll(() => {
  const bundle = buildHost();
  hostHome = tempDir('home');
  bridge = new FileBridge({ connector: realHostConnector(bundle, hostHome, children), timeoutMs: 40_000 });
}, 60_000);

afterAll(async () => {
  for (const s of sessions) await s.close().catch(() => undefined);
  bridge.close();
  for (const child of children) child.kill();
  removeScratch();
});

describe('server-everything over stdio through the host', () => {
  it('lists tools and calls echo, an image tool and an embedded resource', async () => {
    const { session: s } = session('everything', stdioSpec('server-everything', ['stdio']));
    const tools = await s.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-tiny-image', 'get-resource-reference']));

    const echo = await s.callTool('echo', { message: 'hello through the host' });
    const echoed = toToolOutput('mcp:everything/echo', echo);
    expect(echoed.content[0]).toMatchObject({ type: 'text' });
    const text = (echoed.content[0] as { text: string }).text;
    expect(text).toContain('hello through the host');
    expect(text.startsWith('<untrusted_content source="mcp:everything/echo">')).toBe(true);

    const image = toToolOutput('mcp:everything/get-tiny-image', await s.callTool('get-tiny-image', {}));
    const img = image.content.find((b) => b.type === 'image');
    expect(img).toMatchObject({ type: 'image', source: { type: 'base64', media_type: 'image/png' } });

    const resource = toToolOutput(
      'mcp:everything/get-resource-reference',
      await s.callTool('get-resource-reference', { resourceType: 'Text', resourceId: 1 }),
    );
    const resourceText = resource.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(resourceText).toMatch(/\[resource [a-z]+:\/\/[^\]]+\]/);
  }, 60_000);

  it('honours tools/list_changed: tools registered after initialisation appear', async () => {
    const { session: s } = session('everything-lc', stdioSpec('server-everything', ['stdio']));
    const changed = new Promise<string[]>((resolve) => s.onToolsChanged((tools) => resolve(tools.map((t) => t.name))));
    await s.listTools();
    // The server registers its client-capability tools (get-roots-list: we declare roots) after init.
    const after = await Promise.race([changed, new Promise<string[]>((r) => setTimeout(() => r([]), 15_000))]);
    expect(after).toContain('get-roots-list');
    expect((await s.listTools()).map((t) => t.name)).toContain('get-roots-list');
  }, 60_000);

  it('a server that crashes mid-call gives a tool error, and the next call restarts it', async () => {
    const { session: s, transports } = session('everything-crash', stdioSpec('server-everything', ['stdio']), {
      sleep: async () => undefined,
    });
    await s.listTools();
    const pid = transports[0]?.pid;
    expect(pid).toBeGreaterThan(0);
    const call = s.callTool('trigger-long-running-operation', { duration: 10, steps: 10 });
    await new Promise((r) => setTimeout(r, 500));
    process.kill(pid as number, 'SIGKILL');
    await expect(call).rejects.toThrow(/stopped while trigger-long-running-operation was running.*SIGKILL/);
    // Restart on next use.
    const echo = await s.callTool('echo', { message: 'back' });
    expect(JSON.stringify(echo)).toContain('back');
    expect(transports.length).toBe(2);
    expect(transports[1]?.pid).not.toBe(pid);
    const log = await bridge.call('mcp.log', { connectorId: 'everything-crash' });
    expect(log.text).toMatch(/exited \(code null, signal SIGKILL\)/);
  }, 60_000);

  it('a server that hangs: the call times out as an error, and the server still answers later calls', async () => {
    const { session: s, transports } = session('everything-hang', stdioSpec('server-everything', ['stdio']), {
      callTimeoutMs: 1500,
    });
    await s.listTools();
    const pid = transports[0]?.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      await expect(s.callTool('echo', { message: 'stuck' })).rejects.toThrow(/did not answer within 2 s/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const echo = await s.callTool('echo', { message: 'after the hang' });
    expect(JSON.stringify(echo)).toContain('after the hang');
  }, 60_000);
});

describe('server-memory and server-filesystem over stdio through the host', () => {
  it('server-memory keeps what it is told', async () => {
    const memoryFile = path.join(tempDir('memory'), 'memory.jsonl');
    const { session: s } = session('memory', stdioSpec('server-memory', [], { MEMORY_FILE_PATH: memoryFile }));
    const names = (await s.listTools()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['create_entities', 'read_graph', 'delete_entities']));
    await s.callTool('create_entities', {
      entities: [{ name: 'Tandem', entityType: 'project', observations: ['speaks MCP'] }],
    });
    const graph = toToolOutput('mcp:memory/read_graph', await s.callTool('read_graph', {}));
    expect(JSON.stringify(graph)).toContain('speaks MCP');
    expect(fs.readFileSync(memoryFile, 'utf8')).toContain('Tandem');
  }, 60_000);

  it('server-filesystem reads inside the folder it was given and refuses outside it', async () => {
    const dir = tempDir('fs-allowed');
    fs.writeFileSync(path.join(dir, 'note.txt'), 'a note for the connector');
    const { session: s } = session('filesystem', stdioSpec('server-filesystem', [dir]));
    const names = (await s.listTools()).map((t) => t.name);
    expect(names).toContain('read_text_file');
    const read = await s.callTool('read_text_file', { path: path.join(dir, 'note.txt') });
    expect(JSON.stringify(read)).toContain('a note for the connector');
    const outside = await s.callTool('read_text_file', { path: path.join(hostHome, 'x.txt') });
    expect(outside.isError).toBe(true);
  }, 60_000);
});

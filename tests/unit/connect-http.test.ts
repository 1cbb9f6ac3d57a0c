/** Remote connectors: server-everything over Streamable HTTP on loopback, the SSE fallback, and a static bearer token. */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorSession } from '../../extension/connectors/connector-session';
import { httpTransport } from '../../extension/connectors/http-transport';
import { toToolOutput } from '../../extension/connectors/tool-results';
import { type EverythingHttp, startEverythingHttp } from '../fixtures/mcp-http/everything-http';

let running: EverythingHttp | undefined;
let session: ConnectorSession | undefined;
afterEach(async () => {
  await session?.close();
  await running?.close();
  session = undefined;
  running = undefined;
});

describe('remote servers', () => {
  it('lists and calls tools over Streamable HTTP with the bearer token on every request', async () => {
    running = await startEverythingHttp({ token: 'secret-token' });
    const url = `${running.url}/mcp`;
    session = new ConnectorSession('remote', () =>
      httpTransport({ kind: 'http', url, transport: 'auto', bearerToken: 'secret-token' }),
    );
    expect((await session.listTools()).map((t) => t.name)).toContain('get-sum');
    const sum = toToolOutput('mcp:remote/get-sum', await session.callTool('get-sum', { a: 2, b: 40 }));
    expect(JSON.stringify(sum)).toContain('42');
    expect(running.seen.length).toBeGreaterThan(0);
    expect(running.seen.every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
    expect(running.seen.some((r) => r.path === '/sse')).toBe(false);
  }, 30_000);

  it('says so when the token is wrong', async () => {
    running = await startEverythingHttp({ token: 'secret-token' });
    const url = `${running.url}/mcp`;
    session = new ConnectorSession('remote', () =>
      httpTransport({ kind: 'http', url, transport: 'auto', bearerToken: 'wrong' }),
    );
    await expect(session.listTools()).rejects.toThrow(/Could not start the connector/);
  }, 30_000);

  it('falls back to HTTP+SSE when the server has no Streamable HTTP endpoint', async () => {
    running = await startEverythingHttp({ streamable: false });
    session = new ConnectorSession('old', () =>
      httpTransport({ kind: 'http', url: `${running?.url}/sse`, transport: 'auto' }),
    );
    expect((await session.listTools()).map((t) => t.name)).toContain('echo');
    const echo = await session.callTool('echo', { message: 'over sse' });
    expect(JSON.stringify(echo)).toContain('over sse');
    expect(running.seen.some((r) => r.path === '/sse' && r.method === 'GET')).toBe(true);
  }, 30_000);
});

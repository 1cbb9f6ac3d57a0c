/**
 * One live connection to one MCP server, through the SDK's client: started on
 * first use, closed after a quiet while (a local program should not run for ever
 * because the user once asked it something), restarted after a crash on the next
 * use with a growing delay (shared/link/backoff.ts) so a server that dies at start
 * cannot make Tandem spin. `tools/list_changed` refreshes the tool list.
 */
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  ErrorCode,
  ListRootsRequestSchema,
  McpError,
  type ReadResourceResult,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { Backoff } from '../../shared/link/backoff';

export interface SessionOptions {
  /** Close after this long without a call. */
  idleMs?: number;
  /** One tool call may take this long; then it is cancelled and the model gets a tool error. */
  callTimeoutMs?: number;
  /** Starting the server and listing its tools may take this long (a cold `npx` start is slow). */
  startTimeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * After a 401 (OAuth): completes the sign-in the SDK started (exchanging the code for tokens
   * on `transport`) and says whether to connect again. See oauth-provider.ts.
   */
  finishAuth?: (transport: Transport) => Promise<boolean>;
}

export const CLIENT_INFO = { name: 'tandem', version: '0.1.0' };
const DEFAULT_IDLE_MS = 5 * 60_000;
const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const DEFAULT_START_TIMEOUT_MS = 60_000;

/** A connector failure in words for the user and the model. */
export class ConnectorError extends Error {
  override name = 'ConnectorError';
}

export class ConnectorSession {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private opening: Client | undefined;
  private transport: Transport | undefined;
  private tools: Tool[] | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
  private restartAt = 0;
  private readonly toolListeners = new Set<(tools: Tool[]) => void>();
  private readonly idleMs: number;
  private readonly callTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly finishAuth: SessionOptions['finishAuth'];
  /** Why the last connection ended, when it was not our choice. */
  lastFailure: string | undefined;

  constructor(
    readonly connectorId: string,
    private readonly openTransport: () => Transport,
    options: SessionOptions = {},
  ) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.finishAuth = options.finishAuth;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  onToolsChanged(listener: (tools: Tool[]) => void): () => void {
    this.toolListeners.add(listener);
    return () => this.toolListeners.delete(listener);
  }

  /** The server's tools (fetched once per connection, again on `tools/list_changed`). */
  async listTools(): Promise<Tool[]> {
    const client = await this.ensure();
    this.tools ??= await this.signedIn(() => this.fetchTools(client));
    return this.tools;
  }

  async callTool(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const client = await this.ensure();
    try {
      const result = await this.signedIn(() =>
        client.callTool({ name, arguments: args }, CallToolResultSchema, {
          timeout: this.callTimeoutMs,
          ...(signal ? { signal } : {}),
        }),
      );
      this.backoff.reset();
      return result as CallToolResult;
    } catch (error) {
      throw this.explain(error, name);
    } finally {
      this.touch();
    }
  }

  /**
   * A server may ask for a sign-in after `initialize` (a 401 on the first tools/list) or for more
   * scopes mid-session (403 insufficient_scope): finish that sign-in and run the request once more.
   */
  private async signedIn<T>(work: () => Promise<T>): Promise<T> {
    const transport = this.transport;
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnauthorizedError && transport && this.finishAuth && (await this.finishAuth(transport)))
        return work();
      throw error;
    }
  }

  /** Whether the server offers resources (known once connected). */
  async hasResources(): Promise<boolean> {
    const client = await this.ensure();
    return client.getServerCapabilities()?.resources !== undefined;
  }

  async readResource(uri: string, signal?: AbortSignal): Promise<ReadResourceResult> {
    const client = await this.ensure();
    try {
      return await this.signedIn(() =>
        client.readResource({ uri }, { timeout: this.callTimeoutMs, ...(signal ? { signal } : {}) }),
      );
    } catch (error) {
      throw this.explain(error, `Reading ${uri}`);
    } finally {
      this.touch();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const client = this.client;
    this.client = undefined;
    this.tools = undefined;
    await client?.close();
  }

  private explain(error: unknown, tool: string): ConnectorError {
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout)
      return new ConnectorError(
        `${tool} did not answer within ${Math.round(this.callTimeoutMs / 1000)} s; the call was cancelled.`,
      );
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)
      return new ConnectorError(
        `The connector stopped while ${tool} was running${this.lastFailure ? ` (${this.lastFailure})` : ''}. It will be restarted on the next use.`,
      );
    const message = error instanceof Error ? error.message : String(error);
    return new ConnectorError(`${tool} failed: ${message}`);
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    // An idle timer must not keep a Node process (tests, the conformance entry) alive.
    (this.idleTimer as { unref?: () => void }).unref?.();
  }

  private async ensure(): Promise<Client> {
    if (this.client) return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(afterSignIn = false): Promise<Client> {
    const wait = this.restartAt - this.now();
    if (wait > 0) await this.sleep(wait);
    const client = new Client(CLIENT_INFO, {
      capabilities: { roots: { listChanged: false } },
      // The SDK's default validator (ajv) compiles schemas with eval, which an extension's CSP forbids.
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    });
    // Tandem shares no folders with servers as roots: a local server reaches what its own arguments say.
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
    // The server may announce new tools before `connect` resolves (server-everything does, during
    // `initialized`): a notification counts while this connection is the current one or the one opening.
    this.opening = client;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      if (this.client !== client && this.opening !== client) return;
      this.tools = await this.fetchTools(client).catch(() => undefined);
      if (this.tools) for (const listener of this.toolListeners) listener(this.tools);
    });
    const transport = this.openTransport();
    client.onclose = () => {
      if (this.client !== client) return;
      // Not closed by us: the program crashed or the link went. Restart later, more slowly each time.
      this.client = undefined;
      this.tools = undefined;
      this.lastFailure = describeExit(transport);
      this.restartAt = this.now() + this.backoff.next();
    };
    try {
      await client.connect(transport, { timeout: this.startTimeoutMs });
    } catch (error) {
      // A sign-in the SDK started: finish it and connect once more with the new tokens.
      if (error instanceof UnauthorizedError && !afterSignIn && this.finishAuth && (await this.finishAuth(transport)))
        return this.connect(true);
      this.restartAt = this.now() + this.backoff.next();
      const message = error instanceof Error ? error.message : String(error);
      throw new ConnectorError(`Could not start the connector: ${message}${describeExit(transport, ' (', ')')}`);
    }
    this.client = client;
    this.transport = transport;
    this.opening = undefined;
    this.touch();
    return client;
  }

  private async fetchTools(client: Client): Promise<Tool[]> {
    if (!client.getServerCapabilities()?.tools) return [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    // A server that pages forever is cut off: 50 pages is far more tools than a model can use.
    for (let page = 0; page < 50; page++) {
      const answer = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.startTimeoutMs });
      tools.push(...answer.tools);
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }
}

function describeExit(transport: Transport, before = '', after = ''): string {
  const exit = (transport as { exit?: { code: number | null; signal: string | null } | null }).exit;
  if (!exit) return '';
  return `${before}the program exited${exit.signal ? ` on ${exit.signal}` : ` with code ${exit.code}`}${after}`;
}

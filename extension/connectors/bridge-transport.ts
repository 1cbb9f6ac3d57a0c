/**
 * The MCP SDK's transport for a local server, carried by the native host: the
 * client's messages go out as `mcp.send`, the server's come back through a
 * `mcp.recv` long poll that answers as soon as anything arrives (the host only
 * answers requests, so the extension keeps one poll in flight while connected).
 * The program's exit, or a port that closed (the host died or the browser
 * stopped it), closes the transport; the session above decides about restarting.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { MCP_RECV_MAX_WAIT_MS } from '../../shared/protocol/native-host';
import { BridgeError, type FileBridge } from '../files/bridge-client';
import type { StdioSpec } from './connector-config';

/** The host answers a poll within MCP_RECV_MAX_WAIT_MS; a little more before calling the host gone. */
const POLL_TIMEOUT_MS = MCP_RECV_MAX_WAIT_MS + 10_000;

export class HostStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private open = false;
  private closed = false;
  /** What the host said about the program's end, for the error the user sees. */
  exit: { code: number | null; signal: string | null } | null = null;
  pid: number | undefined;

  constructor(
    private readonly bridge: FileBridge,
    private readonly connectorId: string,
    private readonly spec: StdioSpec,
  ) {}

  async start(): Promise<void> {
    const started = await this.bridge.call('mcp.start', {
      connectorId: this.connectorId,
      command: this.spec.command,
      args: this.spec.args,
      env: this.spec.env,
      ...(this.spec.cwd ? { cwd: this.spec.cwd } : {}),
    });
    this.pid = started.pid;
    this.open = true;
    void this.poll();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.open) throw new Error('The connector is not running.');
    await this.bridge.call('mcp.send', { connectorId: this.connectorId, message });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const wasOpen = this.open;
    this.open = false;
    if (wasOpen) await this.bridge.call('mcp.stop', { connectorId: this.connectorId }).catch(() => undefined);
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.onclose?.();
  }

  private async poll(): Promise<void> {
    while (this.open) {
      try {
        const answer = await this.bridge.call(
          'mcp.recv',
          { connectorId: this.connectorId, waitMs: MCP_RECV_MAX_WAIT_MS },
          { timeoutMs: POLL_TIMEOUT_MS },
        );
        for (const raw of answer.messages) {
          const parsed = JSONRPCMessageSchema.safeParse(raw);
          if (parsed.success) this.onmessage?.(parsed.data);
          else this.onerror?.(new Error('The server sent a message that is not JSON-RPC.'));
        }
        if (answer.exited) {
          this.exit = answer.exited;
          break;
        }
      } catch (error) {
        if (!this.open) break;
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        // A closed port or a host that forgot the server (it restarted) ends this transport.
        if (error instanceof BridgeError) break;
      }
    }
    this.finish();
  }
}

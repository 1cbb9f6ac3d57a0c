/**
 * Remote servers, called from the extension itself: Streamable HTTP, with the
 * older HTTP+SSE transport as the fallback the MCP spec describes (a 4xx to the
 * first POST means an old server: open the SSE stream instead). A static bearer
 * token goes in a header and nowhere else; OAuth plugs in as the SDK's authProvider.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { HttpSpec } from './connector-config';

export interface HttpTransportOptions {
  fetch?: FetchLike;
  authProvider?: OAuthClientProvider;
}

function transportOptions(spec: HttpSpec, options: HttpTransportOptions) {
  return {
    ...(spec.bearerToken ? { requestInit: { headers: { Authorization: `Bearer ${spec.bearerToken}` } } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.authProvider ? { authProvider: options.authProvider } : {}),
  };
}

export function httpTransport(spec: HttpSpec, options: HttpTransportOptions = {}): Transport {
  const url = new URL(spec.url);
  if (spec.transport === 'sse') return new SSEClientTransport(url, transportOptions(spec, options));
  const streamable = new StreamableHTTPClientTransport(url, transportOptions(spec, options));
  if (spec.transport === 'streamable-http') return streamable;
  return new FallbackTransport(streamable, () => new SSEClientTransport(url, transportOptions(spec, options)));
}

/** Starts as Streamable HTTP; if the server refuses the first message as an old server would, switches to SSE. */
class FallbackTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private current: Transport;
  private firstSent = false;

  constructor(
    primary: Transport,
    private readonly fallback: () => Transport,
  ) {
    this.current = primary;
    this.wire(primary);
  }

  get sessionId(): string | undefined {
    return this.current.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.current.setProtocolVersion?.(version);
  }

  private wire(transport: Transport): void {
    transport.onclose = () => this.onclose?.();
    transport.onerror = (error) => this.onerror?.(error);
    transport.onmessage = (message) => this.onmessage?.(message);
  }

  start(): Promise<void> {
    return this.current.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.firstSent) return this.current.send(message, options);
    this.firstSent = true;
    try {
      await this.current.send(message, options);
    } catch (error) {
      const oldServer =
        error instanceof StreamableHTTPError &&
        error.code !== undefined &&
        error.code >= 400 &&
        error.code < 500 &&
        error.code !== 401 &&
        error.code !== 403;
      if (!oldServer) throw error;
      const old = this.current;
      old.onclose = undefined;
      await old.close().catch(() => undefined);
      this.current = this.fallback();
      this.wire(this.current);
      await this.current.start();
      await this.current.send(message, options);
    }
  }

  close(): Promise<void> {
    return this.current.close();
  }

  /** Completes an OAuth sign-in on whichever transport is in use. */
  finishAuth(code: string): Promise<void> {
    return (this.current as StreamableHTTPClientTransport).finishAuth(code);
  }
}

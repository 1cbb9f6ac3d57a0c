/**
 * One streamed model call through the official SDK. The SDK's own retries are
 * off: the runtime retries itself so each wait is a durable, visible event
 * ("retrying in N s") that survives a restart.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { AssistantBlock, ErrorKind, Usage } from '../../shared/protocol';
import type { ApiMessage } from './conversation-state';
import { parseRetryAfter } from './retry-policy';

export interface ToolSpec {
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}

export interface ModelRequest {
  apiKey: string;
  baseUrl: string;
  model: string;
  maxTokens: number;
  system: string;
  tools: readonly ToolSpec[];
  messages: readonly ApiMessage[];
  signal: AbortSignal;
  onText(delta: string): void;
}

export interface ModelResponse {
  content: AssistantBlock[];
  stopReason: string | null;
  usage: Usage;
}

export class ModelCallError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

/** The call was aborted (stop, or the runtime shutting down); carries what had streamed. */
export class ModelCallAborted extends Error {
  constructor(readonly partialText: string) {
    super('Model call aborted');
    this.name = 'ModelCallAborted';
  }
}

export interface ModelClient {
  call(request: ModelRequest): Promise<ModelResponse>;
}

type CacheControl = { type: 'ephemeral' };
const EPHEMERAL: CacheControl = { type: 'ephemeral' };

/**
 * Prompt caching: tools and system prompt come first in the prefix, so one breakpoint
 * on the system prompt caches both; a breakpoint on the last block of the newest
 * message writes the conversation so far, and one on the previous user message
 * lets the next call read the prefix the previous call wrote. Three of the four
 * breakpoints the API allows.
 */
export function withCacheBreakpoints(messages: readonly ApiMessage[]): Array<Record<string, unknown>> {
  const lastIndex = messages.length - 1;
  let previousUser = -1;
  for (let i = lastIndex - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      previousUser = i;
      break;
    }
  }
  return messages.map((message, i) => {
    if (i !== lastIndex && i !== previousUser) return { role: message.role, content: message.content };
    const content = message.content.map((block, j) =>
      j === message.content.length - 1 ? { ...block, cache_control: EPHEMERAL } : block,
    );
    return { role: message.role, content };
  });
}

function toUsage(usage: Anthropic.Usage | undefined): Usage {
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cacheCreationInputTokens: usage?.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: usage?.cache_read_input_tokens ?? 0,
  };
}

const KIND_BY_TYPE: Record<string, ErrorKind> = {
  authentication_error: 'auth',
  permission_error: 'auth',
  invalid_request_error: 'bad_request',
  not_found_error: 'bad_request',
  request_too_large: 'bad_request',
  rate_limit_error: 'rate_limited',
  overloaded_error: 'overloaded',
  api_error: 'server',
};

export function classifyError(error: unknown): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (error instanceof Anthropic.APIConnectionError) {
    return new ModelCallError('network', `Cannot reach the model API (${error.message}).`);
  }
  if (error instanceof Anthropic.APIError) {
    const status = typeof error.status === 'number' ? error.status : undefined;
    const headers = error.headers instanceof Headers ? error.headers : undefined;
    const apiMessage = error.apiMessage ?? error.message;
    let kind: ErrorKind = (error.type && KIND_BY_TYPE[error.type]) || 'server';
    if (status === 401 || status === 403) kind = 'auth';
    else if (status === 429) kind = 'rate_limited';
    else if (status === 529) kind = 'overloaded';
    else if (status !== undefined && status >= 400 && status < 500 && !error.type) kind = 'bad_request';
    const message =
      kind === 'auth'
        ? `The API key was refused (${status ?? 'auth'}): ${apiMessage}. Check the key in Settings.`
        : kind === 'rate_limited'
          ? `Rate limited by the API: ${apiMessage}`
          : kind === 'overloaded'
            ? `The API is overloaded: ${apiMessage}`
            : kind === 'bad_request'
              ? `The API refused the request: ${apiMessage}`
              : `The API failed: ${apiMessage}`;
    return new ModelCallError(kind, message, status, parseRetryAfter(headers));
  }
  if (error instanceof TypeError) {
    // fetch() rejects with TypeError when the network is down.
    return new ModelCallError('network', `Cannot reach the model API (${error.message}).`);
  }
  return new ModelCallError('internal', error instanceof Error ? error.message : String(error));
}

export class AnthropicModelClient implements ModelClient {
  async call(request: ModelRequest): Promise<ModelResponse> {
    const client = new Anthropic({
      apiKey: request.apiKey,
      baseURL: request.baseUrl,
      maxRetries: 0,
      // The extension is the user's own agent holding the user's own key.
      dangerouslyAllowBrowser: true,
    });
    let partial = '';
    const tools = request.tools.map((tool, i) =>
      i === request.tools.length - 1 ? { ...tool, cache_control: EPHEMERAL } : tool,
    );
    const stream = client.messages.stream(
      {
        model: request.model,
        max_tokens: request.maxTokens,
        system: [{ type: 'text', text: request.system, cache_control: EPHEMERAL }],
        ...(tools.length > 0 ? { tools: tools as Anthropic.Tool[] } : {}),
        messages: withCacheBreakpoints(request.messages) as unknown as Anthropic.MessageParam[],
      },
      { signal: request.signal },
    );
    stream.on('text', (delta) => {
      partial += delta;
      request.onText(delta);
    });
    try {
      const message = await stream.finalMessage();
      const content: AssistantBlock[] = [];
      for (const block of message.content) {
        if (block.type === 'text') content.push({ type: 'text', text: block.text });
        else if (block.type === 'tool_use') {
          const input =
            block.input && typeof block.input === 'object' && !Array.isArray(block.input)
              ? (block.input as Record<string, unknown>)
              : {};
          content.push({ type: 'tool_use', id: block.id, name: block.name, input });
        } else if (block.type === 'thinking') {
          content.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
        } else if (block.type === 'redacted_thinking') {
          content.push({ type: 'redacted_thinking', data: block.data });
        }
      }
      return { content, stopReason: message.stop_reason, usage: toUsage(message.usage) };
    } catch (error) {
      if (request.signal.aborted || error instanceof Anthropic.APIUserAbortError) throw new ModelCallAborted(partial);
      throw classifyError(error);
    }
  }
}

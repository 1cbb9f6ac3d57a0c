/**
 * One streamed model call through the official SDK. The SDK's own retries are
 * off: the runtime retries itself so each wait is a durable, visible event
 * ("retrying in N s") that survives a restart.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { AssistantBlock, ErrorKind, Usage } from '../../shared/protocol';
import { parenthetical } from '../../shared/text/sentence';
import { SUMMARY_HEADING } from './context/request-view';
import type { ApiMessage } from './conversation-state';
import { parseRetryAfter } from './retry-policy';
import { StreamWatch } from './stream-watch';

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
  /** A stream silent for this long (no bytes at all) is cut and reported as a network error. Default 90 s. */
  idleTimeoutMs?: number;
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
    /** The request was too big for the API (413, or past the context window): shrink it and try again. */
    readonly tooLarge = false,
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

/** The API pings every few seconds on a live stream; 90 s of nothing means it is dead. */
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;

type CacheControl = { type: 'ephemeral' };
const EPHEMERAL: CacheControl = { type: 'ephemeral' };

/**
 * Prompt caching: tools and system prompt come first in the prefix, so one breakpoint
 * on the system prompt caches both; a breakpoint on the last block of the newest
 * message writes the conversation so far, and one on the previous user message
 * lets the next call read the prefix the previous call wrote. After a compaction
 * the summary opens the conversation and stays unchanged until the next one, so
 * it gets the fourth breakpoint: every request until then reads it from the cache.
 */
export function withCacheBreakpoints(
  messages: readonly ApiMessage[],
  summaryFirst = false,
): Array<Record<string, unknown>> {
  const lastIndex = messages.length - 1;
  let previousUser = -1;
  for (let i = lastIndex - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      previousUser = i;
      break;
    }
  }
  const marked = (i: number) => i === lastIndex || i === previousUser || (summaryFirst && i === 0);
  return messages.map((message, i) => {
    if (!marked(i)) return { role: message.role, content: message.content };
    const content = message.content.map((block, j) =>
      j === message.content.length - 1 ? { ...block, cache_control: EPHEMERAL } : block,
    );
    return { role: message.role, content };
  });
}

function startsWithSummary(messages: readonly ApiMessage[]): boolean {
  const first = messages[0]?.content[0];
  return first?.type === 'text' && first.text.startsWith(SUMMARY_HEADING);
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

const PROMPT_TOO_LONG = /prompt is too long/i;

function describe(kind: ErrorKind, status: number | undefined, apiMessage: string, model: string | undefined): string {
  if (status === 403) {
    return `This API key does not have access to that (403 permission_error: ${apiMessage}). Check the key's workspace and model access in the Anthropic Console, or choose another model in Settings.`;
  }
  if (status === 404) {
    const name = model ? `"${model}"` : 'set in Settings';
    return `The model ${name} was not found (404: ${apiMessage}). Check the model name in Settings.`;
  }
  if (status === 413) {
    return `The request was too large for the API (413: ${apiMessage}). Tandem is leaving out older images and tool outputs and trying again.`;
  }
  if (PROMPT_TOO_LONG.test(apiMessage)) {
    return `The conversation no longer fits the model's context window (${apiMessage}). Tandem is summarising older messages and trying again.`;
  }
  switch (kind) {
    case 'auth':
      return `The API key was refused (${status ?? 'auth'}): ${apiMessage}. Check the key in Settings.`;
    case 'rate_limited':
      return `Rate limited by the API: ${apiMessage}`;
    case 'overloaded':
      return `The API is overloaded: ${apiMessage}`;
    case 'bad_request':
      return `The API refused the request: ${apiMessage}`;
    default:
      return `The API failed: ${apiMessage}`;
  }
}

/** `model`: the model the request named, so a 404 can say which name was wrong. */
export function classifyError(error: unknown, model?: string): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (error instanceof Anthropic.APIConnectionError) {
    return new ModelCallError('network', `Cannot reach the model API ${parenthetical(error.message)}.`);
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
    const tooLarge = status === 413 || (kind === 'bad_request' && PROMPT_TOO_LONG.test(apiMessage));
    const message = describe(kind, status, apiMessage, model);
    return new ModelCallError(kind, message, status, parseRetryAfter(headers), tooLarge);
  }
  if (error instanceof TypeError) {
    // fetch() rejects with TypeError when the network is down.
    return new ModelCallError('network', `Cannot reach the model API ${parenthetical(error.message)}.`);
  }
  return new ModelCallError('internal', error instanceof Error ? error.message : String(error));
}

export class AnthropicModelClient implements ModelClient {
  async call(request: ModelRequest): Promise<ModelResponse> {
    const idleTimeoutMs = request.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const watch = new StreamWatch(idleTimeoutMs);
    const client = new Anthropic({
      apiKey: request.apiKey,
      baseURL: request.baseUrl,
      maxRetries: 0,
      // The extension is the user's own agent holding the user's own key.
      dangerouslyAllowBrowser: true,
      fetch: watch.fetch(),
    });
    let partial = '';
    const tools = request.tools;
    const stream = client.messages.stream(
      {
        model: request.model,
        max_tokens: request.maxTokens,
        system: [{ type: 'text', text: request.system, cache_control: EPHEMERAL }],
        ...(tools.length > 0 ? { tools: tools as Anthropic.Tool[] } : {}),
        messages: withCacheBreakpoints(
          request.messages,
          startsWithSummary(request.messages),
        ) as unknown as Anthropic.MessageParam[],
      },
      { signal: AbortSignal.any([request.signal, watch.signal]) },
    );
    watch.start();
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
      if (request.signal.aborted) throw new ModelCallAborted(partial);
      if (watch.stalled) {
        const seconds = Math.round(idleTimeoutMs / 100) / 10;
        throw new ModelCallError('network', `The model API stopped sending data for ${seconds} s mid-answer.`);
      }
      if (error instanceof Anthropic.APIUserAbortError) throw new ModelCallAborted(partial);
      // After a 200, anything but an API error event is the connection dying: a cut, not a bug.
      if (watch.responded && !(error instanceof Anthropic.APIError)) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new ModelCallError(
          'network',
          `The connection to the model API was cut mid-answer ${parenthetical(detail)}.`,
        );
      }
      throw classifyError(error, request.model);
    } finally {
      watch.stop();
    }
  }
}

/**
 * The scripted Messages API stand-in, exercised through the official SDK exactly
 * as the product uses it. If one of these fails, tests built on the stand-in can
 * no longer be trusted to mean anything about the real API.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_PREFIX,
  demoModel,
  lastToolResults,
  type ModelServer,
  type ModelServerOptions,
  modelServerControl,
  startModelServer,
} from '../fixtures/model-server';

const MODEL = 'claude-sonnet-4-5';
const servers: ModelServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: ModelServerOptions = {}): Promise<{ server: ModelServer; client: Anthropic }> {
  const server = await startModelServer({ minCacheableTokens: 0, ...options });
  servers.push(server);
  return { server, client: new Anthropic({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 }) };
}

const hello: MessageParam[] = [{ role: 'user', content: 'Hello there' }];

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** A request without the SDK, to control headers and fields the SDK would not send. */
function postRaw(server: ModelServer, headers: Record<string, string>, body: object = {}): Promise<Response> {
  return fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: MODEL, max_tokens: 10, messages: hello, ...body }),
  });
}

/** fetch cannot set Host; a DNS-rebinding page would arrive with its own hostname there. */
function statusWithHost(server: ModelServer, path: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

interface WireEvent {
  event: string;
  data: { type: string } & Record<string, unknown>;
}

/** Raw SSE, bypassing the SDK, to check the wire format itself. */
async function rawStream(server: ModelServer, body: object): Promise<WireEvent[]> {
  const response = await fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.apiKey, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: MODEL, max_tokens: 256, stream: true, ...body }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return {
        event: eventLine?.replace('event: ', '') ?? '',
        data: JSON.parse(dataLine?.replace('data: ', '') ?? ''),
      };
    });
}

describe('streaming text', () => {
  it('streams scripted text as several deltas and finalMessage() holds the whole answer', async () => {
    const { server, client } = await start();
    const text = 'The quick brown fox jumps over the lazy dog.';
    server.script([{ kind: 'text', text, chunkSize: 5 }]);

    const deltas: string[] = [];
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: hello });
    stream.on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();

    expect(deltas.length).toBe(Math.ceil(text.length / 5));
    expect(deltas.join('')).toBe(text);
    expect(message.id).toMatch(/^msg_01/);
    expect(message.model).toBe(MODEL);
    expect(message.content).toEqual([{ type: 'text', text, citations: null }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(Math.ceil(text.length / 4));
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.cache_read_input_tokens).toBe(0);
  });

  it('sends the documented event sequence, with the event name repeated as the data type', async () => {
    const { server } = await start();
    server.script([{ kind: 'tool_use', name: 'search', input: { query: 'weather in Paris' }, text: 'Looking.' }]);
    const events = await rawStream(server, {
      messages: hello,
      tools: [{ name: 'search', input_schema: { type: 'object' } }],
    });

    expect(events.every(({ event, data }) => event === data.type)).toBe(true);
    const names = events.map(({ event }) => event);
    expect(names[0]).toBe('message_start');
    expect(names.slice(1, 3)).toEqual(['content_block_start', 'ping']);
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(names.filter((name) => name === 'content_block_start')).toHaveLength(2);
    expect(names.filter((name) => name === 'content_block_stop')).toHaveLength(2);

    const opening = events[0]?.data as unknown as {
      message: { content: unknown[]; stop_reason: unknown; usage: object };
    };
    expect(opening.message.content).toEqual([]);
    expect(opening.message.stop_reason).toBeNull();
    expect(opening.message.usage).toMatchObject({ output_tokens: 1, cache_read_input_tokens: 0 });

    const toolStart = events.find((e) => e.event === 'content_block_start' && e.data.index === 1);
    expect(toolStart?.data.content_block).toMatchObject({ type: 'tool_use', name: 'search', input: {} });
    const pieces = events.flatMap(({ data }) =>
      data.type === 'content_block_delta' && data.index === 1
        ? [(data.delta as { partial_json: string }).partial_json]
        : [],
    );
    expect(pieces[0]).toBe('');
    expect(pieces.length).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(pieces.join(''))).toEqual({ query: 'weather in Paris' });

    const delta = events.at(-2)?.data as unknown as { delta: object; usage: { output_tokens: number } };
    expect(delta.delta).toMatchObject({ stop_reason: 'tool_use', stop_sequence: null });
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
  });
});

describe('tool use', () => {
  const tools: Tool[] = [
    { name: 'read_page', description: 'Reads the page', input_schema: { type: 'object', properties: {} } },
  ];

  it('round-trips a tool call: input JSON reassembled by the SDK, tool_result answered from the request', async () => {
    const { server, client } = await start();
    const input = { url: 'https://example.com/a?b=c', selectors: ['h1', 'p'], depth: 2 };
    server.script([
      { kind: 'tool_use', name: 'read_page', input, text: 'I will read it.', id: 'toolu_01fixed' },
      {
        kind: 'respond',
        respond: (request) => ({ kind: 'text', text: `The page says: ${lastToolResults(request)[0]?.text}` }),
      },
    ]);

    const jsonPieces: string[] = [];
    const first = client.messages.stream({ model: MODEL, max_tokens: 512, tools, messages: hello });
    first.on('inputJson', (piece) => jsonPieces.push(piece));
    const call = await first.finalMessage();

    expect(call.stop_reason).toBe('tool_use');
    expect(call.content[0]).toMatchObject({ type: 'text', text: 'I will read it.' });
    expect(call.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_01fixed', name: 'read_page', input });
    expect(jsonPieces.length).toBeGreaterThanOrEqual(3);

    const answer = await client.messages.create({
      model: MODEL,
      max_tokens: 512,
      tools,
      messages: [
        ...hello,
        { role: 'assistant', content: call.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01fixed', content: 'Example Domain' }] },
      ],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'The page says: Example Domain', citations: null }]);
    expect(server.requests[1]?.answeredBy).toEqual({ source: 'script', kind: 'respond', resolvedKind: 'text' });
  });

  it('emits several tool calls in one turn with distinct ids', async () => {
    const { server, client } = await start();
    server.script([
      {
        kind: 'blocks',
        blocks: [
          { type: 'text', text: 'Two at once.' },
          { type: 'tool_use', name: 'read_page', input: { tab: 1 } },
          { type: 'tool_use', name: 'read_page', input: { tab: 2 } },
        ],
      },
    ]);
    const message = await client.messages
      .stream({ model: MODEL, max_tokens: 512, tools, messages: hello })
      .finalMessage();
    const calls = message.content.filter((block) => block.type === 'tool_use');
    expect(calls.map((block) => block.input)).toEqual([{ tab: 1 }, { tab: 2 }]);
    expect(new Set(calls.map((block) => block.id)).size).toBe(2);
    expect(calls[0]?.id).toMatch(/^toolu_01/);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('rejects a tool_use left without its tool_result, with the real API wording', async () => {
    const { client } = await start();
    const error = await rejection(
      client.messages.create({
        model: MODEL,
        max_tokens: 100,
        messages: [
          ...hello,
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01lost', name: 'read_page', input: {} }] },
          { role: 'user', content: 'Go on' },
        ],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).message).toContain(
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01lost',
    );
  });
});

describe('errors map to the SDK error classes', () => {
  it('401 authentication_error for a wrong key', async () => {
    const { server } = await start({ apiKey: 'right-key' });
    const wrong = new Anthropic({ apiKey: 'wrong-key', baseURL: server.url, maxRetries: 0 });
    const error = await rejection(wrong.messages.create({ model: MODEL, max_tokens: 10, messages: hello }));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as APIError).type).toBe('authentication_error');
    expect(server.requests[0]?.outcome).toBe('rejected');
  });

  it('401 without x-api-key and 400 without anthropic-version', async () => {
    const { server } = await start();
    const post = (headers: Record<string, string>) => postRaw(server, headers);
    const noKey = await post({ 'anthropic-version': '2023-06-01' });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const noVersion = await post({ 'x-api-key': server.apiKey });
    expect(noVersion.status).toBe(400);
    const body = await noVersion.json();
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(body.request_id).toMatch(/^req_/);
    expect(noVersion.headers.get('request-id')).toBe(body.request_id);
  });

  it('400 invalid_request_error names the invalid field', async () => {
    const { client } = await start();
    const error = await rejection(
      client.messages.create({ model: MODEL, messages: hello } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).message).toContain('max_tokens: Field required');
  });

  it('429 rate_limit_error carries retry-after, 529 is an OverloadedError, 500 an InternalServerError', async () => {
    const { server, client } = await start();
    server.script([
      { kind: 'error', errorType: 'rate_limit_error', message: 'Slow down', retryAfterSeconds: 7 },
      { kind: 'error', errorType: 'overloaded_error', message: 'Overloaded' },
      { kind: 'error', status: 500, errorType: 'api_error', message: 'Internal server error' },
    ]);
    const call = () => client.messages.create({ model: MODEL, max_tokens: 10, messages: hello });

    const limited = (await rejection(call())) as APIError;
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited.headers?.get('retry-after')).toBe('7');
    expect(limited.requestID).toMatch(/^req_011C/);
    expect(limited.apiMessage).toBe('Slow down');

    const overloaded = await rejection(call());
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect((overloaded as APIError).status).toBe(529);

    expect(await rejection(call())).toBeInstanceOf(Anthropic.InternalServerError);
  });

  it('a mid-stream error event surfaces after the text already streamed', async () => {
    const { server, client } = await start();
    server.script([
      { kind: 'stream_error', afterText: 'Partial answer', errorType: 'overloaded_error', message: 'Overloaded' },
    ]);
    const deltas: string[] = [];
    const stream = client.messages.stream({ model: MODEL, max_tokens: 100, messages: hello });
    stream.on('text', (delta) => deltas.push(delta));
    const error = (await rejection(stream.finalMessage())) as APIError;

    expect(deltas.join('')).toBe('Partial answer');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.type).toBe('overloaded_error');
    expect(error.apiMessage).toBe('Overloaded');
    expect(server.requests[0]?.outcome).toBe('stream_error');
  });
});

describe('API versions and credentials', () => {
  it('rejects sampling parameters under 2026-10-21, the version SDK 1.x sends, but not under 2023-06-01', async () => {
    const { server } = await start();
    const post = (version: string) =>
      postRaw(server, { 'x-api-key': server.apiKey, 'anthropic-version': version }, { temperature: 1 });
    const current = await post('2026-10-21');
    expect(current.status).toBe(400);
    expect((await current.json()).error.message).toBe('temperature: Extra inputs are not permitted');
    expect((await post('2023-06-01')).status).toBe(200);
    expect((await post('2024-01-01')).status).toBe(400);
  });

  it('rejects citations on user text and documents in assistant messages under 2026-10-21', async () => {
    const { client } = await start();
    const cited = await rejection(
      client.messages.create({
        model: MODEL,
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'text',
                text: 'As quoted',
                citations: [
                  {
                    type: 'char_location',
                    cited_text: 'x',
                    document_index: 0,
                    start_char_index: 0,
                    end_char_index: 1,
                    document_title: null,
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(cited).toBeInstanceOf(Anthropic.BadRequestError);
    expect((cited as APIError).message).toContain('messages.0.content.0: citations');
  });

  it('takes the key as Authorization: Bearer (SDK 1.x) or x-api-key, and x-api-key wins when both are sent', async () => {
    const { server } = await start();
    const version = { 'anthropic-version': '2026-10-21' };
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    expect((await postRaw(server, { ...version, ...bearer(server.apiKey) })).status).toBe(200);
    const wrongBearer = await postRaw(server, { ...version, ...bearer('nope') });
    expect(wrongBearer.status).toBe(401);
    expect((await wrongBearer.json()).error.message).toBe('Invalid bearer token');
    expect((await postRaw(server, { ...version, ...bearer('nope'), 'x-api-key': server.apiKey })).status).toBe(200);
    expect((await postRaw(server, { ...version, ...bearer(server.apiKey), 'x-api-key': 'nope' })).status).toBe(401);
  });
});

describe('stopping', () => {
  it('a hanging stream can be aborted and the server sees the connection close', async () => {
    const { server, client } = await start();
    server.script([{ kind: 'hang', afterText: 'Thinking about it' }]);
    const controller = new AbortController();
    const stream = client.messages.stream(
      { model: MODEL, max_tokens: 100, messages: hello },
      { signal: controller.signal },
    );
    stream.on('text', () => controller.abort());

    expect(await rejection(stream.finalMessage())).toBeInstanceOf(Anthropic.APIUserAbortError);
    await server.waitFor((requests) => requests[0]?.outcome === 'client_closed');
  });

  it('a slow stream stops mid-way when the client breaks out', async () => {
    const { server, client } = await start();
    server.script([{ kind: 'text', text: 'one two three four five six seven', chunkSize: 4, chunkDelayMs: 30 }]);
    const stream = await client.messages.create({ model: MODEL, max_tokens: 100, messages: hello, stream: true });
    let received = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') received += event.delta.text;
      if (received.length >= 8) break;
    }
    await server.waitFor((requests) => requests[0]?.outcome === 'client_closed');
    expect(received).toBe('one two ');
  });
});

describe('stop reasons and limits', () => {
  it('reports scripted stop reasons, refusal with stop_details', async () => {
    const { server, client } = await start();
    server.script([{ kind: 'stop_reason', stopReason: 'refusal', text: 'I cannot help with that.' }]);
    const message = await client.messages.create({ model: MODEL, max_tokens: 100, messages: hello });
    expect(message.stop_reason).toBe('refusal');
    expect(message.stop_details).toMatchObject({ type: 'refusal' });
  });

  it('cuts the answer at max_tokens and at the first stop sequence, like a real model run', async () => {
    const { server, client } = await start();
    server.script([
      { kind: 'text', text: 'x'.repeat(100) },
      { kind: 'text', text: 'alpha END beta' },
    ]);
    const cut = await client.messages.create({ model: MODEL, max_tokens: 5, messages: hello });
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.content).toEqual([{ type: 'text', text: 'x'.repeat(20), citations: null }]);
    expect(cut.usage.output_tokens).toBe(5);

    const stopped = await client.messages
      .stream({ model: MODEL, max_tokens: 100, messages: hello, stop_sequences: ['END'] })
      .finalMessage();
    expect(stopped.stop_reason).toBe('stop_sequence');
    expect(stopped.stop_sequence).toBe('END');
    expect(stopped.content).toMatchObject([{ type: 'text', text: 'alpha ' }]);
  });
});

describe('prompt caching', () => {
  const system = 'You are Tandem, a careful browser agent. '.repeat(120);
  const marked = (text: string) => [{ type: 'text' as const, text, cache_control: { type: 'ephemeral' as const } }];

  /** Each turn marks only its newest user message, as an agent loop does. */
  function conversation(turns: number): MessageParam[] {
    const messages: MessageParam[] = [];
    for (let turn = 1; turn <= turns; turn++) {
      if (turn > 1) messages.push({ role: 'assistant', content: `Answer number ${turn - 1}. `.repeat(30) });
      const text = `Question number ${turn}: please look at this page. `.repeat(30);
      messages.push({ role: 'user', content: turn === turns ? marked(text) : text });
    }
    return messages;
  }

  it('writes the prefix on the first turn, then reads a growing prefix on later turns', async () => {
    const { client } = await start({ minCacheableTokens: 1024 });
    const usages = [];
    for (const turns of [1, 2, 3]) {
      const message = await client.messages
        .stream({ model: MODEL, max_tokens: 100, system: marked(system), messages: conversation(turns) })
        .finalMessage();
      usages.push(message.usage);
    }
    const [first, second, third] = usages;
    expect(first?.cache_read_input_tokens).toBe(0);
    expect(first?.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(first?.cache_creation).toEqual({
      ephemeral_5m_input_tokens: first?.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    });
    // Each turn reads exactly what the turns before it wrote, and writes only the new part.
    expect(second?.cache_read_input_tokens).toBe(first?.cache_creation_input_tokens);
    expect(second?.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(third?.cache_read_input_tokens).toBe(
      (second?.cache_read_input_tokens ?? 0) + (second?.cache_creation_input_tokens ?? 0),
    );
    // Everything is behind the last breakpoint, so nothing is plain input beyond rounding.
    for (const usage of usages) expect(usage?.input_tokens).toBeLessThanOrEqual(1);
  });

  it('caches nothing below the minimum cacheable prefix', async () => {
    const { client } = await start({ minCacheableTokens: 1024 });
    for (let i = 0; i < 2; i++) {
      const message = await client.messages.create({
        model: MODEL,
        max_tokens: 100,
        system: marked('Short system prompt.'),
        messages: hello,
      });
      expect(message.usage.cache_creation_input_tokens).toBe(0);
      expect(message.usage.cache_read_input_tokens).toBe(0);
    }
  });

  it('rejects a fifth breakpoint as the real API does', async () => {
    const { client } = await start();
    const error = await rejection(
      client.messages.create({
        model: MODEL,
        max_tokens: 100,
        system: [...marked('a'), ...marked('b'), ...marked('c')],
        tools: [{ name: 't', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: marked('d') }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).message).toContain('A maximum of 4 blocks with cache_control may be provided. Found 5.');
  });

  it('drops an entry after 5 minutes without a hit, and each hit restarts the 5 minutes', async () => {
    let now = 1_000_000;
    const { client } = await start({ now: () => now });
    const ask = async () =>
      (await client.messages.create({ model: MODEL, max_tokens: 50, system: marked(system), messages: hello })).usage;

    const written = await ask();
    expect(written.cache_creation_input_tokens).toBeGreaterThan(0);
    now += 4 * 60_000;
    expect((await ask()).cache_read_input_tokens).toBe(written.cache_creation_input_tokens);
    now += 4 * 60_000; // 8 minutes after the write, but only 4 after the last hit.
    expect((await ask()).cache_read_input_tokens).toBe(written.cache_creation_input_tokens);
    now += 5 * 60_000 + 1;
    const expired = await ask();
    expect(expired.cache_read_input_tokens).toBe(0);
    expect(expired.cache_creation_input_tokens).toBe(written.cache_creation_input_tokens);
  });

  it('treats a field sent as null like a missing one, so echoed SDK blocks still hit the cache', async () => {
    const { client } = await start();
    const ask = async (system: Anthropic.TextBlockParam[]) =>
      (await client.messages.create({ model: MODEL, max_tokens: 50, system, messages: hello })).usage;
    const written = await ask(marked(system));
    const echoed = await ask([{ ...marked(system)[0]!, citations: null }]);
    expect(echoed.cache_read_input_tokens).toBe(written.cache_creation_input_tokens);
  });

  it('keys the cache by model', async () => {
    const { client } = await start();
    const ask = async (model: string) =>
      (await client.messages.create({ model, max_tokens: 50, system: marked(system), messages: hello })).usage;
    await ask(MODEL);
    expect((await ask('claude-haiku-4-5')).cache_read_input_tokens).toBe(0);
    expect((await ask(MODEL)).cache_read_input_tokens).toBeGreaterThan(0);
  });
});

describe('recording and control', () => {
  it('records each request with headers, parsed body, time and the turn that answered', async () => {
    const { server, client } = await start({ now: () => 42 });
    server.script([{ kind: 'text', text: 'Scripted.' }]);
    await client.messages.create({ model: MODEL, max_tokens: 10, system: 'Be brief.', messages: hello });
    const answered = await client.messages.create({ model: MODEL, max_tokens: 10, messages: hello });

    const [first, second] = await server.waitForRequests(2);
    expect(first).toMatchObject({ method: 'POST', path: '/v1/messages', time: 42, status: 200, outcome: 'completed' });
    expect(first?.headers['anthropic-version']).toBe('2026-10-21');
    expect(first?.body?.system).toBe('Be brief.');
    expect(first?.answeredBy).toEqual({ source: 'script', kind: 'text', resolvedKind: 'text' });
    expect(second?.answeredBy?.source).toBe('default');
    expect(answered.content).toMatchObject([{ type: 'text', text: 'You said: "Hello there"' }]);
    expect(server.pendingTurns).toBe(0);
  });

  it('rejects a malformed script when it is queued, not when a request arrives', async () => {
    const { server } = await start();
    expect(() => server.script([{ kind: 'text', text: 'x', chunkSize: 0 }])).toThrow();
  });

  it('is scriptable over HTTP from another process, and never reveals the API key', async () => {
    const { server, client } = await start();
    const control = modelServerControl(server.url);
    await control.script([{ kind: 'text', text: 'From the control API.' }]);
    const message = await client.messages.create({ model: MODEL, max_tokens: 10, messages: hello });
    expect(message.content).toMatchObject([{ type: 'text', text: 'From the control API.' }]);

    const [recorded] = await control.requests();
    expect(recorded?.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(recorded)).not.toContain(server.apiKey);
    expect(recorded?.body?.messages).toEqual(hello);

    await control.reset();
    expect(await control.requests()).toEqual([]);

    const invalid = await fetch(`${server.url}/__control/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ turns: [{ kind: 'txt', text: 'typo' }] }),
    });
    expect(invalid.status).toBe(400);
    const textPlain = await fetch(`${server.url}/__control/reset`, { method: 'POST', body: '{}' });
    expect(textPlain.status).toBe(415);
    expect(await statusWithHost(server, '/__control/requests', 'rebound.example:80')).toBe(403);
  });
});

describe('demo model', () => {
  const clock: Tool = { name: 'clock', description: 'Current time', input_schema: { type: 'object' } };

  it('labels its answers, quotes the user, and calls the clock tool for the time', async () => {
    const { client } = await start({ defaultResponder: demoModel });
    const plain = await client.messages.create({ model: MODEL, max_tokens: 500, messages: hello });
    const text = plain.content[0]?.type === 'text' ? plain.content[0].text : '';
    expect(text.startsWith(DEMO_PREFIX)).toBe(true);
    expect(text).toContain('> Hello there');

    const ask: MessageParam[] = [{ role: 'user', content: 'What time is it?' }];
    const call = await client.messages.create({ model: MODEL, max_tokens: 500, tools: [clock], messages: ask });
    const toolUse = call.content.find((block) => block.type === 'tool_use');
    expect(call.stop_reason).toBe('tool_use');
    expect(toolUse).toMatchObject({ name: 'clock', input: {} });

    const answer = await client.messages.create({
      model: MODEL,
      max_tokens: 500,
      tools: [clock],
      messages: [
        ...ask,
        { role: 'assistant', content: call.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse?.id ?? '', content: '14:05' }] },
      ],
    });
    expect(answer.content[0]).toMatchObject({ type: 'text' });
    expect(answer.content[0]?.type === 'text' && answer.content[0].text).toContain('14:05');
  });

  it('runs standalone from the CLI and announces its URL', async () => {
    const child = spawn('node_modules/.bin/tsx', ['tests/fixtures/model-server/cli.ts', '--port', '0', '--demo'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = await Promise.race([
        createInterface({ input: child.stdout })
          [Symbol.asyncIterator]()
          .next()
          .then((next) => [next.value as string]),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('CLI did not start')), 20_000)),
      ]);
      const ready = JSON.parse(line ?? '') as { ready: boolean; url: string; apiKey: string };
      expect(ready.ready).toBe(true);
      const client = new Anthropic({ apiKey: ready.apiKey, baseURL: ready.url, maxRetries: 0 });
      const message = await client.messages.create({ model: MODEL, max_tokens: 100, messages: hello });
      expect(message.content[0]?.type === 'text' && message.content[0].text).toContain(DEMO_PREFIX);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

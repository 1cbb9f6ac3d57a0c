/**
 * The stand-in enforces the real Messages API's limits (../shared/API-LIMITS.md)
 * with the same status codes and wording, so a product bug the live API would
 * reject cannot pass a test here: the context window, image limits, the body
 * size, whitespace-only text, sticky refusals, cut streams and a closed port.
 */
import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import type { ImageBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type ModelServer, type ModelServerOptions, startModelServer } from '../fixtures/model-server';

const MODEL = 'claude-sonnet-5-5';
const servers: ModelServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: ModelServerOptions = {}) {
  const server = await startModelServer({ minCacheableTokens: 0, ...options });
  servers.push(server);
  return { server, client: new Anthropic({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 }) };
}

async function rejection(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    return error as APIError;
  }
  throw new Error('expected the call to fail');
}

function png(width: number, height: number, noisy = false): string {
  const image = new PNG({ width, height });
  if (noisy) for (let i = 0; i < image.data.length; i++) image.data[i] = Math.floor(Math.random() * 256);
  return PNG.sync.write(image).toString('base64');
}

function image(data: string, mediaType: 'image/png' | 'image/jpeg' = 'image/png'): ImageBlockParam {
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } } as ImageBlockParam;
}

const ask = (content: MessageParam['content']): MessageParam[] => [{ role: 'user', content }];

describe('context window', () => {
  it('rejects a prompt over the model window with "prompt is too long: N tokens > M maximum"', async () => {
    const { client } = await start();
    const error = await rejection(
      client.messages.create({ model: MODEL, max_tokens: 10, messages: ask('x'.repeat(900_000)) }),
    );
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toMatch(/prompt is too long: 2250\d\d tokens > 200000 maximum/);
  });

  it('takes a per-model window, and stops an answer that does not fit with model_context_window_exceeded', async () => {
    const { server, client } = await start({ contextWindows: { [MODEL]: 1_000 } });
    server.script([{ kind: 'text', text: 'y'.repeat(4_000) }]);
    const message = await client.messages.create({ model: MODEL, max_tokens: 4_000, messages: ask('x'.repeat(3_000)) });
    expect(message.stop_reason).toBe('model_context_window_exceeded');
    const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
    expect(text.length).toBeLessThan(4_000);
    const tooLong = await rejection(
      client.messages.create({ model: MODEL, max_tokens: 10, messages: ask('x'.repeat(4_100)) }),
    );
    expect(tooLong.message).toContain('tokens > 1000 maximum');
    // Another model keeps the default window.
    await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: ask('x'.repeat(4_100)) });
  });

  it('counts an image by its pixels (w × h / 750), not by its base64 length', async () => {
    const { server, client } = await start();
    // Noise does not compress: ~480 kB of base64 would be ~120k tokens at 4 chars a token.
    const data = png(300, 400, true);
    expect(data.length).toBeGreaterThan(400_000);
    await client.messages.create({ model: MODEL, max_tokens: 10, messages: ask([image(data)]) });
    const usage = server.requests[0]?.usage;
    expect(usage?.input_tokens).toBeGreaterThanOrEqual(160);
    expect(usage?.input_tokens).toBeLessThan(300);
  });
});

describe('body size', () => {
  it('answers 413 request_too_large above 32 MB before even checking the key', async () => {
    const { server } = await start();
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'wrong', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: MODEL, max_tokens: 1, messages: ask('x'.repeat(33 * 1024 * 1024)) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { type: 'request_too_large' } });
  });
});

describe('text blocks', () => {
  it('rejects a whitespace-only text block, as the model sometimes streams one before a tool_use', async () => {
    const { client } = await start();
    const error = await rejection(
      client.messages.create({
        model: MODEL,
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [{ type: 'text', text: '\n\n' }] },
          { role: 'user', content: 'Again' },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('text content blocks must contain non-whitespace text');
  });

  it('rejects an empty text block inside a tool_result', async () => {
    const { client } = await start();
    const error = await rejection(
      client.messages.create({
        model: MODEL,
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'clock', input: {} }] },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '' }] }],
          },
        ],
      }),
    );
    expect(error.message).toContain('text content blocks must be non-empty');
  });
});

describe('images', () => {
  const create = (client: Anthropic, content: MessageParam['content']) =>
    client.messages.create({ model: MODEL, max_tokens: 10, messages: ask(content) });

  it('rejects a side over 8000 px', async () => {
    const { client } = await start();
    const error = await rejection(create(client, [image(png(8001, 4))]));
    expect(error.status).toBe(400);
    expect(error.message).toContain(
      'messages.0.content.0.image.source.base64.data: At least one of the image dimensions exceed max allowed size: 8000 pixels',
    );
  });

  it('allows 20 images over 2000 px, but not 21 (the many-image limit)', async () => {
    const { client } = await start();
    const big = png(2001, 4);
    await create(
      client,
      Array.from({ length: 20 }, () => image(big)),
    );
    const error = await rejection(
      create(
        client,
        Array.from({ length: 21 }, () => image(big)),
      ),
    );
    expect(error.message).toContain(
      'At least one of the image dimensions exceed max allowed size for many-image requests: 2000 pixels',
    );
    await create(
      client,
      Array.from({ length: 21 }, () => image(png(2000, 4))),
    );
  });

  it('rejects more than 100 images, an image over 5 MB, and bytes that do not match the media type', async () => {
    const { client } = await start();
    const small = png(4, 4);
    expect(
      (
        await rejection(
          create(
            client,
            Array.from({ length: 101 }, () => image(small)),
          ),
        )
      ).message,
    ).toContain('Too many images and documents: 101 > 100');
    const huge = small + 'A'.repeat(5 * 1024 * 1024);
    expect((await rejection(create(client, [image(huge)]))).message).toContain('image exceeds 5 MB maximum');
    expect((await rejection(create(client, [image(small, 'image/jpeg')]))).message).toContain(
      'Image does not match the provided media type image/jpeg',
    );
  });
});

describe('refusals', () => {
  it('refuses again while the refused user message is still in the conversation', async () => {
    const { server, client } = await start();
    server.script([
      { kind: 'stop_reason', stopReason: 'refusal', text: 'I cannot help with that.' },
      { kind: 'text', text: 'Happy to help with that instead.' },
    ]);
    const refused = await client.messages.create({ model: MODEL, max_tokens: 50, messages: ask('Do the bad thing') });
    expect(refused.stop_reason).toBe('refusal');
    const again = await client.messages.create({
      model: MODEL,
      max_tokens: 50,
      messages: [
        { role: 'user', content: 'Do the bad thing' },
        { role: 'assistant', content: 'I cannot help with that.' },
        { role: 'user', content: 'Please?' },
      ],
    });
    expect(again.stop_reason).toBe('refusal');
    expect(server.requests[1]?.answeredBy?.source).toBe('refusal');
    const rephrased = await client.messages.create({ model: MODEL, max_tokens: 50, messages: ask('Do a good thing') });
    expect(rephrased.stop_reason).toBe('end_turn');
    expect(rephrased.content[0]).toMatchObject({ text: 'Happy to help with that instead.' });
  });
});

describe('stream faults', () => {
  it('a TCP cut mid-stream is a connection error, and the request is recorded as cut', async () => {
    const { server, client } = await start();
    server.script([{ kind: 'cut', afterText: 'Partial answer', ending: 'reset' }]);
    const stream = client.messages.stream({ model: MODEL, max_tokens: 100, messages: ask('Hi') });
    const error = await rejection(stream.finalMessage());
    expect(error).toBeInstanceOf(Error);
    expect(server.requests[0]?.outcome).toBe('cut');
  });

  it('a body that ends before message_stop fails the stream', async () => {
    const { server, client } = await start();
    server.script([{ kind: 'cut', afterText: 'Partial answer', ending: 'eof' }]);
    const stream = client.messages.stream({ model: MODEL, max_tokens: 100, messages: ask('Hi') });
    await rejection(stream.finalMessage());
    expect(server.requests[0]?.outcome).toBe('cut');
  });

  it('unreachable mode refuses connections on the port until it is reachable again', async () => {
    const { server, client } = await start();
    await server.unreachable();
    const error = await rejection(client.messages.create({ model: MODEL, max_tokens: 10, messages: ask('Hi') }));
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    await server.reachable();
    const message = await client.messages.create({ model: MODEL, max_tokens: 10, messages: ask('Hi') });
    expect(message.stop_reason).toBe('end_turn');
  });
});

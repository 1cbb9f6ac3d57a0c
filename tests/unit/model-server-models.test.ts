import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { DEFAULT_MODELS } from '../fixtures/model-server/models-endpoint';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(() => server.close());

const client = (apiKey = server.apiKey) => new Anthropic({ apiKey, baseURL: server.url, maxRetries: 0 });

describe('model server: GET /v1/models like the real Models API', () => {
  it('pages with limit and after_id, so the SDK auto-paginates through every model once', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list({ limit: 2 })) ids.push(model.id);
    expect(ids).toEqual(DEFAULT_MODELS.map((m) => m.id));
    const first = await client().models.list({ limit: 2 });
    expect(first.data.map((m) => m.id)).toEqual(DEFAULT_MODELS.slice(0, 2).map((m) => m.id));
    expect(first.has_more).toBe(true);
    expect(first.last_id).toBe(DEFAULT_MODELS[1]?.id);
  });

  it('pages backwards with before_id and says when nothing is left', async () => {
    const last = DEFAULT_MODELS.at(-1)?.id ?? '';
    const page = await client().models.list({ before_id: last, limit: 2 });
    expect(page.data.map((m) => m.id)).toEqual(DEFAULT_MODELS.slice(-3, -1).map((m) => m.id));
    expect(page.has_more).toBe(true);
    const tail = await client().models.list({ after_id: DEFAULT_MODELS.at(-2)?.id ?? '', limit: 20 });
    expect(tail.data.map((m) => m.id)).toEqual([last]);
    expect(tail.has_more).toBe(false);
  });

  it('refuses a bad key (401 authentication_error) and a limit out of range (400 invalid_request_error)', async () => {
    const badKey = await client('wrong-key')
      .models.list()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(badKey).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((badKey as InstanceType<typeof Anthropic.AuthenticationError>).type).toBe('authentication_error');
    const tooMany = await client()
      .models.list({ limit: 1001 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(tooMany).toBeInstanceOf(Anthropic.BadRequestError);
    expect((tooMany as InstanceType<typeof Anthropic.BadRequestError>).type).toBe('invalid_request_error');
  });
});

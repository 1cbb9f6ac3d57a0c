/**
 * Context benchmarks, on the 200-turn scripted session of issue 17 (60k-character
 * tool outputs, a 2560 × 1440 screenshot every third turn), through the real
 * runtime and SDK against the faithful stand-in (200k window, real cache rules):
 * - context_peak_tokens_200_turns: the largest request of the session, in tokens
 *   (goal: ≤ the budget, itself ≤ 80% of the window).
 * - context_input_tokens_ratio: the session's total input tokens (plain + cache
 *   read + cache write) over the same session without context management — the
 *   whole history sent every call, as before issue 17 — measured in the same run
 *   on the same stand-in. That baseline fails for good once a request passes the
 *   window ("prompt is too long"); from there each of its remaining requests is
 *   counted at the window size (capped). Goal ≤ 0.35.
 * - cache_read_share_compacted: cache-read tokens over all input tokens of the
 *   managed session. Goal ≥ 0.8.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import { boundToolOutput } from '../extension/runtime/bound-output';
import { contextBudget } from '../extension/runtime/context/budget';
import type { ApiMessage } from '../extension/runtime/conversation-state';
import { withCacheBreakpoints } from '../extension/runtime/model-client';
import { DEFAULT_CONTEXT_WINDOW, startModelServer } from '../tests/fixtures/model-server';
import { pageText, runLongSession, screenshotPng, sessionModel, totalTokens } from '../tests/support/long-session';
import type { Metric } from './index';
import { round } from './stats';

const SESSION = { turns: 200, toolChars: 60_000, screenshotEvery: 3 };
const MODEL = 'claude-sonnet-5-5';

/** The same session with the whole history in every request; returns each request's input tokens. */
async function unmanagedSession(requestCount: number): Promise<number[]> {
  const server = await startModelServer({ defaultResponder: sessionModel(SESSION) });
  const client = new Anthropic({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });
  const screenshot = screenshotPng(2560, 1440);
  const tools = ['read_page', 'screenshot_page'].map((name) => ({
    name,
    description: 'Reads the next page of the report.',
    input_schema: { type: 'object' as const, properties: { step: { type: 'integer' } } },
  }));
  const messages: ApiMessage[] = [];
  const sizes: number[] = [];
  try {
    for (let step = 1; step <= SESSION.turns + 1 && sizes.length < requestCount; step++) {
      const text = step <= SESSION.turns ? `Step ${step}: read the next page.` : 'Thanks. What did you find?';
      messages.push({ role: 'user', content: [{ type: 'text', text }] });
      for (;;) {
        const message = await client.messages.create({
          model: MODEL,
          max_tokens: 4096,
          system: [{ type: 'text', text: 'You are Tandem.', cache_control: { type: 'ephemeral' } }],
          tools,
          messages: withCacheBreakpoints(messages) as unknown as MessageParam[],
        });
        sizes.push(
          message.usage.input_tokens +
            (message.usage.cache_read_input_tokens ?? 0) +
            (message.usage.cache_creation_input_tokens ?? 0),
        );
        const use = message.content.find((block) => block.type === 'tool_use');
        messages.push({ role: 'assistant', content: message.content as ApiMessage['content'] });
        if (use?.type !== 'tool_use') break;
        const step = Number((use.input as { step?: number }).step ?? 0);
        const output = boundToolOutput([
          { type: 'text', text: pageText(step, SESSION.toolChars) },
          ...(use.name === 'screenshot_page'
            ? [
                {
                  type: 'image' as const,
                  source: { type: 'base64' as const, media_type: 'image/png' as const, data: screenshot },
                },
              ]
            : []),
        ]);
        messages.push({
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: use.id, content: output.content }],
        });
      }
    }
  } catch (error) {
    // "prompt is too long": the thread is dead from here on; count what it would have sent, capped at the window.
    if (!(error instanceof Anthropic.BadRequestError)) throw error;
    console.error(`  unmanaged session failed after ${sizes.length} requests: ${error.message}`);
  } finally {
    await server.close();
  }
  while (sizes.length < requestCount) sizes.push(DEFAULT_CONTEXT_WINDOW);
  return sizes;
}

export async function runContextBench(): Promise<Metric[]> {
  const started = Date.now();
  const managed = await runLongSession(SESSION);
  console.error(
    `  managed session: ${managed.requests.length} requests, ${managed.compactions} compactions, ${Math.round((Date.now() - started) / 1000)} s`,
  );
  if (managed.failedTasks > 0) throw new Error(`${managed.failedTasks} task(s) of the managed session failed`);
  const totals = managed.requests.map(totalTokens);
  const total = totals.reduce((sum, value) => sum + value, 0);
  const cacheRead = managed.requests.reduce((sum, request) => sum + request.cacheRead, 0);
  const modelCalls = managed.requests.length - managed.compactions;
  const baseline = (await unmanagedSession(modelCalls)).reduce((sum, value) => sum + value, 0);
  const budget = contextBudget(MODEL, 0.5, 4096, 6).tokens;
  console.error(`  budget ${budget} tokens; managed total ${total}, unmanaged (capped) ${baseline}`);
  return [
    { metric: 'context_peak_tokens_200_turns', value: Math.max(...totals), unit: 'tokens' },
    { metric: 'context_input_tokens_ratio', value: round(total / baseline, 3), unit: 'ratio' },
    { metric: 'cache_read_share_compacted', value: round(cacheRead / total, 3), unit: 'share' },
  ];
}

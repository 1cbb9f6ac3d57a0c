/**
 * Context management end to end (issue 17, items 1, 2 and 5) on the faithful
 * stand-in, which rejects a prompt past the 200k window as the API does. Before
 * it, a session like these failed for good at about turn 17.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { contextBudget } from '../../extension/runtime/context/budget';
import { DEFAULT_CONTEXT_WINDOW, type ModelServer, startModelServer } from '../fixtures/model-server';
import { type LongSessionResult, runLongSession, totalTokens } from '../support/long-session';
import { connect, newThread, startRuntime, waitUntil } from '../support/runtime-harness';

const budget = contextBudget('claude-sonnet-5-5', 0.5, 4096, 6).tokens;

describe('the 200-turn session (60k-character tool outputs, a 2560 × 1440 screenshot every third turn)', () => {
  let result: LongSessionResult;
  beforeAll(async () => {
    result = await runLongSession({ turns: 200, toolChars: 60_000, screenshotEvery: 3 });
  }, 400_000);

  it('completes every turn, no request rejected', () => {
    expect(result.failedTasks).toBe(0);
    expect(result.completedTasks).toBe(201);
    expect(result.requests.filter((request) => request.status !== 200)).toEqual([]);
  });

  it('keeps every request under the budget, and the budget under 80% of the window', () => {
    expect(Math.max(...result.requests.map(totalTokens))).toBeLessThanOrEqual(budget);
    expect(budget).toBeLessThanOrEqual(DEFAULT_CONTEXT_WINDOW * 0.8);
  });

  it('summarised older turns into durable events, and the full history stays in the log', () => {
    expect(result.compactions).toBeGreaterThan(0);
    const stored = result.events.filter((e) => e.kind === 'tool_result');
    expect(stored).toHaveLength(200);
    expect(stored.every((e) => e.kind === 'tool_result' && JSON.stringify(e.content).length > 40_000)).toBe(true);
  });

  it('stored screenshots scaled to a long side of at most 1568 px', () => {
    expect(result.storedImageSides.length).toBeGreaterThanOrEqual(66);
    expect(Math.max(...result.storedImageSides)).toBeLessThanOrEqual(1568);
  });

  it('leaves the thread usable', () => {
    expect(result.usableAfter).toBe(true);
  });
});

describe('the API says the context is too big', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await startModelServer({ minCacheableTokens: 0 });
    return () => server.close();
  });

  it('model_context_window_exceeded shrinks the context and continues the answer', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    server.script([
      { kind: 'tool_use', name: 'clock', input: {} },
      { kind: 'stop_reason', stopReason: 'model_context_window_exceeded', text: 'The time is' },
      { kind: 'text', text: 'Summary: asked the time.' },
      { kind: 'text', text: ' half past four.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'What time is it?' });
    await waitUntil(() => panel.events(threadId).some((e) => e.kind === 'task_finished'), 15_000);
    const finished = panel.events(threadId).find((e) => e.kind === 'task_finished');
    expect(finished).toMatchObject({ outcome: 'completed' });
    expect(panel.events(threadId).some((e) => e.kind === 'context_compacted')).toBe(true);
    const last = server.requests.at(-1)?.body;
    expect(JSON.stringify(last?.messages.at(-1))).toContain('The time is');
  });
});

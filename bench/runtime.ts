/**
 * Runtime benchmarks.
 * - runtime_step_overhead_ms: in the real extension (Chromium service worker, real IndexedDB), one tool step
 *   through the runtime minus the same step done by a bare loop over the same model client and tool in the
 *   same worker (the baseline), against a zero-latency scripted model. What remains is the runtime's own
 *   cost: durable writes, planning, permission checks, publishing.
 * - thread_open_10k_ms: the side panel opening a 10,000-message thread until its newest message is painted;
 *   baseline: the same for a 10-message thread.
 * - cache_read_share: share of input tokens read from the prompt cache over turns 2-20 of a 20-turn tool
 *   session that starts from an 8 KB user document (the scripted server applies the real 1,024-token minimum).
 */
import type { Page, Worker } from 'playwright-core';
import type { EventBody } from '../shared/protocol';
import { launchExtensionBrowser, makeSandbox } from '../tests/e2e/support/chromium';
import { type ModelServer, startModelServer } from '../tests/fixtures/model-server';
import { connect, newThread, startRuntime, waitUntil } from '../tests/support/runtime-harness';
import type { Metric } from './index';
import { median, round } from './stats';

const STEPS = 30;
const REPEATS = 5;

interface WorkerHandle {
  tandem: {
    runtime: {
      attach(
        kind: string,
        send: (m: { type: string; threadId?: string; event?: { kind: string } }) => void,
      ): {
        receive(raw: unknown): Promise<void>;
      };
    };
    settings: { update(patch: Record<string, unknown>): Promise<unknown> };
    model: { call(request: Record<string, unknown>): Promise<{ content: Array<Record<string, unknown>> }> };
    tools: {
      get(name: string): { execute(input: unknown, ctx: unknown): Promise<{ content: unknown[] }> } | undefined;
      specs(): unknown[];
    };
    log: { append(threadId: string, bodies: unknown[]): Promise<unknown> };
  };
}

async function timeRuntimeTask(worker: Worker, server: ModelServer): Promise<number> {
  server.script([
    ...Array.from({ length: STEPS }, () => ({ kind: 'tool_use' as const, name: 'clock', input: {} })),
    { kind: 'text', text: 'done' },
  ]);
  return worker.evaluate(async () => {
    const { tandem } = globalThis as unknown as WorkerHandle;
    let threadId = '';
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const client = tandem.runtime.attach('panel', (m) => {
      if (m.type === 'ack' && m.threadId) threadId = m.threadId;
      if (m.type === 'thread.event' && m.event?.kind === 'task_finished') resolveDone();
    });
    await client.receive({ type: 'thread.create', id: `bench-c-${Math.random()}` });
    await client.receive({ type: 'thread.subscribe', id: `bench-s-${Math.random()}`, threadId, tail: 1 });
    const started = performance.now();
    await client.receive({ type: 'message.send', id: `bench-m-${Math.random()}`, threadId, text: 'go' });
    await done;
    return performance.now() - started;
  });
}

async function timeBaseline(worker: Worker, server: ModelServer): Promise<number> {
  server.script([
    ...Array.from({ length: STEPS }, () => ({ kind: 'tool_use' as const, name: 'clock', input: {} })),
    { kind: 'text', text: 'done' },
  ]);
  return worker.evaluate(
    async ({ url, apiKey }) => {
      const { tandem } = globalThis as unknown as WorkerHandle;
      const clock = tandem.tools.get('clock');
      const messages: Array<{ role: string; content: unknown[] }> = [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
      ];
      const started = performance.now();
      for (;;) {
        const response = await tandem.model.call({
          apiKey,
          baseUrl: url,
          model: 'claude-sonnet-5-5',
          maxTokens: 1024,
          system: 'bench',
          tools: tandem.tools.specs(),
          messages,
          signal: new AbortController().signal,
          onText: () => {},
        });
        messages.push({ role: 'assistant', content: response.content });
        const uses = response.content.filter((b) => b.type === 'tool_use');
        if (uses.length === 0) break;
        const results = [];
        for (const use of uses) {
          const output = await clock?.execute({}, { now: () => new Date() });
          results.push({ type: 'tool_result', tool_use_id: use.id, content: output?.content ?? [] });
        }
        messages.push({ role: 'user', content: results });
      }
      return performance.now() - started;
    },
    { url: server.url, apiKey: server.apiKey },
  );
}

async function seedThread(page: Page, worker: Worker, messages: number): Promise<string> {
  const threadId = await page.evaluate(async (title) => {
    const client = window.tandem?.client;
    if (!client) throw new Error('no client');
    const id = await client.send({ type: 'thread.create', title });
    return id ?? '';
  }, `bench ${messages}`);
  const bodies: EventBody[] = [];
  const by = { kind: 'panel' as const, clientId: 'bench' };
  const usage = { inputTokens: 10, outputTokens: 10, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
  for (let i = 0; i < messages / 2; i++) {
    bodies.push(
      { kind: 'user_message', text: `question ${i}`, by, commandId: `seed-${i}` },
      { kind: 'task_started', taskId: `k${i}` },
      { kind: 'turn_started', taskId: `k${i}`, turnId: `a${i}`, model: 'claude-sonnet-5-5', attempt: 1 },
      {
        kind: 'assistant_message',
        taskId: `k${i}`,
        turnId: `a${i}`,
        model: 'claude-sonnet-5-5',
        content: [
          { type: 'text', text: `answer ${i}: some **markdown** text that is long enough to wrap a line or two.` },
        ],
        stopReason: 'end_turn',
        usage,
        costUsd: 0.0001,
      },
      { kind: 'task_finished', taskId: `k${i}`, outcome: 'completed' },
    );
  }
  for (let i = 0; i < bodies.length; i += 2000) {
    await worker.evaluate(({ id, chunk }) => (globalThis as unknown as WorkerHandle).tandem.log.append(id, chunk), {
      id: threadId,
      chunk: bodies.slice(i, i + 2000),
    });
  }
  return threadId;
}

async function timeOpen(page: Page, title: string, newest: string): Promise<number> {
  await page.reload();
  await page.waitForFunction(() => window.tandem?.client.threads.length);
  const started = Date.now();
  await page.getByText(title, { exact: true }).first().click();
  await page.getByText(newest).first().waitFor({ state: 'visible' });
  return Date.now() - started;
}

async function browserMetrics(): Promise<Metric[]> {
  const server = await startModelServer({ minCacheableTokens: 0 });
  const sandbox = makeSandbox('bench-runtime');
  const browser = await launchExtensionBrowser(sandbox.root);
  try {
    const { worker } = browser;
    await worker.evaluate(
      ({ url, apiKey }) =>
        (globalThis as unknown as WorkerHandle).tandem.settings.update({
          apiKey,
          baseUrl: url,
          spendingCapEnabled: false,
          notifyOnFinish: false,
        }),
      { url: server.url, apiKey: server.apiKey },
    );
    // Warm up both paths once.
    await timeBaseline(worker, server);
    await timeRuntimeTask(worker, server);
    const runtime: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      baseline.push(await timeBaseline(worker, server));
      runtime.push(await timeRuntimeTask(worker, server));
    }
    const steps = STEPS + 1;
    const overhead = (median(runtime) - median(baseline)) / steps;

    const page = await browser.openPanel();
    await seedThread(page, worker, 10);
    await seedThread(page, worker, 10_000);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < 3; i++) {
      small.push(await timeOpen(page, 'bench 10', 'answer 4:'));
      large.push(await timeOpen(page, 'bench 10000', 'answer 4999:'));
    }
    return [
      { metric: 'runtime_step_ms', value: round(median(runtime) / steps), unit: 'ms' },
      { metric: 'baseline_step_ms', value: round(median(baseline) / steps), unit: 'ms' },
      { metric: 'runtime_step_overhead_ms', value: round(Math.max(0, overhead)), unit: 'ms' },
      { metric: 'thread_open_10_ms', value: median(small), unit: 'ms' },
      { metric: 'thread_open_10k_ms', value: median(large), unit: 'ms' },
      { metric: 'thread_open_10k_ratio', value: round(median(large) / Math.max(1, median(small))), unit: 'x' },
    ];
  } finally {
    await browser.close();
    await server.close();
    sandbox.cleanup();
  }
}

async function cacheShare(): Promise<Metric[]> {
  // The real minimum cacheable prefix (1,024 tokens) applies here.
  const server = await startModelServer();
  try {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    await assembled.settings.update({ spendingCapEnabled: false });
    const client = connect(assembled);
    const threadId = await newThread(client);
    server.script([
      ...Array.from({ length: 19 }, (_, i) => ({
        kind: 'tool_use' as const,
        name: 'clock',
        input: {},
        text: `Step ${i + 1}: checking the time again.`,
      })),
      { kind: 'text', text: 'Summary done.' },
    ]);
    const documentText = Array.from({ length: 160 }, (_, i) => `Line ${i} of the report the user pasted in.`).join(' ');
    await client.command({
      type: 'message.send',
      threadId,
      text: `Summarise this, checking the time per step:\n${documentText}`,
    });
    await waitUntil(() => client.events(threadId).some((e) => e.kind === 'task_finished'), 60_000, 'the session');
    const usages = server.requests.slice(1, 20).map((r) => r.usage);
    let read = 0;
    let total = 0;
    for (const usage of usages) {
      if (!usage) continue;
      read += usage.cache_read_input_tokens ?? 0;
      total += usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
    }
    return [{ metric: 'cache_read_share', value: round(read / Math.max(1, total), 3), unit: 'share' }];
  } finally {
    await server.close();
  }
}

export async function runRuntimeBench(): Promise<Metric[]> {
  return [...(await cacheShare()), ...(await browserMetrics())];
}

/**
 * The long scripted session of issue 17, shared by its test and its benchmark:
 * `turns` user messages, each answered by one tool call whose output is
 * `toolChars` characters of page text (with a full-size screenshot every
 * `screenshotEvery` turns) and then a short answer. The stand-in answers from
 * the request (a responder, not a fixed script), so compaction requests get a
 * summary wherever they happen.
 */
import { PNG } from 'pngjs';
import { z } from 'zod';
import { COMPACTION_SYSTEM } from '../../extension/runtime/context/compactor';
import type { ToolDefinition } from '../../extension/tools/registry';
import type { ThreadEvent } from '../../shared/protocol';
import { type JsonTurn, type MessagesRequest, type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime, waitUntil } from './runtime-harness';

export interface LongSessionOptions {
  turns: number;
  toolChars: number;
  screenshotEvery: number;
  /** Screenshot size as the tab captures it (before any resizing). */
  screenshotSize?: { width: number; height: number };
}

export interface RequestSize {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  status: number | null;
}

export interface LongSessionResult {
  requests: RequestSize[];
  failedTasks: number;
  completedTasks: number;
  compactions: number;
  events: ThreadEvent[];
  /** A message sent after the session got an answer. */
  usableAfter: boolean;
  storedImageSides: number[];
}

/** A screenshot-like PNG: flat bands of colour compress like a real page does. */
export function screenshotPng(width: number, height: number): string {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    const band = Math.floor(y / 40) % 4;
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      image.data[at] = 240 - band * 30;
      image.data[at + 1] = 240 - ((x >> 6) % 3) * 20;
      image.data[at + 2] = 250;
      image.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(image).toString('base64');
}

export function pageText(step: number, chars: number): string {
  const sentence = `Page ${step} of the report: figures, tables and notes that the agent read while browsing. `;
  return sentence.repeat(Math.ceil(chars / sentence.length)).slice(0, chars);
}

function sessionTools(options: LongSessionOptions): ToolDefinition[] {
  const size = options.screenshotSize ?? { width: 2560, height: 1440 };
  const screenshot = screenshotPng(size.width, size.height);
  const Step = z.object({ step: z.number().int() });
  const read: ToolDefinition<typeof Step> = {
    name: 'read_page',
    description: 'Reads the next page of the report.',
    input: Step,
    risk: 'read',
    idempotent: true,
    async execute({ step }) {
      return { content: [{ type: 'text', text: pageText(step, options.toolChars) }] };
    },
  };
  const shot: ToolDefinition<typeof Step> = {
    name: 'screenshot_page',
    description: 'Reads the next page and takes a screenshot of it.',
    input: Step,
    risk: 'read',
    idempotent: true,
    async execute({ step }) {
      return {
        content: [
          { type: 'text', text: pageText(step, options.toolChars) },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: screenshot } },
        ],
      };
    },
  };
  return [read, shot] as unknown as ToolDefinition[];
}

function systemText(request: MessagesRequest): string {
  const { system } = request;
  if (typeof system === 'string') return system;
  return (system ?? []).map((block) => block.text).join('\n');
}

/** The stand-in model for the session: summaries for compaction requests, otherwise read, then answer. */
export function sessionModel(options: LongSessionOptions) {
  return (request: MessagesRequest): JsonTurn => {
    if (systemText(request) === COMPACTION_SYSTEM) {
      return {
        kind: 'text',
        text: 'Summary: the user asked me to read the report page by page; I did so and answered each time.',
      };
    }
    const last = request.messages.at(-1);
    const content = typeof last?.content === 'string' ? [{ type: 'text', text: last.content }] : (last?.content ?? []);
    const result = content.find((block) => block.type === 'tool_result');
    if (result) return { kind: 'text', text: 'Done: I read that page and noted its figures.' };
    const text = content
      .flatMap((block) => (block.type === 'text' && 'text' in block ? [String(block.text)] : []))
      .join(' ');
    const step = Number(/Step (\d+)/.exec(text)?.[1] ?? 0);
    if (step === 0) return { kind: 'text', text: 'I read every page; the figures are in my notes above.' };
    const name = step > 0 && step % options.screenshotEvery === 0 ? 'screenshot_page' : 'read_page';
    return { kind: 'tool_use', name, input: { step } };
  };
}

export async function runLongSession(options: LongSessionOptions, server?: ModelServer): Promise<LongSessionResult> {
  const own = server === undefined;
  const model = server ?? (await startModelServer({ defaultResponder: sessionModel(options) }));
  try {
    const { assembled } = await startRuntime({ baseUrl: model.url, apiKey: model.apiKey });
    assembled.tools.register(...sessionTools(options));
    const panel = connect(assembled, 'panel');
    const threadId = await newThread(panel);
    const finished = () => panel.events(threadId).filter((e) => e.kind === 'task_finished').length;
    for (let step = 1; step <= options.turns + 1; step++) {
      const text = step <= options.turns ? `Step ${step}: read the next page.` : 'Thanks. What did you find?';
      await panel.command({ type: 'message.send', threadId, text });
      await waitUntil(() => finished() >= step, 60_000, `turn ${step}`);
    }
    await assembled.runtime.idle();
    const events = await assembled.log.all(threadId);
    const outcomes = events.flatMap((e) => (e.kind === 'task_finished' ? [e.outcome] : []));
    const last = events.findLast((e) => e.kind === 'assistant_message');
    const storedImageSides = events.flatMap((e) =>
      e.kind === 'tool_result'
        ? e.content.flatMap((block) => {
            if (block.type !== 'image') return [];
            const png = PNG.sync.read(Buffer.from(block.source.data, 'base64'));
            return [Math.max(png.width, png.height)];
          })
        : [],
    );
    return {
      requests: model.requests.map((request) => ({
        input: request.usage?.input_tokens ?? 0,
        cacheRead: request.usage?.cache_read_input_tokens ?? 0,
        cacheWrite: request.usage?.cache_creation_input_tokens ?? 0,
        status: request.status,
      })),
      failedTasks: outcomes.filter((outcome) => outcome !== 'completed').length,
      completedTasks: outcomes.filter((outcome) => outcome === 'completed').length,
      compactions: events.filter((e) => e.kind === 'context_compacted').length,
      events,
      usableAfter: outcomes.at(-1) === 'completed' && last?.kind === 'assistant_message' && last.content.length > 0,
      storedImageSides,
    };
  } finally {
    if (own) await model.close();
  }
}

export function totalTokens(request: RequestSize): number {
  return request.input + request.cacheRead + request.cacheWrite;
}

/**
 * Runs the real runtime (same assembly as the extension) in Node, on an
 * in-memory IndexedDB, against the scripted model server over real HTTP.
 * Clients are in-memory connections speaking the same protocol as the panel.
 */
import 'fake-indexeddb/auto';
import { type AssembledRuntime, assembleRuntime } from '../../extension/runtime/assemble';
import type { ClientKind, CommandInput, RuntimeMessage, ThreadEvent } from '../../shared/protocol';
import { PngResizer } from './png-resizer';

let counter = 0;

export interface TestClient {
  messages: RuntimeMessage[];
  /** Sends a command and resolves with its ack or error. */
  command(command: CommandInput & { id?: string }): Promise<RuntimeMessage>;
  raw(value: unknown): Promise<void>;
  /** Events of a thread received so far (pages and live), in arrival order. */
  events(threadId: string): ThreadEvent[];
  waitForEvent(threadId: string, predicate: (e: ThreadEvent) => boolean, timeoutMs?: number): Promise<ThreadEvent>;
  detach(): void;
}

export async function waitUntil(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function connect(assembled: AssembledRuntime, kind: ClientKind = 'panel'): TestClient {
  const messages: RuntimeMessage[] = [];
  const attached = assembled.runtime.attach(kind, (m) => messages.push(structuredClone(m)));
  const events = (threadId: string) =>
    messages.flatMap((m) =>
      m.type === 'thread.page' && m.threadId === threadId
        ? m.events
        : m.type === 'thread.event' && m.threadId === threadId
          ? [m.event]
          : [],
    );
  return {
    messages,
    async command(command) {
      const id = command.id ?? `cmd-${++counter}`;
      await attached.receive({ ...command, id });
      const answer = messages.find((m) => (m.type === 'ack' || m.type === 'error') && m.commandId === id);
      if (!answer) throw new Error(`No answer to ${id}`);
      return answer;
    },
    raw: (value) => attached.receive(value),
    events,
    async waitForEvent(threadId, predicate, timeoutMs = 10_000) {
      let found: ThreadEvent | undefined;
      await waitUntil(
        () => {
          found = events(threadId).find(predicate);
          return found !== undefined;
        },
        timeoutMs,
        'an event',
      );
      return found as ThreadEvent;
    },
    detach: attached.detach,
  };
}

export async function startRuntime(options: {
  databaseName?: string;
  baseUrl: string;
  apiKey: string;
  capUsd?: number;
}) {
  const databaseName = options.databaseName ?? `tandem-test-${process.pid}-${++counter}`;
  // Node has no OffscreenCanvas: tool images are scaled with the PNG resizer, as the extension does with canvas.
  const assembled = assembleRuntime({ databaseName, images: new PngResizer() });
  await assembled.settings.update({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    model: 'claude-sonnet-5-5',
    spendingCapEnabled: options.capUsd !== undefined,
    ...(options.capUsd === undefined ? {} : { spendingCapUsd: options.capUsd }),
  });
  return { assembled, databaseName };
}

export async function newThread(client: TestClient): Promise<string> {
  const ack = await client.command({ type: 'thread.create' });
  if (ack.type !== 'ack' || !ack.threadId) throw new Error(`thread.create failed: ${JSON.stringify(ack)}`);
  await client.command({ type: 'thread.subscribe', threadId: ack.threadId, tail: 400 });
  return ack.threadId;
}

/** Checks the invariant clients rely on: seqs 1..n, each once, in order. */
export function assertContiguous(events: readonly ThreadEvent[], from = 1): void {
  events.forEach((event, i) => {
    if (event.seq !== from + i) {
      throw new Error(`Expected seq ${from + i} at index ${i}, got ${event.seq} (${event.kind})`);
    }
  });
}

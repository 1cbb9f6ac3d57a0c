/**
 * One connection: frames in on stdin, answers out on stdout, until stdin ends
 * (the browser closed the port). Every complete frame gets exactly one answer,
 * good or bad.
 *
 * Scheduling (path-scoped ordering): requests start in arrival order, except
 * that a read may start before an earlier read that is still waiting. A request
 * waits only for running requests it conflicts with (path-order.ts): reads never
 * conflict with reads, and a change conflicts with whatever touches its paths
 * as the host resolves them, symlinks included (request-footprint.ts). So a
 * client that sends `write_file` and then `read_file` without waiting reads what
 * it wrote, a read inside a folder being trashed sees it gone, while a long
 * trash, move or search does not delay anything about other paths.
 *
 * A waiting change holds back everything after it, so a footprint is worked out
 * only once everything before it has started, and again after any change ended
 * (that change may have moved what it names). A change may overtake a waiting
 * read only when it cannot alter what that read will see: it touches none of
 * the read's paths, and what the read waits for cannot redirect its lookup (a
 * trash or a write keeps it inside their own paths; a move may bring symlinks
 * that lead anywhere, so then the change waits).
 *
 * `cancel` skips the queue: waiting behind the work it should stop would defeat
 * it; a cancel for a request still in the queue makes it start cancelled. So does `hello`: it depends on no file, and a client must be able to tell
 * "busy" from "dead".
 */
import type { Readable, Writable } from 'node:stream';
import {
  MAX_HOST_MESSAGE_BYTES,
  type NativeHostErrorCode,
  NativeHostRequest,
  type NativeHostResponse,
} from '../../shared/protocol/native-host';
import type { HostContext } from './context';
import { dispatch } from './dispatch';
import { HostError, toHostError } from './errors';
import { type DecodedFrame, encodeAnswerFrame, encodeFrame, FrameDecoder } from './framing';
import { conflicts, type Scheduled } from './path-order';
import { isReadOnlyOp, scheduleOf, unscopedQuickRead } from './request-footprint';

const MAX_CONCURRENT = 16;
/** Answered at once, beside whatever runs (see the scheduling note above). */
const OUT_OF_BAND_OPS: ReadonlySet<NativeHostRequest['op']> = new Set([
  'cancel',
  'hello',
  // Local MCP servers touch no allowed folder; a long `mcp.recv` poll must not hold back file work.
  'mcp.start',
  'mcp.send',
  'mcp.recv',
  'mcp.stop',
  'mcp.log',
]);
/** Stop reading while this many requests wait, so a flood cannot grow memory without bound. */
const MAX_QUEUED = 256;
const IDLE_TRANSFER_MS = 10 * 60 * 1000;

/** The id a long operation (search, move, trash) can be cancelled by, if the request gave one. */
function cancellableId(request: NativeHostRequest): string | undefined {
  return request.op === 'search' || request.op === 'move' || request.op === 'trash' ? request.transferId : undefined;
}

interface Waiting {
  request: NativeHostRequest;
  /** Worked out when it first could start; again after any change ended, since it may be stale. */
  scheduled: Scheduled | null;
  computedAt: number;
}

export interface SessionIo {
  input: Readable;
  output: Writable;
}

/** The id of a request we could not parse, if it has a usable one. */
export function salvageId(value: Record<string, unknown>): string | null {
  const id = value.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

export function describeParseError(
  value: Record<string, unknown>,
  error: { issues: readonly { path: readonly PropertyKey[]; message: string; code?: string }[] },
): string {
  if (typeof value.op !== 'string') return 'the request has no "op"';
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  if (issue.path.length === 1 && issue.path[0] === 'op') return `unknown op ${JSON.stringify(value.op).slice(0, 80)}`;
  const where = issue.path.map(String).join('.') || 'request';
  return `${value.op}: ${where}: ${issue.message}`.slice(0, 500);
}

export class AnswerWriter {
  constructor(private readonly output: Writable) {}

  /** Sends one answer; one that would break the 1 MiB cap is replaced by `too_large`. Returns false under backpressure. */
  send(response: NativeHostResponse): boolean {
    let frame = encodeAnswerFrame(response);
    if (frame.length - 4 >= MAX_HOST_MESSAGE_BYTES) {
      frame = encodeFrame({
        id: response.id,
        ok: false,
        error: {
          code: 'too_large',
          message: 'the answer would exceed the 1 MiB native messaging limit; ask for less (a smaller range or page)',
        },
      } satisfies NativeHostResponse);
    }
    return this.output.write(frame);
  }

  fail(id: string | null, code: NativeHostErrorCode, message: string): boolean {
    return this.send({ id, ok: false, error: { code, message } });
  }

  /** Resolves once everything written so far has been handed to the OS. */
  flush(): Promise<void> {
    return new Promise((resolve) => this.output.write('', () => resolve()));
  }
}

export function runSession(io: SessionIo, ctx: HostContext): Promise<void> {
  const decoder = new FrameDecoder();
  const writer = new AnswerWriter(io.output);
  const queue: Waiting[] = [];
  const running = new Set<Scheduled>();
  /** Bumped when a change ends: a footprint worked out before that may be stale. */
  let changesEnded = 0;
  let admitting = false;
  let admitAgain = false;
  let outOfBand = 0;
  let inputEnded = false;
  let pausedForOutput = false;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const sweep = setInterval(() => {
    void ctx.transfers.expireIdle(Date.now(), IDLE_TRANSFER_MS);
  }, 60_000);
  sweep.unref();

  const updateFlow = () => {
    if (pausedForOutput || queue.length >= MAX_QUEUED) io.input.pause();
    else if (!inputEnded) io.input.resume();
  };

  const send = (response: NativeHostResponse) => {
    if (!writer.send(response) && !pausedForOutput) {
      pausedForOutput = true;
      updateFlow();
      io.output.once('drain', () => {
        pausedForOutput = false;
        updateFlow();
      });
    }
  };

  let finishing = false;
  const maybeFinish = async () => {
    if (finishing || !inputEnded || admitting || running.size > 0 || outOfBand > 0 || queue.length > 0) return;
    finishing = true;
    clearInterval(sweep);
    await ctx.transfers.closeAll();
    await ctx.mcp.stopAll();
    await writer.flush();
    finish();
  };

  const run = async (request: NativeHostRequest) => {
    try {
      const result = await dispatch(request, ctx);
      send({ id: request.id, ok: true, result });
    } catch (error) {
      const hostError = toHostError(error);
      if (hostError.code === 'internal') console.error('tandem-host: internal error', error);
      send({ id: request.id, ok: false, error: hostError.toWire() });
    }
  };

  const start = (item: Waiting, scheduled: Scheduled) => {
    running.add(scheduled);
    void run(item.request).finally(() => {
      running.delete(scheduled);
      if (scheduled.changes) changesEnded++;
      pump();
      void maybeFinish();
    });
  };

  /** Starts every queued request that may start now (see the scheduling note above). */
  const admit = async () => {
    let index = 0;
    /** Reads left waiting so far; a later change may overtake them only if it cannot change what they see. */
    const waitingReads: Scheduled[] = [];
    let waitingReadsSettled = true;
    while (index < queue.length && running.size < MAX_CONCURRENT) {
      const item = queue[index] as Waiting;
      const changes = !isReadOnlyOp(item.request.op);
      if (changes && !waitingReadsSettled) break;
      // A quick read while nothing changes starts at once (it conflicts with no running read).
      const unscoped = [...running].some((other) => other.changes) ? null : unscopedQuickRead(item.request.op);
      if (unscoped) {
        item.scheduled = unscoped;
      } else if (item.scheduled === null || item.computedAt !== changesEnded) {
        const computedAt = changesEnded;
        item.scheduled = await scheduleOf(item.request, ctx);
        item.computedAt = computedAt;
      }
      const scheduled = item.scheduled;
      const blockers = [...running].filter((other) => conflicts(other, scheduled));
      if (blockers.length === 0 && !waitingReads.some((read) => conflicts(read, scheduled))) {
        queue.splice(index, 1);
        start(item, scheduled);
        continue;
      }
      if (changes) break;
      waitingReads.push(scheduled);
      // What this read will find is settled unless a blocker may redirect its lookup elsewhere.
      if (blockers.some((blocker) => blocker.redirects)) waitingReadsSettled = false;
      index++;
    }
  };

  const pump = () => {
    if (admitting) {
      admitAgain = true;
      return;
    }
    admitting = true;
    void (async () => {
      try {
        do {
          admitAgain = false;
          await admit();
        } while (admitAgain);
      } finally {
        admitting = false;
      }
      updateFlow();
      void maybeFinish();
    })();
    updateFlow();
  };

  const handleFrame = (frame: DecodedFrame) => {
    if (frame.kind === 'error') {
      send({ id: null, ok: false, error: { code: frame.code, message: frame.message } });
      return;
    }
    const parsed = NativeHostRequest.safeParse(frame.value);
    if (!parsed.success) {
      send({
        id: salvageId(frame.value),
        ok: false,
        error: new HostError('bad_request', describeParseError(frame.value, parsed.error)).toWire(),
      });
      return;
    }
    const request = parsed.data;
    if (request.op === 'cancel' && queue.some((item) => cancellableId(item.request) === request.transferId)) {
      ctx.transfers.cancelBeforeStart(request.transferId);
    }
    if (OUT_OF_BAND_OPS.has(request.op)) {
      outOfBand++;
      void run(request).finally(() => {
        outOfBand--;
        void maybeFinish();
      });
      return;
    }
    queue.push({ request, scheduled: null, computedAt: -1 });
  };

  io.input.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) handleFrame(frame);
    pump();
  });
  io.input.on('end', () => {
    inputEnded = true;
    // The browser is gone: its MCP servers go too, which also ends any `mcp.recv` poll waiting on them.
    void ctx.mcp.stopAll();
    for (const frame of decoder.end()) handleFrame(frame);
    pump();
    void maybeFinish();
  });
  io.input.on('error', () => {
    inputEnded = true;
    void maybeFinish();
  });
  return done;
}

/** For a refused caller: every frame is answered `forbidden_caller`, then the host exits. */
export function refuseEverything(io: SessionIo, message: string): Promise<void> {
  const decoder = new FrameDecoder();
  const writer = new AnswerWriter(io.output);
  return new Promise((resolve) => {
    const answer = (frames: DecodedFrame[]) => {
      for (const frame of frames) {
        writer.fail(frame.kind === 'message' ? salvageId(frame.value) : null, 'forbidden_caller', message);
      }
      return frames.length;
    };
    const stop = () => {
      clearTimeout(timer);
      io.input.removeAllListeners('data');
      void writer.flush().then(resolve);
    };
    // A refused caller gets a moment to send its first message, and no more.
    const timer = setTimeout(stop, 2000);
    io.input.on('data', (chunk: Buffer) => {
      if (answer(decoder.push(chunk)) > 0) stop();
    });
    io.input.on('end', () => {
      answer(decoder.end());
      stop();
    });
    io.input.on('error', stop);
  });
}

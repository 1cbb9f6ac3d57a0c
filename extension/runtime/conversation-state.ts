/**
 * The engine's own reading of a thread's log: what the model has been told so far
 * and where the current task stands. Pure and incremental (`reduce` one event at a
 * time), so the runtime rebuilds it from IndexedDB after a restart and keeps it up
 * to date in memory without re-reading the log on every step.
 */
import { type AttachmentBlock, attachmentBlocks } from '../../shared/attachments/attachment-budget';
import type {
  AssistantBlock,
  Attachment,
  ClientKind,
  EventBody,
  ScheduledRun,
  ThreadEvent,
  ToolOutputBlock,
  ToolUseBlock,
} from '../../shared/protocol';
import { requestView, type ViewSource } from './context/request-view';

/** One entry of the Messages API `messages` array, as Tandem builds it. */
export type ApiContentBlock =
  | Exclude<AssistantBlock, ToolUseBlock>
  | ToolUseBlock
  | Exclude<AttachmentBlock, { type: 'text' }>
  | { type: 'tool_result'; tool_use_id: string; content: ToolOutputBlock[]; is_error?: boolean };
export interface ApiMessage {
  role: 'user' | 'assistant';
  content: ApiContentBlock[];
}

export interface DecisionState {
  decisionId: string;
  toolUseId: string | undefined;
  topic: 'permission' | 'budget' | 'connection';
  optionId: string | undefined;
  allowed: boolean | undefined;
  answeredBy: ClientKind | undefined;
}

export interface TaskState {
  taskId: string;
  userSeq: number;
  /** A model turn that was started and neither completed nor discarded. */
  openTurnId: string | undefined;
  turns: number;
  /** Tool calls of the latest assistant message, in order. */
  toolUses: ToolUseBlock[];
  results: Map<string, { isError: boolean; content: ToolOutputBlock[] }>;
  startedTools: Set<string>;
  decisions: Map<string, DecisionState>;
  /** stop_reason of the latest assistant message; undefined before the first. */
  lastStopReason: string | null | undefined;
  stopRequested: boolean;
  /** A non-retryable error ended the model calls. */
  failed: boolean;
  costUsd: number;
  lastTurnCostUsd: number;
  /** How much spending the user approved at the cap (the cap itself, then more on "continue"). */
  budgetApprovals: number;
  /** Model-call failures since the last success, for backoff. */
  consecutiveFailures: number;
  /** Time spent waiting on those retries, so an unreachable API is given up on after a bounded time. */
  retryWaitedMs: number;
  /** Index in `messages` of this task's user message: where its exchange starts. */
  firstMessage: number;
  /** The model refused: the whole exchange is left out of later requests (the API says refusals stick otherwise). */
  refused: boolean;
  /** Set when a schedule started this task: its run, with the per-run limits. */
  run: ScheduledRun | undefined;
  /** The agent tab the task acts in now (tab_acting); null once it closed it, undefined before any. */
  actingTab: ActingTab | null | undefined;
}

export type ActingTab = NonNullable<EventOf<'tab_acting'>['tab']>;
type EventOf<K extends EventBody['kind']> = EventBody & { kind: K };

/** The model's summary of the first `throughMessage` messages, sent in their place. */
export interface Compaction {
  throughMessage: number;
  summary: string;
}

export interface ConversationState {
  threadId: string;
  lastSeq: number;
  /** Completed messages for the model (tool results of the current step are added on demand). */
  messages: ApiMessage[];
  /** User messages not yet answered by a task, by seq. */
  queued: Array<{ seq: number; text: string; attachments?: Attachment[]; run?: ScheduledRun; replaces?: number }>;
  /** For each user message on the current branch: the index in `messages` where its exchange starts. */
  branchStarts: Map<number, number>;
  /** Branches made so far (edits that cut the conversation). */
  branches: number;
  task: TaskState | undefined;
  taskCount: number;
  /** Ranges [from, to) of `messages` never sent again (refused exchanges). */
  excluded: Array<{ from: number; to: number }>;
  compaction: Compaction | undefined;
}

export function emptyState(threadId: string): ConversationState {
  return {
    threadId,
    lastSeq: 0,
    messages: [],
    queued: [],
    branchStarts: new Map(),
    branches: 0,
    task: undefined,
    taskCount: 0,
    excluded: [],
    compaction: undefined,
  };
}

function newTask(taskId: string, userSeq: number, firstMessage: number, run?: ScheduledRun): TaskState {
  return {
    taskId,
    userSeq,
    openTurnId: undefined,
    turns: 0,
    toolUses: [],
    results: new Map(),
    startedTools: new Set(),
    decisions: new Map(),
    lastStopReason: undefined,
    stopRequested: false,
    failed: false,
    costUsd: 0,
    lastTurnCostUsd: 0,
    budgetApprovals: 0,
    consecutiveFailures: 0,
    retryWaitedMs: 0,
    firstMessage,
    refused: false,
    run,
    actingTab: undefined,
  };
}

/** Tool results of the latest assistant message, once every call has one, as the next user message. */
export function pendingToolResultMessage(task: TaskState): ApiMessage | undefined {
  if (task.toolUses.length === 0) return undefined;
  const blocks: ApiContentBlock[] = [];
  for (const use of task.toolUses) {
    const result = task.results.get(use.id);
    if (!result) return undefined;
    blocks.push({
      type: 'tool_result',
      tool_use_id: use.id,
      content: result.content,
      ...(result.isError ? { is_error: true } : {}),
    });
  }
  return { role: 'user', content: blocks };
}

function flushToolResults(state: ConversationState): void {
  const task = state.task;
  if (!task) return;
  const message = pendingToolResultMessage(task);
  if (message) state.messages.push(message);
  task.toolUses = [];
  task.results = new Map();
  task.startedTools = new Set();
}

/** Every message of the conversation so far, the current step's tool results included. */
export function allMessages(state: ConversationState): ApiMessage[] {
  const pending = state.task ? pendingToolResultMessage(state.task) : undefined;
  return pending ? [...state.messages, pending] : state.messages;
}

/**
 * The messages to send for the next model call, before any trimming for size:
 * refused exchanges left out, compacted messages replaced by their summary,
 * nothing the API rejects (see context/request-view.ts).
 */
export function requestMessages(state: ConversationState): ApiMessage[] {
  return requestView(viewSource(state), { elideBefore: 0, maxRecentImages: Number.POSITIVE_INFINITY }).messages;
}

export function viewSource(state: ConversationState): ViewSource {
  return {
    messages: allMessages(state),
    excluded: state.excluded,
    compaction: state.compaction,
    ...(state.branches > 0 ? { branch: state.branches } : {}),
  };
}

/**
 * Whether the user message at `seq` is the newest one on the current branch, the one an edit or a
 * regenerate may replace. Only that one: an older edit (say, sent late from a phone's outbox)
 * would silently cut every later exchange out of what the model sees.
 */
export function lastOnBranch(state: ConversationState, seq: number): boolean {
  let newest = -1;
  for (const start of state.branchStarts.keys()) newest = Math.max(newest, start);
  for (const queued of state.queued) newest = Math.max(newest, queued.seq);
  return newest === seq;
}

/**
 * Starts a new branch where the exchange of user message `replaces` started: the model is told
 * the history before it only. The log keeps everything; only this reading of it is cut.
 */
function cutAt(state: ConversationState, replaces: number): void {
  const cut = state.branchStarts.get(replaces);
  if (cut === undefined) return;
  state.messages.length = cut;
  for (const [seq, start] of state.branchStarts) if (start >= cut) state.branchStarts.delete(seq);
  state.excluded = state.excluded
    .filter((range) => range.from < cut)
    .map((range) => ({ from: range.from, to: Math.min(range.to, cut) }));
  // A summary of messages past the cut would carry the replaced answer into the new branch.
  if (state.compaction && state.compaction.throughMessage > cut) state.compaction = undefined;
  state.branches++;
}

/** Attachments first (the API's advice for images), then what the person typed, if anything. */
function userContent(text: string, attachments: readonly Attachment[]): ApiContentBlock[] {
  const typed: ApiContentBlock[] = text.trim() ? [{ type: 'text', text }] : [];
  return [...attachmentBlocks(attachments), ...typed];
}

function assistantContent(blocks: readonly AssistantBlock[]): ApiContentBlock[] {
  // The API refuses empty and whitespace-only text blocks in a request, and the model sometimes streams "\n\n".
  return blocks.filter((b) => b.type !== 'text' || b.text.trim().length > 0);
}

/** Applies one event. Mutates and returns `state` (callers own their copy). */
export function reduce(
  state: ConversationState,
  event: ThreadEvent | (EventBody & { seq: number }),
): ConversationState {
  state.lastSeq = Math.max(state.lastSeq, event.seq);
  const task = state.task;
  switch (event.kind) {
    case 'user_message':
      // An edit of a message still waiting replaces it in the queue: the older words are never sent.
      if (event.replaces !== undefined) state.queued = state.queued.filter((q) => q.seq !== event.replaces);
      state.queued.push({
        seq: event.seq,
        text: event.text,
        ...(event.attachments?.length ? { attachments: event.attachments } : {}),
        ...(event.run ? { run: event.run } : {}),
        ...(event.replaces === undefined ? {} : { replaces: event.replaces }),
      });
      break;
    case 'task_started': {
      // A task answers the oldest user message still waiting; messages sent during a task queue up.
      const user = state.queued.shift();
      if (user?.replaces !== undefined) cutAt(state, user.replaces);
      state.task = newTask(event.taskId, user?.seq ?? 0, state.messages.length, user?.run);
      state.taskCount++;
      if (user) {
        state.branchStarts.set(user.seq, state.messages.length);
        state.messages.push({ role: 'user', content: userContent(user.text, user.attachments ?? []) });
      }
      break;
    }
    case 'turn_started':
      if (task) {
        task.openTurnId = event.turnId;
        task.turns++;
      }
      break;
    case 'assistant_message':
      if (!task) break;
      flushToolResults(state);
      task.openTurnId = undefined;
      task.lastStopReason = event.stopReason;
      task.costUsd += event.costUsd;
      task.lastTurnCostUsd = event.costUsd;
      task.consecutiveFailures = 0;
      task.retryWaitedMs = 0;
      if (event.stopReason === 'refusal') task.refused = true;
      {
        const content = assistantContent(event.content);
        if (content.length > 0) state.messages.push({ role: 'assistant', content });
        task.toolUses = event.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
      }
      break;
    case 'turn_discarded':
      if (task && task.openTurnId === event.turnId) task.openTurnId = undefined;
      break;
    case 'tool_started':
      task?.startedTools.add(event.toolUseId);
      break;
    case 'tool_result':
      task?.results.set(event.toolUseId, { isError: event.isError, content: event.content });
      break;
    case 'decision_requested':
      task?.decisions.set(event.decisionId, {
        decisionId: event.decisionId,
        toolUseId: event.toolUseId,
        topic: event.topic,
        optionId: undefined,
        allowed: undefined,
        answeredBy: undefined,
      });
      break;
    case 'decision_resolved': {
      const decision = task?.decisions.get(event.decisionId);
      if (decision) {
        decision.optionId = event.optionId;
        decision.allowed = event.allowed;
        decision.answeredBy = event.by.kind;
      }
      if (task && decision?.topic === 'budget' && event.optionId === 'continue') task.budgetApprovals++;
      // "Retry" after the API was unreachable for too long starts a fresh, bounded run of retries.
      if (task && decision?.topic === 'connection') {
        task.consecutiveFailures = 0;
        task.retryWaitedMs = 0;
      }
      break;
    }
    case 'retry_scheduled':
      if (task) {
        task.consecutiveFailures = event.attempt;
        task.retryWaitedMs += event.delayMs;
      }
      break;
    case 'error':
      // Tool errors are tool results; only errors that end the model calls fail the task.
      if (task && event.errorKind !== 'tool') task.failed = true;
      break;
    case 'stop_requested':
      if (task) task.stopRequested = true;
      break;
    case 'task_finished':
      flushToolResults(state);
      if (task?.refused) state.excluded.push({ from: task.firstMessage, to: state.messages.length });
      state.task = undefined;
      break;
    case 'context_compacted':
      state.compaction = { throughMessage: event.throughMessage, summary: event.summary };
      if (task) task.costUsd += event.costUsd;
      break;
    case 'tab_acting':
      if (task) task.actingTab = event.tab;
      break;
    case 'text':
      break;
  }
  return state;
}

export function stateFromEvents(threadId: string, events: Iterable<ThreadEvent>): ConversationState {
  const state = emptyState(threadId);
  for (const event of events) reduce(state, event);
  return state;
}

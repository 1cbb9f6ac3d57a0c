/**
 * The durable thread log: every step of every task is one of these events.
 *
 * Events are written to IndexedDB with a per-thread, strictly increasing `seq`
 * before any client sees them, so a client that knows the last `seq` it saw can
 * ask for exactly what it missed. The log is append-only: an interrupted model
 * turn is not erased, it is followed by `turn_discarded`, and views hide it.
 */
import { z } from 'zod/mini';
import { Attachment } from './attachments';
import { ScheduledRun } from './schedules';

export const Id = z.string().check(z.minLength(1), z.maxLength(128));

export const Usage = z.object({
  inputTokens: z.int().check(z.nonnegative()),
  outputTokens: z.int().check(z.nonnegative()),
  cacheCreationInputTokens: z.int().check(z.nonnegative()),
  cacheReadInputTokens: z.int().check(z.nonnegative()),
});
export type Usage = z.infer<typeof Usage>;

export const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
export const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: Id,
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});
export type ToolUseBlock = z.infer<typeof ToolUseBlock>;
/**
 * Thinking blocks must be sent back unchanged in a tool-use loop (newer models bind them to
 * the conversation and refuse a request that drops or edits them), so they are kept too.
 */
export const ThinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
export const RedactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });
/** What the model said in one turn, exactly as it is sent back in later requests. */
export const AssistantBlock = z.discriminatedUnion('type', [
  TextBlock,
  ToolUseBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
]);
export type AssistantBlock = z.infer<typeof AssistantBlock>;

export const ImageBlock = z.object({
  type: z.literal('image'),
  source: z.object({
    type: z.literal('base64'),
    media_type: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
    data: z.string(),
  }),
});
/** What a tool hands back to the model. */
export const ToolOutputBlock = z.discriminatedUnion('type', [TextBlock, ImageBlock]);
export type ToolOutputBlock = z.infer<typeof ToolOutputBlock>;

export const Risk = z.enum(['read', 'write', 'destructive']);
export type Risk = z.infer<typeof Risk>;

export const ClientKind = z.enum(['panel', 'phone', 'runtime']);
export type ClientKind = z.infer<typeof ClientKind>;
/** A paired phone, as the runtime knows it from the link: so "who did what" survives a theft. */
export const DeviceIdentity = z.object({
  name: z.string().check(z.maxLength(200)),
  /** A short, readable fingerprint of the phone's device key (see runtime/client-identity.ts). */
  fingerprint: z.string().check(z.maxLength(64)),
});
export type DeviceIdentity = z.infer<typeof DeviceIdentity>;
export const Actor = z.object({ kind: ClientKind, clientId: z.string(), device: z.optional(DeviceIdentity) });
export type Actor = z.infer<typeof Actor>;

export const DecisionOption = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  label: z.string(),
  tone: z._default(z.enum(['primary', 'neutral', 'danger']), 'neutral'),
  /**
   * The answer outlives the task (a rule, a timed grant, a folder's auto-approval): offered and accepted
   * only on a trusted client (the computer), never from a phone.
   */
  persistent: z.optional(z.boolean()),
});
export type DecisionOption = z.infer<typeof DecisionOption>;

export const ErrorKind = z.enum([
  'auth',
  'bad_request',
  'rate_limited',
  'overloaded',
  'network',
  'server',
  'max_tokens',
  'refusal',
  'tool',
  'internal',
]);
export type ErrorKind = z.infer<typeof ErrorKind>;

export const TaskOutcome = z.enum(['completed', 'stopped', 'failed', 'max_tokens', 'refusal', 'budget_stopped']);
export type TaskOutcome = z.infer<typeof TaskOutcome>;

const task = { taskId: Id };

export const EventBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('user_message'),
    text: z.string(),
    by: Actor,
    commandId: z.string(),
    /** Files the person attached (images already scaled to the API's limits). */
    attachments: z.optional(z.array(Attachment)),
    /** Set when a schedule sent this message: the run it starts, and that run's limits. */
    run: z.optional(ScheduledRun),
    /**
     * An edit (or a regenerate, with the same text): this message replaces the user message at seq
     * `replaces`. The model is sent the history before that message, then this one; the log keeps
     * the earlier version and its answer, and views offer them as "1/2" (conversation/branches.ts).
     */
    replaces: z.optional(z.int().check(z.positive())),
  }),
  z.object({ kind: z.literal('task_started'), ...task }),
  /** A model call was issued. `turnId` ties its text and its final message together. */
  z.object({ kind: z.literal('turn_started'), ...task, turnId: Id, model: z.string(), attempt: z.int() }),
  /** A batch of streamed text deltas (batched so a long answer is tens of events, not thousands). */
  z.object({ kind: z.literal('text'), ...task, turnId: Id, text: z.string() }),
  /** The complete assistant message of a turn: the unit the conversation is rebuilt from. */
  z.object({
    kind: z.literal('assistant_message'),
    ...task,
    turnId: Id,
    model: z.string(),
    content: z.array(AssistantBlock),
    stopReason: z.nullable(z.string()),
    usage: Usage,
    costUsd: z.number().check(z.nonnegative()),
  }),
  /** A turn that will never complete (host died mid-stream, stop, error): its partial text is not part of the conversation. */
  z.object({
    kind: z.literal('turn_discarded'),
    ...task,
    turnId: Id,
    reason: z.enum(['interrupted', 'stopped', 'error']),
  }),
  /** A tool began executing. A `tool_started` without a result after a restart means the tool was interrupted. */
  z.object({ kind: z.literal('tool_started'), ...task, toolUseId: Id, name: z.string() }),
  z.object({
    kind: z.literal('tool_result'),
    ...task,
    toolUseId: Id,
    name: z.string(),
    isError: z.boolean(),
    content: z.array(ToolOutputBlock),
    /** Set when the output was cut before going to the model. */
    truncated: z._default(z.boolean(), false),
    /** A human-readable extra shown on the card (e.g. a diff), never sent to the model. */
    display: z.optional(z.string()),
    /** Where in Settings a person fixes this failure (a missing file host: Folders). */
    fixIn: z.optional(z.enum(['folders'])),
  }),
  z.object({
    kind: z.literal('decision_requested'),
    ...task,
    decisionId: Id,
    /** The tool call waiting on this decision; absent for task-level decisions (the spending cap). */
    toolUseId: z.optional(Id),
    /** `connection`: the API stayed unreachable for too long; retry or stop. */
    topic: z.enum(['permission', 'budget', 'connection']),
    title: z.string(),
    detail: z.string(),
    options: z.array(DecisionOption).check(z.minLength(1)),
  }),
  z.object({
    kind: z.literal('decision_resolved'),
    ...task,
    decisionId: Id,
    optionId: z.string(),
    by: Actor,
    /** For permission decisions: whether the answer lets the tool call run. */
    allowed: z.optional(z.boolean()),
  }),
  z.object({
    kind: z.literal('retry_scheduled'),
    ...task,
    attempt: z.int(),
    delayMs: z.number().check(z.nonnegative()),
    errorKind: ErrorKind,
    message: z.string(),
  }),
  z.object({
    kind: z.literal('error'),
    ...task,
    errorKind: ErrorKind,
    message: z.string(),
    status: z.optional(z.int()),
  }),
  z.object({ kind: z.literal('stop_requested'), ...task, by: Actor }),
  /**
   * The agent tab the task acts in now (null: it closed its tab): what the "acting in this tab"
   * indicator shows, in the log so a client that connects later sees it too (web/tab-indicator.ts).
   */
  z.object({
    kind: z.literal('tab_acting'),
    ...task,
    tab: z.nullable(
      z.object({
        tabId: z.int().check(z.nonnegative()),
        url: z.string().check(z.maxLength(4_096)),
        title: z.string().check(z.maxLength(500)),
      }),
    ),
  }),
  z.object({ kind: z.literal('task_finished'), ...task, outcome: TaskOutcome }),
  // --- Context management (issue 17, model side) ---
  /**
   * Requests from now on send `summary` (written by the model) in place of the first
   * `throughMessage` messages of the conversation. The log keeps every original event,
   * so the full history stays visible and exportable.
   */
  z.object({
    kind: z.literal('context_compacted'),
    ...task,
    throughMessage: z.int().check(z.nonnegative()),
    summary: z.string().check(z.minLength(1)),
    usage: Usage,
    costUsd: z.number().check(z.nonnegative()),
  }),
]);
export type EventBody = z.infer<typeof EventBody>;
export type EventKind = EventBody['kind'];

const EventHeader = z.object({ threadId: Id, seq: z.int().check(z.positive()), at: z.number() });
export type ThreadEvent = z.infer<typeof EventHeader> & EventBody;

/**
 * One object schema per kind (the header's fields added to each body), in one discriminated union,
 * rather than z.intersection(header, EventBody): an intersection parses the event once per side
 * and then deep-merges the two results, and every event a panel or phone receives passes here.
 */
export const ThreadEvent: z.ZodMiniType<ThreadEvent, z.input<typeof EventHeader> & z.input<typeof EventBody>> =
  z.discriminatedUnion(
    'kind',
    EventBody._zod.def.options.map((body) => z.extend(body, EventHeader.shape)) as unknown as [
      z.ZodMiniObject,
      ...z.ZodMiniObject[],
    ],
  ) as never;
export type ThreadEventOf<K extends EventKind> = ThreadEvent & { kind: K };

/**
 * Searching inside messages (`threads.search`, answered by `threads.found`) and the model
 * catalogue (`models.list`, answered by `models`), read-only; and a thread's own model
 * (`thread.setModel`). A phone may send all three: choosing a model is the user's choice, not
 * a permission (the spending cap still holds; see runtime-commands.ts for the one limit).
 */
import { z } from 'zod/mini';
import { Id } from './events';

export const MAX_SEARCH_QUERY_CHARS = 200;

/** A model id as the Models API spells them (`claude-sonnet-5-5`, `claude-haiku-4-5-20251001`). */
export const ModelId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/));

/** A model the picker offers: from the Models API (or the built-in list offline), with its price if known. */
export const ModelOption = z.object({
  id: ModelId,
  displayName: z.string().check(z.maxLength(200)),
  /** US dollars per million tokens, from shared/models.ts; null when Tandem has no price for it. */
  price: z.nullable(z.object({ inputPerMTok: z.number(), outputPerMTok: z.number() })),
});
export type ModelOption = z.infer<typeof ModelOption>;
export const MAX_SEARCH_HITS = 200;

export const SearchCommands = [
  /** Every word of `query` (case and accents ignored) in a user or assistant message or a tool call. */
  z.object({
    type: z.literal('threads.search'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    query: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_SEARCH_QUERY_CHARS)),
    limit: z._default(z.int().check(z.gte(1), z.lte(MAX_SEARCH_HITS)), 50),
  }),
  /** The models the key can use, joined with Tandem's price table; answered by `models`. */
  z.object({
    type: z.literal('models.list'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    refresh: z._default(z.boolean(), false),
  }),
  /**
   * The model this thread's next turns use; null goes back to the default in Settings. A turn
   * already streaming finishes on its model.
   */
  z.object({
    type: z.literal('thread.setModel'),
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    threadId: Id,
    model: z.nullable(ModelId),
  }),
] as const;

/** A stretch of a snippet that matched a query word (UTF-16 offsets into `snippet`). */
export const HitRange = z.object({ start: z.int().check(z.nonnegative()), length: z.int().check(z.positive()) });
export type HitRange = z.infer<typeof HitRange>;

/** One message that matched, with the words around the first match. */
export const MessageHit = z.object({
  threadId: Id,
  /** The event that holds the text (a user_message or an assistant_message). */
  seq: z.int().check(z.positive()),
  at: z.number(),
  /** `tool`: the match is in a tool call the assistant made (its name or input summary). */
  kind: z.enum(['user', 'assistant', 'tool']),
  /** For assistant text and tool calls: the turn, and for a tool call its id (what the thread view keys items by). */
  turnId: z.optional(Id),
  toolUseId: z.optional(Id),
  snippet: z.string(),
  ranges: z.array(HitRange),
});
export type MessageHit = z.infer<typeof MessageHit>;

export const SearchMessages = [
  z.object({
    type: z.literal('threads.found'),
    /** The query as the command sent it, so a client typing ahead drops answers to older queries. */
    query: z.string(),
    hits: z.array(MessageHit),
    /** More messages matched than `limit`. */
    more: z.boolean(),
  }),
  z.object({
    type: z.literal('models'),
    models: z.array(ModelOption),
    /** `api`: listed by the Models API at `fetchedAt`; `builtin`: it could not be reached (see `problem`). */
    source: z.enum(['api', 'builtin']),
    fetchedAt: z.optional(z.number()),
    problem: z.optional(z.string()),
    /** The default model (Settings), which threads without a model of their own use. */
    defaultModel: z.string(),
  }),
] as const;

/**
 * Searching inside messages (`threads.search`, answered by `threads.found`) and the model
 * catalogue (`models.list`, answered by `models`). Read-only, so a phone may send them too.
 */
import { z } from 'zod';
import { Id } from './events';

export const MAX_SEARCH_QUERY_CHARS = 200;
export const MAX_SEARCH_HITS = 200;

export const SearchCommands = [
  /** Every word of `query` (case and accents ignored) in a user or assistant message or a tool call. */
  z.object({
    type: z.literal('threads.search'),
    id: z.string().min(1).max(128),
    query: z.string().trim().min(1).max(MAX_SEARCH_QUERY_CHARS),
    limit: z.number().int().min(1).max(MAX_SEARCH_HITS).default(50),
  }),
] as const;

/** A stretch of a snippet that matched a query word (UTF-16 offsets into `snippet`). */
export const HitRange = z.object({ start: z.number().int().nonnegative(), length: z.number().int().positive() });
export type HitRange = z.infer<typeof HitRange>;

/** One message that matched, with the words around the first match. */
export const MessageHit = z.object({
  threadId: Id,
  /** The event that holds the text (a user_message or an assistant_message). */
  seq: z.number().int().positive(),
  at: z.number(),
  /** `tool`: the match is in a tool call the assistant made (its name or input summary). */
  kind: z.enum(['user', 'assistant', 'tool']),
  /** For assistant text and tool calls: the turn, and for a tool call its id (what the thread view keys items by). */
  turnId: Id.optional(),
  toolUseId: Id.optional(),
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
] as const;

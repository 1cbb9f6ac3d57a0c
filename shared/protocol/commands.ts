/**
 * Client → runtime commands. The side panel (over an extension port) and the
 * phone (over the WebRTC link) send exactly these; there is no second API.
 *
 * Every command carries a client-generated `id`. The runtime remembers ids it has
 * applied, so a command re-sent after a dropped link is applied once and answered
 * again with the same outcome.
 */
import { z } from 'zod';
import { Id } from './events';

/** Commands larger than this are refused before parsing: a message box is not a file upload. */
export const MAX_COMMAND_BYTES = 256 * 1024;
export const MAX_MESSAGE_CHARS = 100_000;

const CommandId = z.string().min(1).max(128);
const cmd = { id: CommandId };
const thread = { ...cmd, threadId: Id };
const Title = z.string().trim().min(1).max(200);

export const SettingsPatch = z
  .object({
    apiKey: z.string().max(512),
    model: z.string().min(1).max(128),
    baseUrl: z.url().max(2048),
    maxTokens: z.number().int().min(1).max(128_000),
    spendingCapEnabled: z.boolean(),
    spendingCapUsd: z.number().positive().max(10_000),
    notifyOnFinish: z.boolean(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const ClientCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('threads.list'), ...cmd, includeArchived: z.boolean().default(false) }),
  z.object({ type: z.literal('thread.create'), ...cmd, title: Title.optional() }),
  z.object({ type: z.literal('thread.rename'), ...thread, title: Title }),
  z.object({ type: z.literal('thread.archive'), ...thread, archived: z.boolean() }),
  z.object({ type: z.literal('thread.delete'), ...thread }),
  /**
   * Subscribe to a thread. With `afterSeq` the runtime sends exactly the events after it
   * (catch-up after a drop), then live ones. Without it, the newest `tail` events, then live ones.
   */
  z.object({
    type: z.literal('thread.subscribe'),
    ...thread,
    afterSeq: z.number().int().nonnegative().optional(),
    tail: z.number().int().min(1).max(5_000).default(400),
  }),
  z.object({ type: z.literal('thread.unsubscribe'), ...thread }),
  /** Older events for scrolling back; answered with one `thread.page`. */
  z.object({
    type: z.literal('thread.history'),
    ...thread,
    beforeSeq: z.number().int().positive(),
    limit: z.number().int().min(1).max(2_000).default(500),
  }),
  z.object({ type: z.literal('message.send'), ...thread, text: z.string().trim().min(1).max(MAX_MESSAGE_CHARS) }),
  z.object({ type: z.literal('task.stop'), ...thread }),
  z.object({ type: z.literal('decision.answer'), ...thread, decisionId: Id, optionId: z.string().min(1).max(64) }),
  z.object({ type: z.literal('settings.get'), ...cmd }),
  z.object({ type: z.literal('settings.update'), ...cmd, patch: SettingsPatch }),
  z.object({ type: z.literal('settings.checkKey'), ...cmd }),
  z.object({
    type: z.literal('audit.list'),
    ...cmd,
    threadId: Id.optional(),
    limit: z.number().int().min(1).max(1_000).default(200),
  }),
]);
export type ClientCommand = z.infer<typeof ClientCommand>;
export type CommandType = ClientCommand['type'];
export type CommandOf<T extends CommandType> = ClientCommand & { type: T };

/** Commands a paired phone may not send: the API key and spending settings stay on the computer. */
export const TRUSTED_ONLY_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>([
  'settings.get',
  'settings.update',
  'settings.checkKey',
]);

/** A command before a client gives it an id (distributes over the union, unlike a plain Omit). */
export type CommandInput =
  z.input<typeof ClientCommand> extends infer C ? (C extends unknown ? Omit<C, 'id'> : never) : never;

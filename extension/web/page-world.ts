/**
 * What the agent learns from a page's own world: the dialogs it opened
 * (alert, confirm, prompt) and its console messages and uncaught errors.
 *
 * A native dialog stops the page's script until someone answers it, and with
 * it every tool that is running in that page (executeScript waits, Chrome's
 * trusted input waits): the agent would hang on any click that opens one. So
 * in agent tabs alert/confirm/prompt are replaced in the page's world before
 * each action with versions that answer at once: with the answer the model set
 * beforehand (answer_dialog), else alert is acknowledged and confirm/prompt
 * are dismissed, the choice that does nothing the model did not ask for. Each
 * dialog is recorded and reported with the action that opened it. A page's
 * beforeunload warning is switched off, so the agent's navigation is never
 * held by "Leave site?" (the agent chose to leave). This works
 * the same in Chrome and Firefox (no debugger session needs to stay open while
 * the model thinks). Only agent tabs get it: a user's own tabs are never
 * touched.
 *
 * `pageWorld` runs in the page's MAIN world (scripting.executeScript), so it
 * is self-contained, and everything it answers is page-controlled: the page
 * can fake or alter these records, so they are parsed here and shown to the
 * model as untrusted content only.
 */
import { z } from 'zod';

/** How many dialogs and console entries a page keeps (the newest win): enough for one task step, bounded for memory. */
export const DIALOGS_KEPT = 20;
export const CONSOLE_KEPT = 200;
/** Characters kept per dialog message and per console entry. */
export const ENTRY_CHARS = 1_000;

export type PageWorldRequest =
  | { op: 'install' }
  | { op: 'take_dialogs' }
  | { op: 'answer_next'; accept: boolean; text?: string }
  | { op: 'console'; max: number };

export const DialogSeen = z.object({
  type: z.enum(['alert', 'confirm', 'prompt']),
  message: z.string().max(ENTRY_CHARS),
  accepted: z.boolean(),
  /** The text a prompt was answered with. */
  text: z.string().max(10_000).optional(),
  /** The model had set this answer with answer_dialog (otherwise the default was used). */
  preset: z.boolean(),
});
export type DialogSeen = z.infer<typeof DialogSeen>;

export const ConsoleEntry = z.object({
  level: z.enum(['log', 'info', 'warn', 'error', 'debug', 'uncaught', 'rejection']),
  text: z.string().max(ENTRY_CHARS + 10),
  at: z.number(),
});
export type ConsoleEntry = z.infer<typeof ConsoleEntry>;

export const PageWorldResponse = z.discriminatedUnion('op', [
  z.object({ op: z.literal('error'), error: z.string().max(2_000) }),
  z.object({ op: z.literal('installed') }),
  z.object({ op: z.literal('dialogs'), origin: z.string().max(2_000), dialogs: z.array(DialogSeen).max(DIALOGS_KEPT) }),
  z.object({ op: z.literal('answer_set') }),
  z.object({
    op: z.literal('console'),
    entries: z.array(ConsoleEntry).max(CONSOLE_KEPT),
    dropped: z.number().int().nonnegative(),
  }),
]);
export type PageWorldResponse = z.infer<typeof PageWorldResponse>;

/**
 * Runs in the page's world. Self-contained: executeScript sends only this function's source, so
 * the limits are passed in rather than imported.
 */
export function pageWorld(
  request: PageWorldRequest,
  expectedOrigin: string | null,
  limits: { dialogs: number; console: number; chars: number },
): unknown {
  type Dialog = {
    type: 'alert' | 'confirm' | 'prompt';
    message: string;
    accepted: boolean;
    text?: string;
    preset: boolean;
  };
  type Entry = { level: string; text: string; at: number };
  type State = { dialogs: Dialog[]; answer?: { accept: boolean; text?: string }; console: Entry[]; dropped: number };
  if (expectedOrigin !== null && location.origin !== expectedOrigin) {
    return { op: 'error', error: `The page moved to ${location.origin}.` };
  }
  const key = Symbol.for('tandem.page-world');
  const holder = window as unknown as Record<symbol, State | undefined>;
  let state = holder[key];
  if (!state) {
    const fresh: State = { dialogs: [], console: [], dropped: 0 };
    state = fresh;
    Object.defineProperty(window, key, { value: fresh });
    const cut = (value: unknown): string => {
      let text: string;
      try {
        text =
          typeof value === 'string'
            ? value
            : value instanceof Error
              ? `${value.name}: ${value.message}`
              : (JSON.stringify(value) ?? String(value));
      } catch {
        text = String(value);
      }
      return text.length > limits.chars ? `${text.slice(0, limits.chars)}…` : text;
    };
    const record = (type: Dialog['type'], message: unknown, fallback?: unknown) => {
      // An alert has nothing to choose: it does not use up an answer meant for a confirm or prompt.
      const answer = type === 'alert' ? undefined : fresh.answer;
      if (type !== 'alert') delete fresh.answer;
      const accepted = type === 'alert' ? true : (answer?.accept ?? false);
      const text =
        type === 'prompt' && accepted ? (answer?.text ?? (fallback == null ? '' : String(fallback))) : undefined;
      fresh.dialogs.push({
        type,
        message: cut(message ?? ''),
        accepted,
        ...(text === undefined ? {} : { text }),
        preset: answer !== undefined,
      });
      if (fresh.dialogs.length > limits.dialogs) fresh.dialogs.shift();
      return { accepted, text };
    };
    window.alert = function alert(message?: unknown) {
      record('alert', message);
    };
    window.confirm = function confirm(message?: string) {
      return record('confirm', message).accepted;
    };
    window.prompt = function prompt(message?: string, fallback?: string) {
      const answer = record('prompt', message, fallback);
      return answer.accepted ? (answer.text ?? '') : null;
    };
    // "Leave site?" would stop the agent's own navigation until a person answered. The page's
    // beforeunload handlers still run (a draft is still saved), but their ways of asking to stay
    // (preventDefault, returnValue) do nothing. On the prototype, because a listener the page added
    // before this one runs first. A handler that only returns a string is not covered.
    const unload = (window as unknown as { BeforeUnloadEvent?: { prototype: object } }).BeforeUnloadEvent;
    if (unload) {
      Object.defineProperty(unload.prototype, 'preventDefault', { value: function preventDefault() {} });
      Object.defineProperty(unload.prototype, 'returnValue', { get: () => '', set: () => {} });
    }
    const push = (level: string, args: readonly unknown[]) => {
      fresh.console.push({ level, text: cut(args.map(cut).join(' ')), at: Date.now() });
      if (fresh.console.length > limits.console) {
        fresh.console.shift();
        fresh.dropped++;
      }
    };
    const target = console as unknown as Record<string, (...args: unknown[]) => void>;
    for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
      const original = target[level];
      if (typeof original !== 'function') continue;
      target[level] = function (this: unknown, ...args: unknown[]) {
        push(level, args);
        return original.apply(this, args);
      };
    }
    window.addEventListener('error', (event) => {
      const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
      push('uncaught', [`${event.message}${where}`]);
    });
    window.addEventListener('unhandledrejection', (event) => push('rejection', [event.reason]));
  }
  switch (request.op) {
    case 'install':
      return { op: 'installed' };
    case 'take_dialogs': {
      const dialogs = state.dialogs;
      state.dialogs = [];
      return { op: 'dialogs', origin: location.origin, dialogs };
    }
    case 'answer_next':
      state.answer = { accept: request.accept, ...(request.text === undefined ? {} : { text: request.text }) };
      return { op: 'answer_set' };
    case 'console':
      return { op: 'console', entries: state.console.slice(-request.max), dropped: state.dropped };
  }
}

export const PAGE_WORLD_LIMITS = { dialogs: DIALOGS_KEPT, console: CONSOLE_KEPT, chars: ENTRY_CHARS };

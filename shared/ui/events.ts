/**
 * The events Tandem's components send out, with their `detail` types.
 *
 * Every event bubbles and is composed, so it crosses the shadow roots between a
 * nested component (a decision card inside the thread view) and the composite
 * that acts on it (the conversation). The map below also types `addEventListener`.
 */

import type { RevealTarget } from '../conversation/hit-target';
import type { Attachment } from '../protocol/attachments';

export interface ThreadRef {
  threadId: string;
}

export interface TandemEventMap {
  /** Thread list: a thread was chosen; from a message search hit, with the message to reveal. */
  'thread-select': CustomEvent<ThreadRef & { reveal?: RevealTarget }>;
  /** Message hits: ↑ on the first hit (focus goes back above the hits). */
  'hits-exit-up': CustomEvent<Record<string, never>>;
  /** Thread list: the "New thread" button. */
  'thread-create': CustomEvent<Record<string, never>>;
  'thread-rename': CustomEvent<ThreadRef & { title: string }>;
  /** Sent only after the person confirmed. */
  'thread-delete': CustomEvent<ThreadRef>;
  'thread-archive': CustomEvent<ThreadRef & { archived: boolean }>;
  /** Conversation: a thread was created because the person wrote without one selected. */
  'thread-created': CustomEvent<ThreadRef>;
  /** Thread view: scrolled to the top while older events exist. */
  'load-older': CustomEvent<Record<string, never>>;
  /** Decision card: an option was chosen. */
  /** `secret`: what the user typed into a prompt that asks for one (a password); never stored. */
  decide: CustomEvent<{ decisionId: string; optionId: string; secret?: string }>;
  /** Composer: the person sent a message. */
  send: CustomEvent<{ text: string; attachments?: Attachment[] }>;
  /** Attachment chips: the person removed the attachment at `index` before sending. */
  'attachment-remove': CustomEvent<{ index: number }>;
  /** Message: put this (the last sent message, at `seq`) back in the composer; sending it makes a new branch. */
  'message-edit': CustomEvent<{ text: string; seq: number; attachments?: readonly Attachment[] }>;
  /** Message: a new answer to this (the last sent message, at `seq`) as a new branch; the old one stays in the log. */
  'message-resend': CustomEvent<{ text: string; seq: number; attachments?: readonly Attachment[] }>;
  /** Version switcher: show version `key` (a user item key) of the sibling group `group`. */
  'branch-select': CustomEvent<{ group: string; key: string }>;
  /** Message: "Save as shortcut": open the shortcut form with this message's text. */
  'message-save-shortcut': CustomEvent<{ text: string }>;
  /** Composer, "acting in this tab" bar: the Stop button. */
  stop: CustomEvent<Record<string, never>>;
  /** "Acting in this tab" bar: bring the agent's tab to the front on the computer. */
  'show-tab': CustomEvent<Record<string, never>>;
  /** Notice / banner / a settings view: the problem is fixed in settings (a rejected key; Folders for a missing host). */
  'open-settings': CustomEvent<{ section?: string }>;
  /** Notice: its close button. */
  dismiss: CustomEvent<Record<string, never>>;
  /** Retry card: "Retry now" instead of waiting for the next attempt. */
  'retry-now': CustomEvent<Record<string, never>>;
}

export type TandemEventName = keyof TandemEventMap;
export type TandemEventDetail<K extends TandemEventName> = TandemEventMap[K]['detail'];

declare global {
  interface HTMLElementEventMap extends TandemEventMap {}
}

export function emit<K extends TandemEventName>(target: EventTarget, type: K, detail: TandemEventDetail<K>): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: true }));
}

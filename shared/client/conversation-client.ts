/**
 * The client half of the protocol, shared by the side panel and the phone.
 *
 * It keeps what the user sees (thread list, subscribed threads' views) in step
 * with the runtime across reconnects: commands not yet answered are re-sent with
 * the same id (the runtime applies each id once), and every subscribed thread is
 * resubscribed with `afterSeq` = the last event seen, so exactly the missed events arrive.
 */

import { type ThreadView, ThreadViewBuilder } from '../conversation/thread-view';
import type { Attachment } from '../protocol/attachments';
import { type ClientCommand, COMMAND_RULES, type CommandInput } from '../protocol/commands';
import type { ThreadEvent } from '../protocol/events';
import {
  type PublicSettings,
  RuntimeMessage,
  type RuntimeMessageOf,
  type SiteEntry,
  type StorageStatus,
  type ThreadStatus,
  type ThreadSummary,
} from '../protocol/messages';
import type { CommandOutbox } from './command-outbox';
import type { Transport, TransportState } from './transport';

export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

interface PendingCommand {
  command: ClientCommand;
  resolve: (threadId: string | undefined) => void;
  reject: (error: CommandError) => void;
  /** Handed to the transport at least once (then it is on its way, kept or not). */
  sent?: boolean;
}

interface ThreadSubscription {
  builder: ThreadViewBuilder;
  /** Every event we hold, in seq order (needed to rebuild when older history arrives). */
  events: ThreadEvent[];
  hasOlder: boolean;
  loadingOlder: boolean;
}

export interface ThreadActivity {
  status: ThreadStatus;
  retryAt?: number;
  /** Why, for `paused` (a storage failure). */
  message?: string;
}

let counter = 0;
function newCommandId(): string {
  counter = (counter + 1) % 1_000_000;
  const random = Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${counter.toString(36)}-${random}`;
}

/** A message the runtime has not logged yet. */
export interface QueuedMessage {
  commandId: string;
  text: string;
  /** A message may be files only (empty text): without them it would show as an empty bubble. */
  attachments?: readonly Attachment[];
}

export class ConversationClient {
  threads: ThreadSummary[] = [];
  settings: PublicSettings | undefined;
  keyCheck: { ok: boolean; message: string } | undefined;
  /** Site rules and grants (panel only: the runtime refuses `sites.*` from the phone); set by `sites.list`. */
  sites: SiteEntry[] | undefined;
  connection: TransportState;
  clientId: string | undefined;
  /** Last error the runtime reported for a command, for a banner. */
  lastError: CommandError | undefined;
  readonly activity = new Map<string, ThreadActivity>();
  /** The runtime's storage health (panels only): space, persistence, failures, a lost database. */
  storageStatus: StorageStatus | undefined;

  private readonly pending = new Map<string, PendingCommand>();
  private readonly subscriptions = new Map<string, ThreadSubscription>();
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: ThreadEvent) => void>();
  private readonly messageListeners = new Set<(message: RuntimeMessage) => void>();
  private readonly disposers: Array<() => void> = [];

  constructor(
    private readonly transport: Transport,
    /** Keeps unanswered mutating commands durably (the phone); sent again on the next 'open'. */
    private readonly outbox?: CommandOutbox,
  ) {
    for (const command of outbox?.load() ?? []) {
      this.pending.set(command.id, { command, resolve: () => {}, reject: () => {} });
    }
    this.connection = transport.state;
    this.disposers.push(
      transport.onMessage((raw) => this.receive(raw)),
      transport.onState((state) => this.onTransportState(state)),
    );
    if (transport.state === 'open') this.onTransportState('open');
  }

  /** Called after any change; UIs re-render from the client's fields. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Every valid runtime message, after the client applied it. For views with state of their own
   * (the panel's Pairing and Devices views keep the phone link's messages).
   */
  onMessage(listener: (message: RuntimeMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Every thread event as it is applied (tests and benchmarks use this). */
  onEvent(listener: (event: ThreadEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Sends a command; resolves on its ack (with the thread id it concerns), rejects on its error. */
  send(input: CommandInput): Promise<string | undefined> {
    const command = { ...input, id: newCommandId() } as ClientCommand;
    return new Promise((resolve, reject) => {
      const pending: PendingCommand = { command, resolve, reject };
      this.pending.set(command.id, pending);
      const kept = COMMAND_RULES[command.type].mutating ? this.outbox?.keep(command) : undefined;
      this.trySend(pending);
      kept?.catch((error: unknown) => this.notKept(pending, error));
      if (command.type === 'message.send') this.notify(); // shown as queued until the log has it
    });
  }

  /**
   * Messages sent to a thread that its log does not hold yet (waiting for the link, or in flight),
   * oldest first: the views show them as queued, so nothing typed offline looks lost.
   */
  queuedMessages(threadId: string): QueuedMessage[] {
    const logged = new Set<string>();
    for (const event of this.subscriptions.get(threadId)?.events ?? []) {
      if (event.kind === 'user_message') logged.add(event.commandId);
    }
    const queued: QueuedMessage[] = [];
    for (const { command } of this.pending.values()) {
      if (command.type === 'message.send' && command.threadId === threadId && !logged.has(command.id)) {
        queued.push({
          commandId: command.id,
          text: command.text,
          ...(command.attachments?.length ? { attachments: command.attachments } : {}),
        });
      }
    }
    return queued;
  }

  /**
   * Drops every unanswered command, here and in the outbox: the pairing was forgotten, so they
   * would reach no computer, or worse, the next one paired.
   */
  discardQueued(): void {
    // Every tab's: the storage is shared, and what another tab kept is just as stale.
    if (this.outbox?.clear) this.outbox.clear();
    for (const [id, { reject }] of this.pending) {
      if (!this.outbox?.clear) this.outbox?.drop(id);
      reject(new CommandError('cancelled', 'The pairing was forgotten before this was sent.'));
    }
    this.pending.clear();
    this.notify();
  }

  subscribe(threadId: string): void {
    if (this.subscriptions.has(threadId)) return;
    this.subscriptions.set(threadId, {
      builder: new ThreadViewBuilder(),
      events: [],
      hasOlder: false,
      loadingOlder: false,
    });
    void this.send({ type: 'thread.subscribe', threadId, tail: 400 }).catch(() => {});
  }

  unsubscribe(threadId: string): void {
    if (!this.subscriptions.delete(threadId)) return;
    void this.send({ type: 'thread.unsubscribe', threadId }).catch(() => {});
  }

  view(threadId: string): ThreadView | undefined {
    return this.subscriptions.get(threadId)?.builder.view();
  }

  viewRevision(threadId: string): number {
    return this.subscriptions.get(threadId)?.builder.revision ?? -1;
  }

  hasOlder(threadId: string): boolean {
    return this.subscriptions.get(threadId)?.hasOlder ?? false;
  }

  /** Events held for a thread, in seq order (for tests comparing with the runtime's log). */
  events(threadId: string): readonly ThreadEvent[] {
    return this.subscriptions.get(threadId)?.events ?? [];
  }

  loadOlder(threadId: string): void {
    const sub = this.subscriptions.get(threadId);
    const first = sub?.events[0];
    if (!sub || !first || !sub.hasOlder || sub.loadingOlder) return;
    sub.loadingOlder = true;
    void this.send({ type: 'thread.history', threadId, beforeSeq: first.seq, limit: 500 }).catch(() => {
      sub.loadingOlder = false;
    });
  }

  dispose(): void {
    for (const dispose of this.disposers) dispose();
    this.transport.close();
  }

  private trySend(pending: PendingCommand): void {
    if (this.transport.state !== 'open') return; // re-sent on the next 'open'
    try {
      this.transport.send(pending.command);
      pending.sent = true;
    } catch {
      // The link died between the check and the send: the next 'open' re-sends.
    }
  }

  /**
   * The outbox could not keep a command (storage full). Not yet sent, it would live only in this
   * page's memory: it is handed back (the composer restores the message) and the user is told,
   * rather than lost with the tab. Already sent, it is on its way and stays pending.
   */
  private notKept(pending: PendingCommand, error: unknown): void {
    if (pending.sent || this.pending.get(pending.command.id) !== pending) return;
    this.pending.delete(pending.command.id);
    const code = (error as { code?: unknown }).code;
    const failure = new CommandError(
      typeof code === 'string' ? code : 'storage_full',
      error instanceof Error ? error.message : 'This message could not be kept on this device.',
    );
    this.lastError = failure;
    pending.reject(failure);
    this.notify();
  }

  /** Sends what another tab kept and never sent (it was closed first); the same ids, so applied once. */
  private async sendStored(): Promise<void> {
    // Ours when the read began (answered meanwhile, perhaps): not another tab's to send again.
    const ours = new Set(this.pending.keys());
    const stored = (await this.outbox?.stored?.().catch(() => [])) ?? [];
    let adopted = false;
    for (const command of stored) {
      if (ours.has(command.id) || this.pending.has(command.id)) continue;
      const pending: PendingCommand = { command, resolve: () => {}, reject: () => {} };
      this.pending.set(command.id, pending);
      this.trySend(pending);
      adopted = true;
    }
    if (adopted) this.notify();
  }

  private onTransportState(state: TransportState): void {
    this.connection = state;
    if (state === 'open') {
      // Re-send unanswered commands first (same ids: applied once), then resubscribe.
      for (const pending of this.pending.values()) {
        if (pending.command.type !== 'thread.subscribe') this.trySend(pending);
        else this.pending.delete(pending.command.id);
      }
      void this.sendStored();
      void this.send({ type: 'threads.list', includeArchived: true }).catch(() => {});
      for (const [threadId, sub] of this.subscriptions) {
        const lastSeq = sub.events.at(-1)?.seq;
        void this.send({
          type: 'thread.subscribe',
          threadId,
          tail: 400,
          ...(lastSeq === undefined ? {} : { afterSeq: lastSeq }),
        }).catch(() => {});
      }
    }
    this.notify();
  }

  private receive(raw: unknown): void {
    const parsed = RuntimeMessage.safeParse(raw);
    if (!parsed.success) return; // a newer runtime may send what we do not know yet
    const message = parsed.data;
    switch (message.type) {
      case 'welcome':
        this.clientId = message.clientId;
        break;
      case 'ack': {
        const pending = this.pending.get(message.commandId);
        this.pending.delete(message.commandId);
        this.outbox?.drop(message.commandId);
        pending?.resolve(message.threadId);
        break;
      }
      case 'error': {
        const error = new CommandError(message.code, message.message);
        if (message.commandId) {
          const pending = this.pending.get(message.commandId);
          this.pending.delete(message.commandId);
          this.outbox?.drop(message.commandId);
          pending?.reject(error);
        }
        this.lastError = error;
        break;
      }
      case 'threads':
        this.threads = message.threads;
        break;
      case 'thread.deleted':
        this.threads = this.threads.filter((t) => t.id !== message.threadId);
        this.subscriptions.delete(message.threadId);
        break;
      case 'thread.page':
        this.applyPage(message);
        break;
      case 'thread.event':
        this.applyEvents(message.threadId, [message.event]);
        break;
      case 'thread.activity':
        this.activity.set(message.threadId, {
          status: message.status,
          ...(message.retryAt === undefined ? {} : { retryAt: message.retryAt }),
          ...(message.message === undefined ? {} : { message: message.message }),
        });
        break;
      case 'settings':
        this.settings = message.settings;
        break;
      case 'key.checked':
        this.keyCheck = { ok: message.ok, message: message.message };
        break;
      case 'audit':
        break;
      case 'sites':
        this.sites = message.sites;
        break;
      case 'storage.status':
        this.storageStatus = message.status;
        break;
    }
    for (const listener of this.messageListeners) listener(message);
    this.notify();
  }

  private applyPage(page: RuntimeMessageOf<'thread.page'>): void {
    const sub = this.subscriptions.get(page.threadId);
    if (!sub) return;
    if (page.reason === 'history') {
      sub.loadingOlder = false;
      const first = sub.events[0]?.seq ?? Number.POSITIVE_INFINITY;
      const older = page.events.filter((e) => e.seq < first);
      sub.events = [...older, ...sub.events];
      sub.hasOlder = page.hasOlder;
      // Older history changes what earlier items look like: rebuild from scratch.
      sub.builder = new ThreadViewBuilder();
      sub.builder.apply(sub.events);
      return;
    }
    if (page.reason === 'subscribe' && sub.events.length === 0) sub.hasOlder = page.hasOlder;
    this.applyEvents(page.threadId, page.events);
  }

  private applyEvents(threadId: string, events: readonly ThreadEvent[]): void {
    const sub = this.subscriptions.get(threadId);
    if (!sub) return;
    for (const event of events) {
      const last = sub.events.at(-1)?.seq ?? 0;
      if (event.seq <= last) continue; // duplicate after a reconnect: already shown
      sub.events.push(event);
      sub.builder.apply([event]);
      for (const listener of this.eventListeners) listener(event);
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

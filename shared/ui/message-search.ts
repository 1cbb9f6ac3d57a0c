/**
 * Asks the runtime to search inside messages while the person types (`threads.search`), a
 * moment after the last keystroke, and keeps the answer to the newest query only: answers to
 * older queries that arrive late are dropped. A Lit ReactiveController, so any list can host it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConversationClient } from '../client/conversation-client';
import { MAX_SEARCH_QUERY_CHARS, type MessageHit } from '../protocol/search';

const TYPING_PAUSE_MS = 200;
/** Shorter queries match nearly everything: titles are enough for them. */
export const MIN_MESSAGE_QUERY_CHARS = 2;

export class MessageSearch implements ReactiveController {
  /** Hits for `query`, newest first; empty while none are known. */
  hits: readonly MessageHit[] = [];
  more = false;
  /** A query was sent and its answer has not come yet. */
  searching = false;
  private query = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private client: ConversationClient | undefined;
  private unlisten: (() => void) | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** The client to search through; undefined turns message search off. */
  use(client: ConversationClient | undefined): void {
    if (client === this.client) return;
    this.unlisten?.();
    this.client = client;
    this.unlisten = client?.onMessage((message) => {
      if (message.type !== 'threads.found' || message.query !== this.query) return;
      this.hits = message.hits;
      this.more = message.more;
      this.searching = false;
      this.host.requestUpdate();
    });
    const query = this.query;
    this.query = '';
    this.search(query);
  }

  search(raw: string): void {
    const query = raw.trim().slice(0, MAX_SEARCH_QUERY_CHARS);
    if (query === this.query) return;
    this.query = query;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.hits = [];
    this.more = false;
    this.searching = false;
    const client = this.client;
    if (!client || query.length < MIN_MESSAGE_QUERY_CHARS) return;
    this.searching = true;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      client.send({ type: 'threads.search', query, limit: 50 }).catch(() => {
        if (this.query !== query) return;
        this.searching = false;
        this.host.requestUpdate();
      });
    }, TYPING_PAUSE_MS);
  }

  hostDisconnected(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.unlisten?.();
    this.unlisten = undefined;
    this.client = undefined;
  }
}

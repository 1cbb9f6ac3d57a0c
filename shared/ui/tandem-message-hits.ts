/**
 * `<tandem-message-hits>`: the messages a search found (under the matching titles in the thread
 * list), each with its thread, its time and a snippet with the matched words marked. Choosing
 * one sends `thread-select` with where to reveal the message.
 *
 * The snippet is page and model text: it is rendered as text nodes and <mark> elements by the
 * template, never parsed as HTML. Keyboard: one tab stop; ↑/↓/Home/End move, Enter opens.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { revealTargetOf, snippetParts } from '../conversation/hit-target';
import type { ThreadSummary } from '../protocol/messages';
import type { MessageHit } from '../protocol/search';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { tokens } from './tokens';

const KIND_LABEL: Record<MessageHit['kind'], string> = { user: 'You', assistant: 'Claude', tool: 'Tool call' };

const hitKey = (hit: MessageHit) => `${hit.threadId}:${hit.seq}:${hit.toolUseId ?? hit.kind}`;

@customElement('tandem-message-hits')
export class TandemMessageHits extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
      }
      h2 {
        margin: var(--tandem-space-2) var(--tandem-space-2) var(--tandem-space-1);
        font-size: var(--tandem-font-size-small);
        font-weight: 600;
        color: var(--tandem-text-muted);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      button.hit {
        display: flex;
        flex-direction: column;
        align-items: stretch;
        gap: 2px;
        width: 100%;
        min-height: var(--tandem-tap-row);
        padding: var(--tandem-space-1) var(--tandem-space-2);
        border: none;
        background: transparent;
        text-align: left;
        font-weight: normal;
      }
      button.hit:hover:not(:disabled) {
        background: var(--tandem-surface-hover);
      }
      .where {
        display: flex;
        gap: var(--tandem-space-2);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      .where .thread {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        font-weight: 600;
      }
      .snippet {
        overflow-wrap: anywhere;
        line-height: var(--tandem-line-height);
      }
      mark {
        background: var(--tandem-warning-soft);
        color: inherit;
        border-radius: 2px;
        box-shadow: 0 0 0 1px var(--tandem-warning);
      }
      .note {
        margin: var(--tandem-space-1) var(--tandem-space-2);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
    `,
  ];

  @property({ attribute: false }) hits: readonly MessageHit[] = [];
  /** For each hit's thread title. */
  @property({ attribute: false }) threads: readonly ThreadSummary[] = [];
  @property({ type: Boolean }) more = false;
  @property({ type: Boolean }) searching = false;
  @state() private active = 0;
  private pendingFocus = false;

  protected override updated(): void {
    if (!this.pendingFocus) return;
    this.pendingFocus = false;
    this.renderRoot.querySelector<HTMLElement>(`button.hit[data-index="${this.active}"]`)?.focus();
  }

  /** Focus the first hit (ArrowDown from the search field past the last title). */
  focusFirst(): void {
    this.active = 0;
    this.pendingFocus = true;
    this.requestUpdate();
  }

  private onKeyDown(event: KeyboardEvent, index: number): void {
    const last = this.hits.length - 1;
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: last };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    if (next < 0) {
      // Above the first hit: back to whatever is above the list (the titles or the search field).
      emit(this, 'hits-exit-up', {});
      return;
    }
    this.active = Math.min(last, next);
    this.pendingFocus = true;
    this.requestUpdate();
  }

  private open(hit: MessageHit): void {
    emit(this, 'thread-select', { threadId: hit.threadId, reveal: revealTargetOf(hit) });
  }

  override render() {
    if (this.hits.length === 0) {
      return this.searching ? html`<p class="note" role="status">Searching messages…</p>` : nothing;
    }
    const titles = new Map(this.threads.map((t) => [t.id, t.title]));
    const active = Math.min(this.active, this.hits.length - 1);
    return html`<h2 id="hits-label">In messages</h2>
      <ul aria-labelledby="hits-label" data-testid="message-hits">
        ${repeat(
          this.hits,
          hitKey,
          (hit, index) => html`<li>
            <button
              class="hit"
              data-testid="message-hit"
              data-index=${index}
              data-thread-id=${hit.threadId}
              tabindex=${index === active ? 0 : -1}
              @click=${() => this.open(hit)}
              @focus=${() => {
                this.active = index;
              }}
              @keydown=${(e: KeyboardEvent) => this.onKeyDown(e, index)}
            >
              <span class="where">
                <span class="thread">${titles.get(hit.threadId) ?? 'Conversation'}</span>
                <span>${KIND_LABEL[hit.kind]} · ${new Date(hit.at).toLocaleDateString()}</span>
              </span>
              <span class="snippet" data-testid="message-hit-snippet"
                >${snippetParts(hit).map((part) => (part.match ? html`<mark>${part.text}</mark>` : part.text))}</span
              >
            </button>
          </li>`,
        )}
      </ul>
      ${this.more ? html`<p class="note">Showing the newest ${this.hits.length} matches; add words to narrow it.</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-message-hits': TandemMessageHits;
  }
}

/**
 * `<tandem-thread-list>`: the threads, newest first and grouped by day (Today, Yesterday, …), with search, a "show archived"
 * toggle and per-thread rename (inline), archive and delete (after a confirm step).
 *
 * Keyboard: the list is one tab stop; ↑/↓/Home/End move between threads, Enter
 * opens one, F2 renames it, Delete asks to delete it.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ConversationClient } from '../client/conversation-client';
import { formatUsd } from '../pricing';
import type { ThreadSummary } from '../protocol/messages';
import { controlStyles } from './control-styles';
import { groupByDate } from './date-groups';
import { emit } from './events';
import { archiveIcon, pencilIcon, plusIcon, trashIcon, unarchiveIcon } from './icons';
import { MessageSearch } from './message-search';
import type { TandemMessageHits } from './tandem-message-hits';
import { filterThreads } from './thread-filter';
import { tokens } from './tokens';
import './tandem-message-hits';

const STATUS_LABEL: Record<ThreadSummary['status'], string> = {
  idle: '',
  running: 'Running',
  waiting: 'Waiting for you',
  retrying: 'Retrying',
  paused: 'Paused: storage',
  failed: 'Failed',
};

@customElement('tandem-thread-list')
export class TandemThreadList extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        background: var(--tandem-bg);
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size);
        color: var(--tandem-text);
      }
      .tools {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2) var(--tandem-space-2) var(--tandem-space-1);
      }
      .search-row {
        display: flex;
        gap: var(--tandem-space-2);
      }
      input[type='search'] {
        flex: 1;
        min-width: 0;
      }
      .archived-toggle {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-1);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
        cursor: pointer;
        width: fit-content;
        min-height: var(--tandem-tap-compact);
      }
      .groups {
        padding: 0 var(--tandem-space-1) var(--tandem-space-1);
        overflow-y: auto;
        flex: 1;
        min-height: 0;
      }
      .group-label {
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
      li {
        position: relative;
        display: flex;
        align-items: center;
        gap: 2px;
        border-radius: var(--tandem-radius);
      }
      li:hover,
      li:focus-within {
        background: var(--tandem-surface-hover);
      }
      li[aria-current='true'] {
        background: var(--tandem-accent-soft);
      }
      .open {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        justify-content: flex-start;
        gap: var(--tandem-space-2);
        min-height: var(--tandem-tap-row);
        padding: 0 var(--tandem-space-2);
        border: none;
        background: transparent;
        text-align: left;
      }
      .open:hover:not(:disabled) {
        background: transparent;
      }
      .dot {
        flex: none;
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: transparent;
      }
      .dot.running {
        background: var(--tandem-info);
        animation: pulse 1.2s ease-in-out infinite;
      }
      .dot.retrying {
        background: var(--tandem-warning);
        animation: pulse 1.2s ease-in-out infinite;
      }
      .dot.waiting {
        background: var(--tandem-warning);
      }
      .dot.failed {
        background: var(--tandem-danger);
      }
      @keyframes pulse {
        50% {
          opacity: 0.3;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .dot.running,
        .dot.retrying {
          animation: none;
        }
      }
      .title {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .archived .title {
        color: var(--tandem-text-muted);
      }
      .badge {
        flex: none;
        min-width: 18px;
        height: 18px;
        padding: 0 5px;
        box-sizing: border-box;
        border-radius: 9px;
        background: var(--tandem-warning);
        color: var(--tandem-bg);
        font-size: 11px;
        font-weight: 700;
        display: grid;
        place-items: center;
      }
      .cost {
        flex: none;
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
        font-variant-numeric: tabular-nums;
      }
      /* Over the end of the row, shown on hover or focus, so titles get the full width. */
      .actions {
        position: absolute;
        right: 2px;
        top: 50%;
        transform: translateY(-50%);
        display: flex;
        padding-left: var(--tandem-space-2);
        border-radius: var(--tandem-radius);
        background: var(--tandem-surface-hover);
        opacity: 0;
      }
      li[aria-current='true'] .actions {
        background: var(--tandem-accent-soft);
      }
      li:hover .actions,
      li:focus-within .actions {
        opacity: 1;
      }
      /* Touch screens have no hover: keep the actions in the row, always visible. */
      @media (hover: none) {
        .actions {
          position: static;
          transform: none;
          opacity: 1;
          background: none;
        }
      }
      .actions button {
        min-height: var(--tandem-tap-compact);
        min-width: var(--tandem-tap-compact);
        width: var(--tandem-tap-compact);
        padding: 0;
        border-color: transparent;
        background: transparent;
        color: var(--tandem-text-muted);
      }
      .actions button:hover:not(:disabled) {
        color: var(--tandem-text);
      }
      .rename {
        flex: 1;
        min-width: 0;
        margin: 3px;
      }
      .confirm {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2);
      }
      .confirm span {
        flex: 1 0 100%;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .empty {
        padding: var(--tandem-space-4);
        text-align: center;
        color: var(--tandem-text-muted);
      }
    `,
  ];

  @property({ attribute: false }) threads: readonly ThreadSummary[] = [];
  @property() selectedId: string | undefined;
  /** No link to the runtime: nothing can be created or changed. */
  @property({ type: Boolean }) disabled = false;
  /** Set, the search field also searches inside messages (through the runtime). */
  @property({ attribute: false }) client: ConversationClient | undefined;

  @state() private query = '';
  @state() private showArchived = false;
  /** The thread the arrow keys are on (the list's single tab stop). */
  @state() private activeId: string | undefined;
  @state() private renamingId: string | undefined;
  @state() private confirmingDeleteId: string | undefined;
  /** Focus to move after the next render, by thread id and part. */
  private pendingFocus: { id: string; part: 'open' | 'rename' | 'cancel' } | undefined;
  private readonly messageSearch = new MessageSearch(this);

  private get visible(): ThreadSummary[] {
    return filterThreads(this.threads, { query: this.query, showArchived: this.showArchived });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selectedId') && this.selectedId) this.activeId = this.selectedId;
    this.messageSearch.use(this.client);
  }

  /** Hits in threads the list shows (archived ones only with "Show archived"). */
  private get visibleHits() {
    const shown = new Set(this.threads.filter((t) => this.showArchived || !t.archived).map((t) => t.id));
    return this.messageSearch.hits.filter((hit) => shown.has(hit.threadId));
  }

  private focusHits(): boolean {
    const hits = this.renderRoot.querySelector<TandemMessageHits>('tandem-message-hits');
    if (!hits || this.visibleHits.length === 0) return false;
    hits.focusFirst();
    return true;
  }

  protected override updated(): void {
    const focus = this.pendingFocus;
    if (!focus) return;
    this.pendingFocus = undefined;
    const selector = `li[data-thread-id="${CSS.escape(focus.id)}"] [data-part="${focus.part}"]`;
    const target = this.renderRoot.querySelector<HTMLElement>(selector);
    target?.focus();
    if (target instanceof HTMLInputElement) target.select();
  }

  private focusLater(id: string, part: 'open' | 'rename' | 'cancel'): void {
    this.pendingFocus = { id, part };
    this.requestUpdate();
  }

  private move(from: string, delta: number | 'first' | 'last'): void {
    const list = this.visible;
    if (list.length === 0) return;
    const index = list.findIndex((t) => t.id === from);
    if (delta === 1 && index === list.length - 1 && this.focusHits()) return;
    const next =
      delta === 'first'
        ? 0
        : delta === 'last'
          ? list.length - 1
          : Math.max(0, Math.min(list.length - 1, index + delta));
    const target = list[next];
    if (!target) return;
    this.activeId = target.id;
    this.focusLater(target.id, 'open');
  }

  private onRowKeyDown(event: KeyboardEvent, thread: ThreadSummary): void {
    if (event.target !== event.currentTarget) return; // keys typed in the row's buttons/inputs
    const keys: Record<string, () => void> = {
      ArrowDown: () => this.move(thread.id, 1),
      ArrowUp: () => this.move(thread.id, -1),
      Home: () => this.move(thread.id, 'first'),
      End: () => this.move(thread.id, 'last'),
      F2: () => this.startRename(thread),
      Delete: () => this.askDelete(thread),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  private select(thread: ThreadSummary): void {
    this.activeId = thread.id;
    emit(this, 'thread-select', { threadId: thread.id });
  }

  private startRename(thread: ThreadSummary): void {
    if (this.disabled) return;
    this.confirmingDeleteId = undefined;
    this.renamingId = thread.id;
    this.focusLater(thread.id, 'rename');
  }

  private finishRename(thread: ThreadSummary, input: HTMLInputElement, save: boolean): void {
    if (this.renamingId !== thread.id) return; // blur after Enter/Escape already handled it
    this.renamingId = undefined;
    this.focusLater(thread.id, 'open');
    const title = input.value.trim();
    if (save && title && title !== thread.title) {
      emit(this, 'thread-rename', { threadId: thread.id, title: title.slice(0, 200) });
    }
  }

  private onRenameKeyDown(event: KeyboardEvent, thread: ThreadSummary): void {
    if (event.key === 'Enter' || event.key === 'Escape') {
      event.preventDefault();
      this.finishRename(thread, event.currentTarget as HTMLInputElement, event.key === 'Enter');
    }
  }

  private askDelete(thread: ThreadSummary): void {
    if (this.disabled) return;
    this.renamingId = undefined;
    this.confirmingDeleteId = thread.id;
    this.focusLater(thread.id, 'cancel');
  }

  private confirmDelete(thread: ThreadSummary): void {
    this.confirmingDeleteId = undefined;
    emit(this, 'thread-delete', { threadId: thread.id });
  }

  private cancelDelete(thread: ThreadSummary): void {
    this.confirmingDeleteId = undefined;
    this.focusLater(thread.id, 'open');
  }

  private renderRow(thread: ThreadSummary, tabStop: boolean) {
    const selected = thread.id === this.selectedId;
    if (this.confirmingDeleteId === thread.id) {
      return html`<li data-testid="thread-item" data-thread-id=${thread.id} aria-current=${selected ? 'true' : 'false'}>
        <div class="confirm" role="group" aria-label="Confirm delete">
          <span>Delete “${thread.title}”?</span>
          <button
            class="danger"
            data-testid="thread-delete-confirm"
            ?disabled=${this.disabled}
            @click=${() => this.confirmDelete(thread)}
          >
            Delete
          </button>
          <button
            data-part="cancel"
            data-testid="thread-delete-cancel"
            @click=${() => this.cancelDelete(thread)}
            @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.cancelDelete(thread)}
          >
            Cancel
          </button>
        </div>
      </li>`;
    }
    const renaming = this.renamingId === thread.id;
    const status = STATUS_LABEL[thread.status];
    const inner = tabStop ? 0 : -1;
    return html`<li
      class=${thread.archived ? 'archived' : ''}
      data-testid="thread-item"
      data-thread-id=${thread.id}
      data-status=${thread.status}
      aria-current=${selected ? 'true' : 'false'}
    >
      ${
        renaming
          ? html`<input
            class="rename"
            type="text"
            data-part="rename"
            data-testid="thread-rename-input"
            aria-label="Thread title"
            maxlength="200"
            .value=${thread.title}
            @keydown=${(e: KeyboardEvent) => this.onRenameKeyDown(e, thread)}
            @blur=${(e: FocusEvent) => this.finishRename(thread, e.currentTarget as HTMLInputElement, true)}
          />`
          : html`<button
            class="open"
            data-part="open"
            tabindex=${tabStop ? 0 : -1}
            @click=${() => this.select(thread)}
            @focus=${() => {
              this.activeId = thread.id;
            }}
            @keydown=${(e: KeyboardEvent) => this.onRowKeyDown(e, thread)}
          >
            <span class="dot ${thread.status}" data-testid="thread-status" title=${status}></span>
            <span class="title" data-testid="thread-title" title=${thread.title}>${thread.title}</span>
            ${status ? html`<span class="visually-hidden">, ${status}</span>` : nothing}
            ${
              thread.pendingDecisions > 0
                ? html`<span class="badge" data-testid="thread-pending-badge" title="Decisions waiting for you"
                  >${thread.pendingDecisions}<span class="visually-hidden"> waiting for you</span></span
                >`
                : nothing
            }
            ${thread.costUsd > 0 ? html`<span class="cost" data-testid="thread-cost">${formatUsd(thread.costUsd)}</span>` : nothing}
          </button>`
      }
      ${
        renaming
          ? nothing
          : html`<div class="actions">
            <button
              tabindex=${inner}
              title="Rename (F2)"
              aria-label="Rename"
              data-testid="thread-rename"
              ?disabled=${this.disabled}
              @click=${() => this.startRename(thread)}
            >
              ${pencilIcon}
            </button>
            <button
              tabindex=${inner}
              title=${thread.archived ? 'Unarchive' : 'Archive'}
              aria-label=${thread.archived ? 'Unarchive' : 'Archive'}
              data-testid="thread-archive"
              ?disabled=${this.disabled}
              @click=${() => emit(this, 'thread-archive', { threadId: thread.id, archived: !thread.archived })}
            >
              ${thread.archived ? unarchiveIcon : archiveIcon}
            </button>
            <button
              tabindex=${inner}
              title="Delete (Del)"
              aria-label="Delete"
              data-testid="thread-delete"
              ?disabled=${this.disabled}
              @click=${() => this.askDelete(thread)}
            >
              ${trashIcon}
            </button>
          </div>`
      }
    </li>`;
  }

  override render() {
    const list = this.visible;
    const hits = this.query.trim() ? this.visibleHits : [];
    const activeId = list.some((t) => t.id === this.activeId) ? this.activeId : list[0]?.id;
    return html`
      <div class="tools">
        <div class="search-row">
          <input
            type="search"
            placeholder="Search threads"
            aria-label=${this.client ? 'Search threads and messages' : 'Search threads by title'}
            data-testid="thread-search"
            .value=${this.query}
            @input=${(e: InputEvent) => {
              this.query = (e.target as HTMLInputElement).value;
              this.messageSearch.search(this.query);
            }}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key !== 'ArrowDown') return;
              if (list[0]) {
                e.preventDefault();
                this.move(list[0].id, 'first');
              } else if (this.focusHits()) {
                e.preventDefault();
              }
            }}
          />
          <button
            class="primary"
            data-testid="new-thread"
            ?disabled=${this.disabled}
            @click=${() => emit(this, 'thread-create', {})}
          >
            ${plusIcon} New
          </button>
        </div>
        <label class="archived-toggle">
          <input
            type="checkbox"
            data-testid="show-archived"
            .checked=${this.showArchived}
            @change=${(e: Event) => {
              this.showArchived = (e.target as HTMLInputElement).checked;
            }}
          />
          Show archived
        </label>
      </div>
      ${
        list.length === 0 && hits.length === 0 && !this.messageSearch.searching
          ? html`<div class="empty" data-testid="thread-list-empty">
            ${
              this.threads.length === 0
                ? 'No threads yet. Start one with “New”.'
                : this.query
                  ? this.client
                    ? `Nothing matches “${this.query}” in titles or messages.`
                    : `No thread titles match “${this.query}”.`
                  : 'All threads are archived.'
            }
          </div>`
          : html`<div class="groups" data-testid="thread-list">
            ${groupByDate(list, (t) => t.updatedAt, Date.now()).map(
              (group) => html`<h2 class="group-label" data-testid="thread-group">${group.label}</h2>
                <ul aria-label=${`Threads: ${group.label}`}>
                  ${repeat(
                    group.items,
                    (thread) => thread.id,
                    (thread) => this.renderRow(thread, thread.id === activeId),
                  )}
                </ul>`,
            )}
            ${
              this.query.trim()
                ? html`<tandem-message-hits
                  .hits=${hits}
                  .threads=${this.threads}
                  .more=${this.messageSearch.more}
                  .searching=${this.messageSearch.searching}
                  @hits-exit-up=${(e: Event) => {
                    e.stopPropagation();
                    const lastRow = list.at(-1);
                    if (lastRow) this.move(lastRow.id, 'last');
                    else this.renderRoot.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
                  }}
                ></tandem-message-hits>`
                : nothing
            }
          </div>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-thread-list': TandemThreadList;
  }
}

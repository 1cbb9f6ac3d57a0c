/**
 * `<tandem-trash-view>`: what the agent (or a replacing move) sent to Tandem's
 * trash, newest first. Each entry can be restored to where it was, or deleted for
 * good after an explicit confirmation. This view is the only way to destroy a
 * file: the agent has no tool for it.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { BridgeStatus, TrashPage } from '../../../shared/protocol/files';
import type { TrashEntry } from '../../../shared/protocol/native-host';
import { parenthetical } from '../../../shared/text/sentence';
import { controlStyles } from '../../../shared/ui/control-styles';
import { emit } from '../../../shared/ui/events';
import { tokens } from '../../../shared/ui/tokens';
import { formatSize } from '../../files/host-paths';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

/** What is waiting for "Delete forever" to be confirmed: one entry, or everything listed. */
type Purging = { kind: 'one'; entry: TrashEntry } | { kind: 'all'; ids: string[] };

@customElement('tandem-trash-view')
export class TandemTrashView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      li {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
      }
      .row {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
        flex-wrap: wrap;
      }
      .name {
        font-weight: 600;
        word-break: break-all;
      }
      .path {
        font-family: var(--tandem-font-mono);
        font-size: var(--tandem-font-size-small);
        word-break: break-all;
      }
      .confirm {
        padding: var(--tandem-space-2);
        border-radius: var(--tandem-radius);
        background: var(--tandem-danger-soft);
      }
      .error {
        color: var(--tandem-danger);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;

  @state() private page: TrashPage | undefined;
  /** The file host's state: without a host there is no trash to list, and "Loading…" would never end. */
  @state() private bridge: BridgeStatus | undefined;
  @state() private error: string | undefined;
  @state() private busy = false;
  @state() private purging: Purging | undefined;

  /** Set while "Load more" waits, so the next page is appended rather than shown alone. */
  private appending = false;

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'bridge') this.bridge = message.status;
        if (message.type !== 'trash') return;
        const next: TrashPage = {
          entries: message.entries,
          nextCursor: message.nextCursor,
          totalEntries: message.totalEntries,
        };
        if (this.appending && this.page) {
          const known = new Set(this.page.entries.map((e) => e.id));
          next.entries = [...this.page.entries, ...next.entries.filter((e) => !known.has(e.id))];
        }
        this.appending = false;
        this.page = next;
      },
      refresh: () => this.refresh(),
    });
  }

  private refresh(): void {
    void this.client?.send({ type: 'bridge.status' }).catch(() => {});
    void this.run((client) => client.send({ type: 'trash.list' }));
  }

  /** No host, no trash: say so, and where it is fixed (Settings → Folders shows how to install it). */
  private renderHostMissing(bridge: BridgeStatus) {
    return html`<div class="confirm" role="status" data-testid="trash-host-missing">
      <p>
        ${
          bridge.state === 'not_installed'
            ? 'The Tandem file host is not installed, so there are no local files and no trash yet.'
            : `The Tandem file host is not answering${bridge.message ? ` ${parenthetical(bridge.message)}` : ''}.`
        }
      </p>
      <button
        type="button"
        data-testid="trash-open-folders"
        @click=${() => emit(this, 'open-settings', { section: 'folders' })}
      >
        Set up in Folders
      </button>
    </div>`;
  }

  private async run(work: (client: ConversationClient) => Promise<unknown>): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    this.busy = true;
    this.error = undefined;
    try {
      await work(client);
      return true;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private loadMore(): void {
    const cursor = this.page?.nextCursor;
    if (!cursor) return;
    this.appending = true;
    void this.run((client) => client.send({ type: 'trash.list', cursor })).then((ok) => {
      if (!ok) this.appending = false;
    });
  }

  private restore(entry: TrashEntry): void {
    void this.run((client) => client.send({ type: 'trash.restore', entryId: entry.id }));
  }

  private async purge(ids: string[]): Promise<void> {
    if (await this.run((client) => client.send({ type: 'trash.purge', entryIds: ids }))) this.purging = undefined;
  }

  private renderConfirm(purging: Purging) {
    const what =
      purging.kind === 'one'
        ? `Delete ${purging.entry.name} for good?`
        : `Delete all ${purging.ids.length} listed item${purging.ids.length === 1 ? '' : 's'} for good?`;
    const ids = purging.kind === 'one' ? [purging.entry.id] : purging.ids;
    return html`<div class="confirm row" role="alertdialog" data-testid="trash-purge-confirm">
      <span>${what} This cannot be undone.</span>
      <button
        type="button"
        class="danger"
        data-testid="trash-purge-yes"
        ?disabled=${this.busy}
        @click=${() => this.purge(ids)}
      >
        Delete forever
      </button>
      <button
        type="button"
        class="quiet"
        data-testid="trash-purge-cancel"
        @click=${() => {
          this.purging = undefined;
        }}
      >
        Cancel
      </button>
    </div>`;
  }

  private renderEntry(entry: TrashEntry) {
    const purging = this.purging;
    const confirming = purging?.kind === 'one' && purging.entry.id === entry.id;
    return html`<li data-testid="trash-item" data-id=${entry.id} data-name=${entry.name}>
      <div class="row">
        <span class="name">${entry.name}${entry.type === 'dir' ? '/' : ''}</span>
        <span class="muted">${formatSize(entry.size)} · deleted ${new Date(entry.deletedAt).toLocaleString()}</span>
      </div>
      <span class="path" data-testid="trash-original-path">${entry.originalPath}</span>
      <div class="row">
        <button type="button" data-testid="trash-restore" ?disabled=${this.busy} @click=${() => this.restore(entry)}>
          Restore
        </button>
        <button
          type="button"
          class="quiet"
          data-testid="trash-purge"
          ?disabled=${this.busy}
          @click=${() => {
            this.purging = { kind: 'one', entry };
          }}
        >
          Delete forever
        </button>
      </div>
      ${confirming && purging ? this.renderConfirm(purging) : nothing}
    </li>`;
  }

  override render() {
    const page = this.page;
    const hostMissing =
      page === undefined && (this.bridge?.state === 'not_installed' || this.bridge?.state === 'error');
    return html`
      <h2>Trash</h2>
      <p class="muted">
        Files the agent deleted wait here until you restore them or delete them for good. Tandem never empties its trash
        by itself.
      </p>
      ${
        hostMissing && this.bridge
          ? this.renderHostMissing(this.bridge)
          : this.error
            ? html`<p class="error" role="alert" data-testid="trash-error">${this.error}</p>`
            : nothing
      }
      ${
        hostMissing
          ? nothing
          : page === undefined
            ? this.error
              ? nothing
              : html`<p class="muted" data-testid="trash-loading">Loading…</p>`
            : page.entries.length === 0
              ? html`<p data-testid="trash-empty">The trash is empty.</p>`
              : html`<ul data-testid="trash-list">${page.entries.map((entry) => this.renderEntry(entry))}</ul>
                <div class="row">
                  <span class="muted">${page.entries.length} of ${page.totalEntries}</span>
                  ${
                    page.nextCursor
                      ? html`<button type="button" class="quiet" data-testid="trash-more" @click=${this.loadMore}>
                        Load more
                      </button>`
                      : nothing
                  }
                  <button
                    type="button"
                    class="quiet"
                    data-testid="trash-purge-all"
                    ?disabled=${this.busy}
                    @click=${() => {
                      this.purging = { kind: 'all', ids: page.entries.map((e) => e.id) };
                    }}
                  >
                    Empty trash
                  </button>
                </div>
                ${this.purging?.kind === 'all' ? this.renderConfirm(this.purging) : nothing}`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-trash-view': TandemTrashView;
  }
}

/**
 * `<tandem-deleted-threads-view>`: conversations deleted from a phone. A phone cannot destroy
 * conversations (a stolen one could wipe them all): its delete moves them here, and only this view,
 * on the computer, restores them or deletes them for good.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { ThreadSummary } from '../../../shared/protocol';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

@customElement('tandem-deleted-threads-view')
export class TandemDeletedThreadsView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      li {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
        flex-wrap: wrap;
      }
      .title {
        font-weight: 600;
        flex: 1;
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private threads: ThreadSummary[] | undefined;
  @state() private confirming: string | undefined;

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'threads.trashed') this.threads = message.threads;
      },
      refresh: (client) => void client.send({ type: 'threads.trash' }).catch(() => {}),
    });
  }

  private async restore(threadId: string): Promise<void> {
    await this.client?.send({ type: 'thread.restore', threadId }).catch(() => {});
  }

  private async purge(threadId: string): Promise<void> {
    this.confirming = undefined;
    await this.client?.send({ type: 'thread.delete', threadId }).catch(() => {});
    await this.client?.send({ type: 'threads.trash' }).catch(() => {});
  }

  override render() {
    if (!this.threads) return html`<p class="muted">Loading…</p>`;
    if (this.threads.length === 0) {
      return html`<p data-testid="deleted-threads-empty">No conversations were deleted from a phone.</p>`;
    }
    return html`<h2>Deleted from a phone</h2>
      <ul data-testid="deleted-threads">
        ${this.threads.map(
          (thread) => html`<li data-testid="deleted-thread" data-thread-id=${thread.id}>
            <span class="title">${thread.title}</span>
            <span class="muted">${new Date(thread.trashedAt ?? thread.updatedAt).toLocaleString()}</span>
            <button data-testid="deleted-thread-restore" @click=${() => void this.restore(thread.id)}>Restore</button>
            ${
              this.confirming === thread.id
                ? html`<button class="danger" data-testid="deleted-thread-purge-confirm" @click=${() => void this.purge(thread.id)}>
                    Delete for good
                  </button>`
                : html`<button data-testid="deleted-thread-purge" @click=${() => (this.confirming = thread.id)}>
                    Delete forever…
                  </button>`
            }
          </li>`,
        )}
      </ul>
      ${nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-deleted-threads-view': TandemDeletedThreadsView;
  }
}

/**
 * `<tandem-notice>`: an error, warning or info line in a thread (or a banner above
 * it). A rejected API key offers the way out: "Check your API key" → `open-settings`.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { NoticeAction } from '../conversation/thread-view';
import type { ErrorKind } from '../protocol/events';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { hostText, tokens } from './tokens';

export type NoticeTone = 'error' | 'warning' | 'info';

const ICON: Record<NoticeTone, string> = { error: '!', warning: '!', info: 'i' };

@customElement('tandem-notice')
export class TandemNotice extends LitElement {
  static override styles = [
    tokens,
    hostText,
    controlStyles,
    css`
      .notice {
        display: flex;
        align-items: flex-start;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        border-left: 3px solid;
      }
      .error {
        background: var(--tandem-danger-soft);
        border-color: var(--tandem-danger);
      }
      .warning {
        background: var(--tandem-warning-soft);
        border-color: var(--tandem-warning);
      }
      .info {
        background: var(--tandem-info-soft);
        border-color: var(--tandem-info);
      }
      .icon {
        flex: none;
        width: 18px;
        height: 18px;
        margin-top: 1px;
        border-radius: 50%;
        display: grid;
        place-items: center;
        font-size: 11px;
        font-weight: 700;
        color: var(--tandem-bg);
      }
      .error .icon {
        background: var(--tandem-danger);
      }
      .warning .icon {
        background: var(--tandem-warning);
      }
      .info .icon {
        background: var(--tandem-info);
      }
      .body {
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
        white-space: pre-wrap;
      }
      .actions {
        display: flex;
        gap: var(--tandem-space-1);
        flex: none;
      }
    `,
  ];

  @property() tone: NoticeTone = 'info';
  @property() text = '';
  @property({ attribute: false }) errorKind: ErrorKind | undefined;
  /** Ways out offered on the card: "Retry now" (`retry-now`), "Settings" (`open-settings`). */
  @property({ attribute: false }) actions: ReadonlyArray<NoticeAction> | undefined;
  /** Shows a close button that fires `dismiss`. */
  @property({ type: Boolean }) dismissible = false;
  /** Tests find thread notices by "notice"; a banner above the thread uses another id. */
  @property() testid = 'notice';

  override render() {
    const auth = this.errorKind === 'auth';
    return html`<div
      class="notice ${this.tone}"
      role=${this.tone === 'error' ? 'alert' : 'status'}
      data-testid=${this.testid}
      data-tone=${this.tone}
      data-error-kind=${this.errorKind ?? ''}
    >
      <span class="icon" aria-hidden="true">${ICON[this.tone]}</span>
      <div class="body">${this.text}</div>
      <div class="actions">
        ${
          auth
            ? html`<button data-testid="notice-open-settings" @click=${() => emit(this, 'open-settings', {})}>
              Check your API key
            </button>`
            : nothing
        }
        ${
          this.actions?.includes('retry_now')
            ? html`<button data-testid="notice-retry-now" @click=${() => emit(this, 'retry-now', {})}>Retry now</button>`
            : nothing
        }
        ${
          this.actions?.includes('settings') && !auth
            ? html`<button data-testid="notice-settings" @click=${() => emit(this, 'open-settings', {})}>Settings</button>`
            : nothing
        }
        ${
          this.dismissible
            ? html`<button
              class="quiet icon"
              aria-label="Dismiss"
              data-testid="notice-dismiss"
              @click=${() => emit(this, 'dismiss', {})}
            >
              ✕
            </button>`
            : nothing
        }
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-notice': TandemNotice;
  }
}

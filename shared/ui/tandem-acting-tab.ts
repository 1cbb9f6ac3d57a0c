/**
 * `<tandem-acting-tab>`: "Acting in shop.example.com — Basket", shown while a thread's task drives
 * one of the agent's tabs, with "Show tab" (bring that window and tab to the front on the computer)
 * and "Stop". The tab's title comes from a web page: Lit renders it as text, never as markup.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ActingTabView } from '../conversation/thread-view';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { tokens } from './tokens';

@customElement('tandem-acting-tab')
export class TandemActingTab extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        align-items: center;
        gap: var(--tandem-tap-gap);
        padding: var(--tandem-space-1) var(--tandem-space-2);
        border: 1px solid var(--tandem-accent);
        border-radius: var(--tandem-radius);
        background: var(--tandem-accent-soft);
        font-size: var(--tandem-font-size-small);
      }
      .dot {
        flex: none;
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: var(--tandem-accent);
      }
      .where {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        color: var(--tandem-text);
      }
      .actions {
        display: inline-flex;
        gap: var(--tandem-tap-gap);
      }
    `,
  ];

  @property({ attribute: false }) tab: ActingTabView | undefined;
  /** Not connected: the buttons would only queue. */
  @property({ type: Boolean }) disabled = false;

  override render() {
    const tab = this.tab;
    if (!tab) return nothing;
    const where = tab.title ? `${tab.site} — ${tab.title}` : tab.site;
    return html`<div class="bar" role="status" data-testid="acting-tab">
      <span class="dot" aria-hidden="true"></span>
      <span class="where" title=${`${tab.url}${tab.title ? `\n${tab.title}` : ''}`} data-testid="acting-tab-text"
        >Acting in ${where}</span
      >
      <span class="actions">
        <button data-testid="acting-tab-show" ?disabled=${this.disabled} @click=${() => emit(this, 'show-tab', {})}>
          Show tab
        </button>
        <button class="danger" data-testid="acting-tab-stop" ?disabled=${this.disabled} @click=${() => emit(this, 'stop', {})}>
          Stop
        </button>
      </span>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-acting-tab': TandemActingTab;
  }
}

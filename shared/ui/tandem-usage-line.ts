/**
 * `<tandem-usage-line>`: the estimated cost of one turn or a whole thread as one short figure;
 * the full token line ("0 in · 42 out · 3.97k cache write · <$0.01") opens on demand, so it
 * never wraps into orphan lines under every message.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Usage } from '../protocol/events';
import { tokens } from './tokens';
import { describeUsage, partText, shortUsage, usageParts } from './usage-text';

@customElement('tandem-usage-line')
export class TandemUsageLine extends LitElement {
  static override styles = [
    tokens,
    css`
      :host {
        display: block;
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
        font-variant-numeric: tabular-nums;
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0 var(--tandem-space-2);
      }
      button.figure {
        font: inherit;
        color: inherit;
        background: none;
        border: none;
        padding: 2px 4px;
        margin: -2px -4px;
        border-radius: var(--tandem-radius);
        cursor: pointer;
        white-space: nowrap;
      }
      @media (pointer: coarse) {
        button.figure {
          min-height: var(--tandem-tap);
          min-width: var(--tandem-tap);
          margin: 0;
        }
      }
      button.figure:hover {
        color: var(--tandem-text);
      }
      button.figure:focus-visible {
        outline: none;
        box-shadow: var(--tandem-focus-ring);
      }
      .details {
        display: contents;
      }
      .label {
        margin-right: var(--tandem-space-1);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) usage: Usage | undefined;
  @property({ type: Number }) costUsd = 0;
  /** Shown before the numbers, e.g. "Thread". */
  @property() label = '';
  @property({ attribute: 'testid' }) testid = 'usage-line';
  @state() private expanded = false;

  override render() {
    const usage = this.usage;
    if (!usage) return nothing;
    const full = describeUsage(usage, this.costUsd);
    return html`<div class="line" data-testid=${this.testid} data-expanded=${this.expanded ? 'true' : 'false'}>
      ${this.label ? html`<span class="label">${this.label}</span>` : nothing}
      <button
        type="button"
        class="figure"
        data-testid="${this.testid}-toggle"
        aria-expanded=${this.expanded ? 'true' : 'false'}
        title=${this.expanded ? 'Hide the token details' : full}
        @click=${() => {
          this.expanded = !this.expanded;
        }}
      >
        ${shortUsage(usage, this.costUsd)}
      </button>
      ${
        this.expanded
          ? html`<span class="details" data-testid="${this.testid}-details">${usageParts(usage, this.costUsd).map(
              (p, i) =>
                html`${i > 0 ? html`<span aria-hidden="true">${' · '}</span>` : nothing}<span class="part" title=${p.exact}
                    >${partText(p)}</span
                  >`,
            )}</span>`
          : nothing
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-usage-line': TandemUsageLine;
  }
}

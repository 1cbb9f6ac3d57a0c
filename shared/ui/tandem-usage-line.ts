/**
 * `<tandem-usage-line>`: tokens and estimated cost, for one turn or a whole thread.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Usage } from '../protocol/events';
import { tokens } from './tokens';
import { describeUsage, partText, usageParts } from './usage-text';

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
        gap: 0 var(--tandem-space-2);
      }
      .label {
        margin-right: var(--tandem-space-1);
        font-weight: 600;
      }
      .part + .part::before {
        content: '·';
        margin-right: var(--tandem-space-2);
      }
    `,
  ];

  @property({ attribute: false }) usage: Usage | undefined;
  @property({ type: Number }) costUsd = 0;
  /** Shown before the numbers, e.g. "Thread". */
  @property() label = '';
  @property({ attribute: 'testid' }) testid = 'usage-line';

  override render() {
    if (!this.usage) return nothing;
    return html`<div
      class="line"
      data-testid=${this.testid}
      aria-label=${`${this.label ? `${this.label}: ` : ''}${describeUsage(this.usage, this.costUsd)}`}
    >
      ${this.label ? html`<span class="label">${this.label}</span>` : nothing}
      ${usageParts(this.usage, this.costUsd).map(
        (p) => html`<span class="part" title=${p.exact}>${partText(p)}</span>`,
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-usage-line': TandemUsageLine;
  }
}

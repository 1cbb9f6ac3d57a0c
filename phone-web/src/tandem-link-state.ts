/**
 * `<tandem-link-state>`: the phone link's state: connecting, pairing, connected, reconnecting with a
 * countdown and "Retry now", removed (revoked), or pairing failed. `compact` (the header, always
 * shown) is a dot and a word; the full form is a strip under the header while not connected.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { controlStyles } from '../../shared/ui/control-styles';
import { tokens } from '../../shared/ui/tokens';
import '../../shared/ui/tandem-connection-state';
import type { LinkPhase } from './phone-link';

@customElement('tandem-link-state')
export class TandemLinkState extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: var(--tandem-space-2);
      }
      :host(:not([compact])) {
        display: flex;
        justify-content: space-between;
        padding: var(--tandem-space-1) var(--tandem-space-3);
        background: var(--tandem-warning-soft);
        font-size: var(--tandem-font-size-small);
      }
      button {
        min-height: var(--tandem-tap);
      }
    `,
  ];

  @property({ attribute: false }) phase: LinkPhase = { kind: 'connecting' };
  @property({ type: Boolean, reflect: true }) compact = false;
  /** The link is open but its path is in doubt (an ICE restart, see link-recovery.ts). */
  @property({ type: Boolean }) recovering = false;
  private ticker: ReturnType<typeof setInterval> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTicker();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('phase')) return;
    if (this.phase.kind === 'retrying' && this.ticker === undefined) {
      this.ticker = setInterval(() => this.requestUpdate(), 250);
    } else if (this.phase.kind !== 'retrying') {
      this.stopTicker();
    }
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private retry(): void {
    this.dispatchEvent(new CustomEvent('retry-now', { bubbles: true, composed: true }));
  }

  override render() {
    const phase = this.phase;
    const view = phase.kind === 'open' && this.recovering ? { state: 'reconnecting', detail: '' } : describe(phase);
    if (this.compact) {
      return html`<span data-testid="phone-link-state" data-phase=${phase.kind}>
        <tandem-connection-state .state=${view.state} quietWhenConnected></tandem-connection-state>
      </span>`;
    }
    return html`<tandem-connection-state .state=${view.state} .detail=${view.detail}></tandem-connection-state>
      ${
        phase.kind === 'retrying'
          ? html`<button class="quiet" data-testid="retry-now" @click=${this.retry}>Retry now</button>`
          : nothing
      }`;
  }
}

function describe(phase: LinkPhase): { state: string; detail: string } {
  switch (phase.kind) {
    case 'open':
      return { state: 'connected', detail: '' };
    case 'pairing':
      return { state: 'connecting', detail: 'pairing' };
    case 'connecting':
      return { state: 'connecting', detail: '' };
    case 'retrying': {
      const seconds = Math.max(0, Math.ceil((phase.at - Date.now()) / 1000));
      return { state: 'reconnecting', detail: seconds > 0 ? `retrying in ${seconds} s` : 'retrying' };
    }
    case 'revoked':
      return { state: 'disconnected', detail: 'removed from Tandem' };
    case 'failed':
      return { state: 'disconnected', detail: 'not paired' };
    case 'unpaired':
      // A normal state before pairing, not an error: neutral, not the red "Disconnected".
      return { state: 'not-paired', detail: '' };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-link-state': TandemLinkState;
  }
  interface HTMLElementEventMap {
    'retry-now': CustomEvent<undefined>;
  }
}

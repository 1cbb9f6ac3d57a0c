/**
 * `<tandem-connection-state>`: how the client is connected to the runtime.
 *
 * Takes a free-form `state` so each client can add its own (the phone adds pairing
 * states); known states get a label and a colour, unknown ones show as written.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { tokens } from './tokens';

/** `idle`: nothing is wrong and nothing is happening (a phone not paired yet). */
type Tone = 'ok' | 'busy' | 'bad' | 'idle';

const KNOWN: Record<string, { label: string; tone: Tone } | undefined> = {
  connecting: { label: 'Connecting…', tone: 'busy' },
  connected: { label: 'Connected', tone: 'ok' },
  open: { label: 'Connected', tone: 'ok' },
  reconnecting: { label: 'Reconnecting…', tone: 'busy' },
  disconnected: { label: 'Disconnected', tone: 'bad' },
  closed: { label: 'Disconnected', tone: 'bad' },
  'not-paired': { label: 'Not paired', tone: 'idle' },
};

@customElement('tandem-connection-state')
export class TandemConnectionState extends LitElement {
  static override styles = [
    tokens,
    css`
      :host {
        display: inline-flex;
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      .state {
        display: inline-flex;
        align-items: center;
        gap: var(--tandem-space-1);
      }
      .dot {
        width: 8px;
        height: 8px;
        border-radius: 50%;
        flex: none;
        background: var(--tandem-text-muted);
      }
      .ok .dot {
        background: var(--tandem-success);
      }
      .busy .dot {
        background: var(--tandem-warning);
        animation: pulse 1.2s ease-in-out infinite;
      }
      .bad .dot {
        background: var(--tandem-danger);
      }
      .bad {
        color: var(--tandem-danger);
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
      .detail::before {
        content: '— ';
      }
      @keyframes pulse {
        50% {
          opacity: 0.3;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .busy .dot {
          animation: none;
        }
      }
    `,
  ];

  @property() state = 'connecting';
  @property() detail = '';
  /** Hide the label (dot only) in the connected state, where it is just reassurance. */
  @property({ type: Boolean }) quietWhenConnected = false;

  override render() {
    const known = KNOWN[this.state];
    const tone = known?.tone ?? 'busy';
    const label = known?.label ?? this.state;
    const quiet = this.quietWhenConnected && tone === 'ok';
    return html`<span
      class="state ${tone}"
      role="status"
      data-testid="connection-state"
      data-state=${this.state}
      data-tone=${tone}
      title=${this.detail ? `${label} — ${this.detail}` : label}
    >
      <span class="dot" aria-hidden="true"></span>
      <span class=${quiet ? 'visually-hidden' : ''}>${label}</span>
      ${this.detail && !quiet ? html`<span class="detail">${this.detail}</span>` : nothing}
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-connection-state': TandemConnectionState;
  }
}

/**
 * `<tandem-pairing-view>`: pairs a phone. "Pair a phone" asks the runtime for a fresh offer and
 * shows the phone page's URL, with the offer in its fragment, as a QR code for the phone's camera.
 * The code is single-use and expires after 5 minutes; leaving the view cancels it, so a code seen
 * over someone's shoulder stops working as soon as it is not on screen.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import QRCode from 'qrcode';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import { LINK_STATUS_OFF, type LinkStatus } from '../../../shared/protocol/link';
import type { RuntimeMessage, RuntimeMessageOf } from '../../../shared/protocol/messages';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

type Offer = RuntimeMessageOf<'pairing.offer'>;

@customElement('tandem-pairing-view')
export class TandemPairingView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      .qr {
        display: flex;
        flex-direction: column;
        align-items: flex-start;
        gap: var(--tandem-space-2);
      }
      img {
        width: 240px;
        height: 240px;
        image-rendering: pixelated;
        background: #fff;
        border-radius: var(--tandem-radius);
      }
      .done {
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        background: var(--tandem-success-soft);
        color: var(--tandem-success);
      }
      .error {
        color: var(--tandem-danger);
      }
      .actions {
        display: flex;
        gap: var(--tandem-space-2);
      }
      code {
        word-break: break-all;
        font-size: var(--tandem-font-size-small);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private offer: Offer | undefined;
  @state() private qr = '';
  @state() private status: LinkStatus = LINK_STATUS_OFF;
  @state() private pairedName = '';
  @state() private error = '';
  @state() private busy = false;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => this.onMessage(message),
      // The link's state comes with its settings (and again after the runtime restarted).
      refresh: (client) => {
        void client.send({ type: 'link.settings.get' }).catch(() => {});
        // A restarted runtime cancelled the codes it had not seen a client for: show a fresh one.
        if (this.offer) void this.start();
      },
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.ticker = setInterval(() => {
      if (this.offer && Date.now() >= this.offer.expiresAt) this.clearOffer(false);
      else if (this.offer) this.requestUpdate();
    }, 1_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
    // A code that is no longer on screen must stop working.
    this.clearOffer(true);
  }

  private onMessage(message: RuntimeMessage): void {
    switch (message.type) {
      case 'pairing.offer':
        this.offer = message;
        this.pairedName = '';
        void QRCode.toDataURL(message.url, { errorCorrectionLevel: 'M', margin: 2, width: 480 }).then((url) => {
          if (this.offer === message) this.qr = url;
        });
        break;
      case 'pairing.completed':
        if (message.secretId === this.offer?.secretId) {
          this.pairedName = message.deviceName;
          this.offer = undefined;
          this.qr = '';
        }
        break;
      case 'link.status':
        this.status = message.status;
        break;
    }
  }

  private clearOffer(cancel: boolean): void {
    const offer = this.offer;
    this.offer = undefined;
    this.qr = '';
    if (cancel && offer) void this.client?.send({ type: 'pairing.cancel', secretId: offer.secretId }).catch(() => {});
  }

  private async start(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.clearOffer(true);
    this.error = '';
    this.busy = true;
    try {
      await client.send({ type: 'pairing.start' });
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  private renderStatus() {
    const { state, detail, phones } = this.status;
    const text =
      state === 'online'
        ? `Reachable by phones${phones > 0 ? ` · ${phones} connected` : ''}.`
        : state === 'connecting'
          ? detail || 'Connecting to the signaling server…'
          : state === 'error'
            ? detail
            : detail || 'The phone link is off.';
    return html`<p class="muted" data-testid="link-status" data-state=${state}>${text}</p>`;
  }

  override render() {
    const offer = this.offer;
    const seconds = offer ? Math.max(0, Math.round((offer.expiresAt - Date.now()) / 1000)) : 0;
    return html`
      <h2>Pair a phone</h2>
      <p class="muted">
        Scan the code with “Scan the QR code” on Tandem’s phone page (it keeps the code out of the phone’s
        history), or with the phone’s camera app. The phone then proves it saw this code and connects over an
        encrypted link. The code works for one attempt, for 5 minutes, and only while it is on screen.
      </p>
      ${this.renderStatus()}
      ${
        this.pairedName
          ? html`<p class="done" role="status" data-testid="pairing-done">Paired with ${this.pairedName}.</p>`
          : nothing
      }
      ${
        offer && this.qr
          ? html`<div class="qr">
            <img src=${this.qr} alt="Pairing QR code" data-testid="pairing-qr" data-url-length=${offer.url.length} />
            <span class="muted" data-testid="pairing-expiry">Expires in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}</span>
            <details>
              <summary class="muted">Can’t scan it?</summary>
              <p class="muted">Open this link on the phone (it contains the one-time code; do not share it):</p>
              <code>${offer.url}</code>
            </details>
            <div class="actions">
              <button @click=${this.start} data-testid="pairing-renew">New code</button>
              <button @click=${() => this.clearOffer(true)} data-testid="pairing-cancel">Cancel</button>
            </div>
          </div>`
          : html`<button class="primary" ?disabled=${this.busy} data-testid="pairing-start" @click=${this.start}>
            ${this.pairedName ? 'Pair another phone' : 'Pair a phone'}
          </button>`
      }
      ${this.error ? html`<p class="error" role="alert" data-testid="pairing-error">${this.error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-pairing-view': TandemPairingView;
  }
}

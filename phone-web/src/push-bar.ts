/**
 * `<tandem-push-bar>`: "Notify me on this phone" (or why it cannot), and what a notification tap
 * did. Subscribing needs a user gesture, so the extension's VAPID key is fetched beforehand and the
 * click goes straight to the permission prompt and `pushManager.subscribe`.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../shared/client/conversation-client';
import type { Transport } from '../../shared/client/transport';
import { decodeBase64url } from '../../shared/link/base64url';
import type { PushStatus } from '../../shared/protocol';
import { controlStyles } from '../../shared/ui/control-styles';
import { tokens } from '../../shared/ui/tokens';
import { currentPushEnvironment, type PushSupport, pushSupport } from './push-support';
import { PushTaps, type TapOutcome } from './push-taps';

@customElement('tandem-push-bar')
export class TandemPushBar extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-bottom: 1px solid var(--tandem-border);
        font-size: 14px;
      }
      p {
        margin: 0;
        flex: 1;
        min-width: 12em;
        color: var(--tandem-text-muted);
      }
      p.done {
        color: var(--tandem-text);
      }
      p.error {
        color: var(--tandem-danger);
      }
      button {
        min-height: 44px;
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @property({ attribute: false }) link: Transport | undefined;
  /** Only the outcome of a tap is shown (inside a thread, where the toggle would be in the way). */
  @property({ type: Boolean }) compact = false;
  @state() private status: PushStatus | undefined;
  @state() private busy = false;
  @state() private error = '';
  @state() private outcome: TapOutcome | undefined;
  private readonly support: PushSupport = pushSupport(currentPushEnvironment());
  private taps: PushTaps | undefined;
  private readonly disposers: Array<() => void> = [];

  override connectedCallback(): void {
    super.connectedCallback();
    const { client, link } = this;
    if (!client || !link) return;
    this.disposers.push(
      client.onMessage((message) => {
        if (message.type === 'push.status') this.status = message.status;
      }),
      link.onState((state) => {
        if (state === 'open') this.askStatus();
      }),
    );
    if (link.state === 'open') this.askStatus();
    this.taps = new PushTaps(
      link,
      client,
      (threadId) =>
        this.dispatchEvent(
          new CustomEvent('push-open-thread', { detail: { threadId }, bubbles: true, composed: true }),
        ),
      (outcome) => {
        this.outcome = outcome;
      },
    );
    this.taps.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const dispose of this.disposers.splice(0)) dispose();
    this.taps?.stop();
  }

  private askStatus(): void {
    if (this.support.kind !== 'ready') return;
    void this.client?.send({ type: 'push.status' }).catch(() => {});
  }

  private async enable(): Promise<void> {
    const key = this.status ? decodeBase64url(this.status.vapidPublicKey) : undefined;
    if (!key || !this.client) return;
    this.busy = true;
    this.error = '';
    try {
      // First, inside the tap: browsers grant the prompt only to a user gesture.
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        this.error = 'Notifications are blocked for this page. Allow them in the browser’s site settings.';
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key as Uint8Array<ArrayBuffer>,
      });
      const json = subscription.toJSON();
      await this.client.send({
        type: 'push.subscribe',
        subscription: {
          endpoint: subscription.endpoint,
          keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
        },
      });
    } catch (error) {
      this.error = `Could not turn on notifications: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    } finally {
      this.busy = false;
    }
  }

  private async disable(): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const registration = await navigator.serviceWorker.ready;
      await (await registration.pushManager.getSubscription())?.unsubscribe();
      await this.client?.send({ type: 'push.unsubscribe' });
    } catch (error) {
      this.error = `Could not turn off notifications: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.busy = false;
    }
  }

  private renderToggle() {
    if (this.compact) return nothing;
    if (this.support.kind !== 'ready') {
      return html`<p data-testid="push-unsupported">${this.support.message}</p>`;
    }
    if (!this.status) return nothing;
    return this.status.subscribed
      ? html`<p>Notifications are on for this phone.</p>
          <button data-testid="push-disable" ?disabled=${this.busy} @click=${() => void this.disable()}>Turn off</button>`
      : html`<p>Get a notification when Tandem needs you or a task ends.</p>
          <button class="primary" data-testid="push-enable" ?disabled=${this.busy} @click=${() => void this.enable()}>
            Notify me on this phone
          </button>`;
  }

  override render() {
    const toggle = this.renderToggle();
    if (toggle === nothing && !this.error && !this.outcome) return nothing;
    // A named region: axe wants all content in landmarks, and a screen reader can jump to it.
    return html`<div class="bar" role="region" aria-label="Phone notifications">
      ${
        this.outcome
          ? html`<p class=${this.outcome.ok ? 'done' : 'error'} role="status" data-testid="push-tap-outcome">
              ${this.outcome.message}
            </p>`
          : nothing
      }
      ${this.error ? html`<p class="error" role="alert" data-testid="push-error">${this.error}</p>` : nothing}
      ${toggle}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-push-bar': TandemPushBar;
  }
  interface HTMLElementEventMap {
    'push-open-thread': CustomEvent<{ threadId: string }>;
  }
}

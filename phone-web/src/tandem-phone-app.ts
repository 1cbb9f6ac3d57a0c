/**
 * `<tandem-phone-app>`: the phone page. One pane at a time (threads, then a thread), the link's
 * state always in the header, and full-screen explanations when the phone is not paired, was
 * removed from Tandem, or could not pair. The conversation itself is the shared components, driven
 * by the same ConversationClient the side panel uses.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../shared/client/conversation-client';
import type { RevealTarget } from '../../shared/conversation/hit-target';
import { controlStyles } from '../../shared/ui/control-styles';
import type { TandemEventMap } from '../../shared/ui/events';
import { backIcon } from '../../shared/ui/icons';
import { tokens } from '../../shared/ui/tokens';
import '../../shared/ui/tandem-conversation';
import '../../shared/ui/tandem-thread-list';
import type { LinkPhase, PhoneLink } from './phone-link';
import './push-bar';
import { loadSchedulesScreen } from './on-demand';
import { clockTime, type Presence, presenceText } from './presence';
import { readScannedOffer } from './scanned-offer';
import './tandem-link-state';
import './tandem-qr-scanner';

const SELECTED_KEY = 'tandem.phone.thread';

@customElement('tandem-phone-app')
export class TandemPhoneApp extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100vh;
        height: 100dvh;
        overflow: hidden;
        font-family: var(--tandem-font);
        font-size: 15px;
        color: var(--tandem-text);
        background: var(--tandem-bg);
        /* Room for notches and home indicators when installed. */
        padding: env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom)
          env(safe-area-inset-left);
        box-sizing: border-box;
      }
      .presence {
        display: flex;
        gap: var(--tandem-space-2);
        margin: 0;
        padding: var(--tandem-space-1) var(--tandem-space-3);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
        flex: none;
      }
      .presence[data-kind='unreachable'] {
        background: var(--tandem-warning-soft);
        color: inherit;
      }
      .load-error {
        margin: 0;
        padding: var(--tandem-space-1) var(--tandem-space-3);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-danger);
        flex: none;
      }
      .route {
        border: 1px solid var(--tandem-border);
        border-radius: 999px;
        padding: 0 var(--tandem-space-2);
      }
      header {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
        min-height: 52px;
        padding: 0 var(--tandem-space-2) 0 var(--tandem-space-3);
        border-bottom: 1px solid var(--tandem-border);
        flex: none;
      }
      h1 {
        flex: 1;
        min-width: 0;
        margin: 0;
        font-size: 17px;
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      main {
        flex: 1;
        min-height: 0;
        display: flex;
      }
      tandem-thread-list,
      tandem-conversation {
        flex: 1;
        min-width: 0;
      }
      .screen {
        flex: 1;
        display: flex;
        flex-direction: column;
        justify-content: center;
        gap: var(--tandem-space-3);
        padding: var(--tandem-space-4);
        line-height: 1.5;
      }
      .screen h2 {
        margin: 0;
        font-size: 20px;
      }
      .screen p {
        margin: 0;
        color: var(--tandem-text-muted);
      }
      .screen p.error {
        color: var(--tandem-danger);
      }
      .screen button {
        align-self: flex-start;
        min-height: 44px;
      }
      button.icon {
        min-width: 44px;
        min-height: 44px;
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @property({ attribute: false }) link: PhoneLink | undefined;
  /** Why the scanned pairing link could not be used (expired, damaged), if it could not. */
  @property() scanError = '';
  /** The open thread; kept for the tab's life so a reload (or a phone waking up) returns to it. */
  @state() private selectedId: string | undefined = sessionStorage.getItem(SELECTED_KEY) ?? undefined;
  /** The message a search result opened (see tandem-message-hits.ts). */
  @state() private reveal: RevealTarget | undefined;
  @state() private phase: LinkPhase = { kind: 'connecting' };
  /** The in-page camera scanner is open. */
  @state() private scanning = false;
  /** The Schedules screen (this thread's and every thread's schedules). */
  @state() private showSchedules = false;
  /** A message's "Save as shortcut": the Schedules screen opens with it in the shortcut form. */
  @state() private shortcutDraft: { text: string } | undefined;
  @state() private presence: Presence = { kind: 'none' };
  /** A piece loaded on first use (on-demand.ts) that could not be fetched, said until the next try. */
  @state() private loadError = '';
  private unlisten: Array<() => void> = [];
  /** Re-reads presence while not connected: "Reconnecting" turns into "unreachable" with time alone. */
  private presenceTicker: ReturnType<typeof setInterval> | undefined;
  private frame: number | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    const { client, link } = this;
    if (!client || !link) return;
    this.phase = link.phase;
    this.presence = link.presence;
    this.presenceTicker = setInterval(() => {
      if (this.link && (this.phase.kind !== 'open' || this.presence.kind !== 'connected')) {
        this.presence = this.link.presence;
      }
    }, 1_000);
    this.unlisten.push(
      client.onChange(() => this.scheduleRender()),
      link.onPhase((phase) => {
        this.phase = phase;
        this.presence = link.presence;
      }),
      link.onPresence(() => {
        this.presence = link.presence;
      }),
    );
  }

  protected override willUpdate(): void {
    if (this.selectedId) sessionStorage.setItem(SELECTED_KEY, this.selectedId);
    else sessionStorage.removeItem(SELECTED_KEY);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const unlisten of this.unlisten.splice(0)) unlisten();
    clearInterval(this.presenceTicker);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
  }

  private scheduleRender(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      // A thread deleted elsewhere closes here too.
      if (this.selectedId && this.client && !this.client.threads.some((t) => t.id === this.selectedId)) {
        if (this.client.threads.length > 0) this.selectedId = undefined;
      }
      this.requestUpdate();
    });
  }

  private async onCreate(event: TandemEventMap['thread-create']): Promise<void> {
    event.stopPropagation();
    try {
      const threadId = await this.client?.send({ type: 'thread.create' });
      if (threadId) this.selectedId = threadId;
    } catch {
      // Shown by the conversation's error banner.
    }
  }

  /** A code read by the in-page scanner: the secret goes from the camera to the link, never into a URL. */
  private onScanned(event: HTMLElementEventMap['qr-scanned']): void {
    event.stopPropagation();
    let hash = '';
    try {
      hash = new URL(event.detail.text).hash;
    } catch {
      // Not a URL: not a Tandem code.
    }
    const scanned = readScannedOffer(hash, Date.now());
    this.scanning = false;
    if (scanned.kind === 'offer') {
      this.scanError = '';
      this.link?.pair(scanned);
    } else {
      this.scanError =
        scanned.kind === 'error'
          ? scanned.message
          : 'This is not a Tandem pairing code. Scan the code in the side panel.';
      if (this.phase.kind === 'failed') this.phase = { kind: 'unpaired' };
    }
  }

  /** Opens a piece once its chunk is here, or says why it cannot open (the page is offline). */
  private async openWhenLoaded(load: () => Promise<void>, what: string, open: () => void): Promise<void> {
    try {
      await load();
      this.loadError = '';
      open();
    } catch {
      this.loadError = `${what} could not be loaded. Check the connection and try again.`;
    }
  }

  private openSchedules(shortcutDraft: { text: string } | undefined): void {
    void this.openWhenLoaded(loadSchedulesScreen, 'Schedules', () => {
      this.shortcutDraft = shortcutDraft;
      this.showSchedules = true;
    });
  }

  private renderScanner() {
    return html`<section class="screen" data-testid="phone-scanner">
      <h2>Scan the pairing code</h2>
      <tandem-qr-scanner
        @qr-scanned=${this.onScanned}
        @scan-cancel=${() => {
          this.scanning = false;
        }}
      ></tandem-qr-scanner>
    </section>`;
  }

  private renderScanButton(label: string) {
    return html`<button class="primary" data-testid="scan-start" @click=${() => {
      this.scanning = true;
    }}>${label}</button>`;
  }

  private renderPresence() {
    const presence = this.presence;
    if (presence.kind === 'none') return nothing;
    return html`<p class="presence" role="status" data-kind=${presence.kind}>
      <span data-testid="link-presence">${presenceText(presence, clockTime)}</span>
      ${
        presence.kind === 'connected' && presence.route !== 'unknown'
          ? html`<span class="route" data-testid="link-route" title=${ROUTE_HINT[presence.route]}
              >${presence.route}</span>`
          : nothing
      }
    </p>`;
  }

  private renderScreen() {
    const phase = this.phase;
    if (this.scanning && (phase.kind === 'unpaired' || phase.kind === 'failed')) return this.renderScanner();
    switch (phase.kind) {
      case 'unpaired':
        return html`<section class="screen" data-testid="phone-unpaired">
          <h2>Pair this phone with Tandem</h2>
          ${this.scanError ? html`<p class="error" role="alert" data-testid="scan-error">${this.scanError}</p>` : nothing}
          <p>On your computer, open Tandem’s side panel, go to Settings → Phone and choose “Pair a phone”.</p>
          <p>Then scan the QR code here. The code is used once and expires after 5 minutes.</p>
          ${this.renderScanButton('Scan the QR code')}
          <p>Scanning here keeps the code out of this browser’s history. A camera app works too: the code then
          stays in the history, but it stops working the moment it is first used.</p>
        </section>`;
      case 'revoked':
        return html`<section class="screen" data-testid="phone-revoked">
          <h2>Removed from Tandem</h2>
          <p>${phase.message}</p>
          <button data-testid="forget-pairing" @click=${() => this.link?.forget()}>Forget this pairing</button>
        </section>`;
      case 'failed':
        return html`<section class="screen" data-testid="phone-failed">
          <h2>Could not pair</h2>
          <p>${phase.message}</p>
          <p>In the side panel, choose “New code”, then scan it.</p>
          ${this.renderScanButton('Scan a new code')}
        </section>`;
      default:
        return undefined;
    }
  }

  override render() {
    const client = this.client;
    if (!client) return nothing;
    const screen = this.renderScreen();
    const selected = client.threads.find((t) => t.id === this.selectedId);
    const inThread = this.selectedId !== undefined && !screen;
    const connected = client.connection === 'open';
    return html`
      <header>
        ${
          inThread
            ? html`<button class="quiet icon" aria-label="Back" data-testid="back" @click=${() => {
                this.selectedId = undefined;
              }}>${backIcon}</button>`
            : nothing
        }
        <h1 data-testid="phone-title">${inThread && selected ? selected.title : 'Tandem'}</h1>
        <tandem-link-state
          compact
          .phase=${this.phase}
          ?recovering=${this.phase.kind === 'open' && this.presence.kind !== 'connected'}
        ></tandem-link-state>
        ${
          screen
            ? nothing
            : html`<button
              class="quiet"
              aria-pressed=${this.showSchedules ? 'true' : 'false'}
              data-testid="open-schedules"
              @click=${() => {
                if (this.showSchedules) this.showSchedules = false;
                else this.openSchedules(undefined);
              }}
            >
              Schedules
            </button>`
        }
      </header>
      ${this.renderPresence()}
      ${this.loadError ? html`<p class="load-error" role="alert" data-testid="load-error">${this.loadError}</p>` : nothing}
      ${
        this.phase.kind !== 'open' && !screen
          ? html`<tandem-link-state
              data-testid="phone-link-strip"
              .phase=${this.phase}
              @retry-now=${() => this.link?.retryNow()}
            ></tandem-link-state>`
          : nothing
      }
      ${
        screen
          ? nothing
          : html`<tandem-push-bar
              .client=${client}
              .link=${this.link}
              ?compact=${inThread}
              @push-open-thread=${(e: HTMLElementEventMap['push-open-thread']) => {
                this.selectedId = e.detail.threadId;
              }}
            ></tandem-push-bar>`
      }
      <main>
        ${
          screen ??
          (this.showSchedules
            ? html`<tandem-schedules-view
                .client=${client}
                .threadId=${this.selectedId}
                .shortcutDraft=${this.shortcutDraft}
              ></tandem-schedules-view>`
            : inThread
              ? html`<tandem-conversation
                .client=${client}
                .threadId=${this.selectedId}
                .reveal=${this.reveal}
                selfKind="phone"
                @message-save-shortcut=${(e: TandemEventMap['message-save-shortcut']) => {
                  this.openSchedules({ text: e.detail.text });
                }}
                sendWhileOffline
                @thread-created=${(e: TandemEventMap['thread-created']) => {
                  this.selectedId = e.detail.threadId;
                }}
              ></tandem-conversation>`
              : html`<tandem-thread-list
                .client=${client}
                .threads=${client.threads}
                .selectedId=${this.selectedId}
                .disabled=${!connected}
                @thread-select=${(e: TandemEventMap['thread-select']) => {
                  e.stopPropagation();
                  this.selectedId = e.detail.threadId;
                  this.reveal = e.detail.reveal;
                }}
                @thread-create=${this.onCreate}
                @thread-rename=${(e: TandemEventMap['thread-rename']) => {
                  e.stopPropagation();
                  void client.send({ type: 'thread.rename', ...e.detail }).catch(() => {});
                }}
                @thread-archive=${(e: TandemEventMap['thread-archive']) => {
                  e.stopPropagation();
                  void client.send({ type: 'thread.archive', ...e.detail }).catch(() => {});
                }}
                @thread-delete=${(e: TandemEventMap['thread-delete']) => {
                  e.stopPropagation();
                  void client.send({ type: 'thread.delete', ...e.detail }).catch(() => {});
                }}
              ></tandem-thread-list>`)
        }
      </main>
    `;
  }
}

const ROUTE_HINT: Record<'direct' | 'relayed', string> = {
  direct: 'Straight between this phone and the computer',
  relayed: 'Through a TURN relay, which sees only encrypted bytes',
};

declare global {
  interface HTMLElementTagNameMap {
    'tandem-phone-app': TandemPhoneApp;
  }
}

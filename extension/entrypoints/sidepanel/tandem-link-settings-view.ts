/**
 * `<tandem-link-settings-view>`: where phones find this browser. The signaling server (a PeerServer
 * the user runs, e.g. `npm start` on the LAN; the public PeerJS cloud only if chosen, and then
 * labelled), STUN/TURN servers, and the phone page's address. None of these servers can read or
 * inject anything: the handshake authenticates both ends and every frame is encrypted.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import { DEFAULT_PHONE_PAGE_URL, PEERJS_CLOUD } from '../../../shared/protocol/link';
import { controlStyles } from '../../../shared/ui/control-styles';
import { hostText, tokens } from '../../../shared/ui/tokens';
import { formFromLinkSettings, isPeerjsCloud, type LinkFormValues, patchFromLinkForm } from './link-settings-form';
import { RuntimeFeed } from './runtime-feed';

@customElement('tandem-link-settings-view')
export class TandemLinkSettingsView extends LitElement {
  static override styles = [
    tokens,
    hostText,
    controlStyles,
    css`
      form {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-3);
      }
      h2 {
        margin: 0;
        font-size: 14px;
        font-weight: 600;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
        font-weight: 500;
      }
      label.check {
        flex-direction: row;
        align-items: center;
      }
      .row {
        display: flex;
        gap: var(--tandem-space-2);
        flex-wrap: wrap;
      }
      .row label {
        flex: 1;
        min-width: 90px;
      }
      .muted {
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
        font-weight: normal;
      }
      .warning {
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        background: var(--tandem-warning-soft);
        color: var(--tandem-warning);
      }
      .error {
        color: var(--tandem-danger);
        font-size: var(--tandem-font-size-small);
        font-weight: normal;
      }
      .saved {
        color: var(--tandem-success);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private values: LinkFormValues | undefined;
  @state() private errors: Partial<Record<keyof LinkFormValues, string>> = {};
  @state() private saved = false;
  private dirty = false;

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'link.settings' && !this.dirty) this.values = formFromLinkSettings(message.settings);
      },
      refresh: (client) => void client.send({ type: 'link.settings.get' }).catch(() => {}),
    });
  }

  private edit(patch: Partial<LinkFormValues>): void {
    if (!this.values) return;
    this.values = { ...this.values, ...patch };
    this.dirty = true;
    this.saved = false;
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.values || !this.client) return;
    const result = patchFromLinkForm(this.values);
    if (!result.ok) {
      this.errors = result.errors;
      return;
    }
    this.errors = {};
    try {
      await this.client.send({ type: 'link.settings.update', patch: result.patch });
      this.dirty = false;
      this.saved = true;
    } catch (error) {
      this.errors = { host: error instanceof Error ? error.message : String(error) };
    }
  }

  private field(name: keyof LinkFormValues) {
    const error = this.errors[name];
    return error ? html`<span class="error">${error}</span>` : nothing;
  }

  override render() {
    const values = this.values;
    if (!values) return html`<p class="muted">Loading…</p>`;
    const input = (name: Exclude<keyof LinkFormValues, 'secure' | 'keepAwake'>) => (event: Event) =>
      this.edit({ [name]: (event.target as HTMLInputElement).value });
    return html`<form @submit=${this.save}>
      <h2>Phone link</h2>
      <p class="muted">
        Phones find this browser through a signaling server. It only introduces the two ends: the link is
        authenticated with the QR code and encrypted end to end.
      </p>
      <div class="row">
        <label>Signaling host<input data-testid="link-host" .value=${values.host} @input=${input('host')} placeholder="0.peerjs.com (public)" />${this.field('host')}</label>
        <label>Port<input data-testid="link-port" inputmode="numeric" .value=${values.port} @input=${input('port')} placeholder="9000" />${this.field('port')}</label>
        <label>Path<input data-testid="link-path" .value=${values.path} @input=${input('path')} placeholder="/tandem" />${this.field('path')}</label>
      </div>
      <label class="check"><input type="checkbox" .checked=${values.secure} @change=${(e: Event) => this.edit({ secure: (e.target as HTMLInputElement).checked })} /> Use TLS (wss://)</label>
      ${
        isPeerjsCloud(values) || values.host.trim() === ''
          ? html`<p class="warning" data-testid="link-cloud-warning">
            ${values.host.trim() === '' ? 'No server of your own is set, so phones use the public PeerJS server (0.peerjs.com). ' : ''}The
            public PeerJS server is run by a third party: it sees the peer ids of this browser and your phone, their IP
            addresses and the connection offers (SDP), so when and from where they connect. It never sees what you
            send or any key, and it cannot get in: the link is authenticated with the QR code's secret. To keep even
            that to yourself, run your own PeerServer (README, "Phone from anywhere") and enter it above.
          </p>`
          : html`<button type="button" class="quiet" @click=${() =>
              this.edit({
                host: PEERJS_CLOUD.host,
                port: String(PEERJS_CLOUD.port),
                path: PEERJS_CLOUD.path ?? '/',
                secure: true,
              })}>Use the public PeerJS server instead…</button>`
      }
      <label>STUN / TURN servers <span class="muted">One per line: stun:host:port, or turn:host:port user password. Empty works on one network.</span>
        <textarea rows="3" data-testid="link-ice" .value=${values.iceServers} @input=${input('iceServers')}></textarea>${this.field('iceServers')}</label>
      <label>TURN server with time-limited credentials <span class="muted">Optional. Its turn: addresses, and below
        the shared secret (coturn's static-auth-secret). Phones get only credentials that expire after a day; the
        relay sees encrypted bytes only.</span>
        <input data-testid="link-turn-urls" .value=${values.turnRestUrls} @input=${input('turnRestUrls')} placeholder="turn:turn.example.org:3478" />${this.field('turnRestUrls')}</label>
      <label>TURN shared secret
        <input type="password" autocomplete="off" data-testid="link-turn-secret" .value=${values.turnRestSecret} @input=${input('turnRestSecret')} />${this.field('turnRestSecret')}</label>
      <label>Phone page address <span class="muted">Empty: the hosted page, ${DEFAULT_PHONE_PAGE_URL}. Your own copy works from any HTTPS address (npm start serves one for development).</span>
        <input data-testid="link-phone-url" .value=${values.phonePageUrl} @input=${input('phonePageUrl')} placeholder="https://phone.example.org/" />${this.field('phonePageUrl')}</label>
      <label class="check"><input type="checkbox" data-testid="link-keep-awake" .checked=${values.keepAwake} @change=${(e: Event) => this.edit({ keepAwake: (e.target as HTMLInputElement).checked })} /> Keep this computer awake while a task runs</label>
      ${
        import.meta.env.BROWSER === 'firefox'
          ? html`<p class="muted" data-testid="link-keep-awake-unsupported">
            Firefox offers extensions no way to keep the computer awake: set its power settings so it does not sleep
            while you work from the phone.
          </p>`
          : nothing
      }
      <div class="row">
        <button class="primary" type="submit" data-testid="link-save">Save</button>
        ${this.saved ? html`<span class="saved" role="status">Saved.</span>` : nothing}
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-link-settings-view': TandemLinkSettingsView;
  }
}

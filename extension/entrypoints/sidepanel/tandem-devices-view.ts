/**
 * `<tandem-devices-view>`: the paired phones (name, when paired, when last seen or "connected
 * now"), each removable. Removing (revoking) a phone drops its connection at once and refuses it
 * from then on; it can only come back by scanning a new QR code.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { DeviceSummary } from '../../../shared/protocol/link';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

@customElement('tandem-devices-view')
export class TandemDevicesView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      li {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
      }
      .who {
        flex: 1;
        min-width: 0;
      }
      .name {
        font-weight: 600;
      }
      .live {
        color: var(--tandem-success);
      }
      button.danger {
        color: var(--tandem-danger);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private devices: DeviceSummary[] | undefined;
  @state() private confirming: string | undefined;

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'devices') this.devices = message.devices;
      },
      refresh: (client) => void client.send({ type: 'devices.list' }).catch(() => {}),
    });
  }

  private revoke(device: DeviceSummary): void {
    this.confirming = undefined;
    void this.client?.send({ type: 'devices.revoke', deviceId: device.id }).catch(() => {});
  }

  private renderDevice(device: DeviceSummary) {
    const confirming = this.confirming === device.id;
    return html`<li data-testid="device" data-device-id=${device.id}>
      <div class="who">
        <div class="name" data-testid="device-name">${device.name}</div>
        <div class="muted">
          Paired ${formatDate(device.pairedAt)} ·
          ${
            device.connected
              ? html`<span class="live" data-testid="device-connected">connected now</span>`
              : html`last seen ${formatDate(device.lastSeenAt)}`
          }
        </div>
      </div>
      ${
        confirming
          ? html`<button class="danger" data-testid="device-revoke-confirm" @click=${() => this.revoke(device)}>
                Remove
              </button>
              <button data-testid="device-revoke-cancel" @click=${() => {
                this.confirming = undefined;
              }}>Keep</button>`
          : html`<button data-testid="device-revoke" @click=${() => {
              this.confirming = device.id;
            }}>Remove…</button>`
      }
    </li>`;
  }

  override render() {
    const devices = this.devices;
    return html`
      <h2>Paired phones</h2>
      ${
        devices === undefined
          ? html`<p class="muted">Loading…</p>`
          : devices.length === 0
            ? html`<p class="muted" data-testid="devices-empty">No phone is paired.</p>`
            : html`<ul data-testid="devices">${repeat(
                devices,
                (d) => d.id,
                (d) => this.renderDevice(d),
              )}</ul>`
      }
      ${nothing}
    `;
  }
}

function formatDate(at: number): string {
  const date = new Date(at);
  const sameDay = new Date().toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-devices-view': TandemDevicesView;
  }
}

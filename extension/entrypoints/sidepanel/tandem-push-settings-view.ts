/**
 * `<tandem-push-settings-view>`: what phone notifications may say. With details off, every push
 * reads only "Tandem needs you": nothing about the thread or the decision shows on a lock screen
 * (the push service never sees any of it either way; the message is end-to-end encrypted).
 */
import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { PushSettings } from '../../../shared/protocol';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

@customElement('tandem-push-settings-view')
export class TandemPushSettingsView extends LitElement {
  static override styles = [tokens, controlStyles, sectionStyles];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private settings: PushSettings | undefined;
  @state() private error = '';

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'push.settings') this.settings = message.settings;
      },
      refresh: (client) => void client.send({ type: 'push.settings.get' }).catch(() => {}),
    });
  }

  private async setDetails(details: boolean): Promise<void> {
    this.error = '';
    try {
      await this.client?.send({ type: 'push.settings.update', patch: { details } });
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    const settings = this.settings;
    if (!settings) return html`<p class="muted">Loading…</p>`;
    return html`<h2>Phone notifications</h2>
      <p class="muted">
        A phone asks for notifications from its own page (“Notify me on this phone”). They tell it when a
        decision waits and when a task ends.
      </p>
      <label>
        <input
          type="checkbox"
          data-testid="push-details"
          .checked=${settings.details}
          @change=${(e: Event) => void this.setDetails((e.target as HTMLInputElement).checked)}
        />
        Show what it is about (the conversation and the question). Off: only “Tandem needs you”.
      </label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-push-settings-view': TandemPushSettingsView;
  }
}

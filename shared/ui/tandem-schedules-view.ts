/**
 * `<tandem-schedules-view>`: the Schedules screen of both clients: the open thread's schedules
 * (with "New schedule") and, below, every schedule across threads.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { ConversationClient } from '../client/conversation-client';
import type { TandemSchedules } from './tandem-schedules';
import type { ShortcutScheduleEvent } from './tandem-shortcuts';
import { tokens } from './tokens';
import './tandem-schedules';
import './tandem-shortcuts';

@customElement('tandem-schedules-view')
export class TandemSchedulesView extends LitElement {
  static override styles = [
    tokens,
    css`
      :host {
        display: block;
        overflow: auto;
        padding: var(--tandem-space-3);
        font-family: var(--tandem-font);
        color: var(--tandem-text);
      }
      h2 {
        font-size: var(--tandem-font-size);
        margin: var(--tandem-space-3) 0 var(--tandem-space-2);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @property() threadId: string | undefined;
  /** A message's text to save as a shortcut (its "Save as shortcut"). */
  @property({ attribute: false }) shortcutDraft: { text: string } | undefined;
  @query('tandem-schedules[data-thread]') private threadSchedules!: TandemSchedules | null;

  private scheduleShortcut(event: ShortcutScheduleEvent): void {
    const { shortcut } = event.detail;
    this.threadSchedules?.startNew(shortcut.prompt, shortcut.defaultRecurrence);
  }

  override render() {
    return html`
      ${
        this.threadId
          ? html`<section data-testid="thread-schedules">
            <h2>In this conversation</h2>
            <tandem-schedules data-thread .client=${this.client} .threadId=${this.threadId}></tandem-schedules>
          </section>`
          : nothing
      }
      <section data-testid="all-schedules">
        <h2>All conversations</h2>
        <tandem-schedules .client=${this.client}></tandem-schedules>
      </section>
      <section data-testid="shortcuts">
        <h2>Shortcuts</h2>
        <tandem-shortcuts
          .client=${this.client}
          .threadId=${this.threadId}
          .draft=${this.shortcutDraft}
          @shortcut-schedule=${this.scheduleShortcut}
        ></tandem-shortcuts>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-schedules-view': TandemSchedulesView;
  }
}

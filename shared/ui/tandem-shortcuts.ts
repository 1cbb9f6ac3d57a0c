/**
 * `<tandem-shortcuts>`: saved prompts, typed as `/name` in the composer (the runtime expands them,
 * so both clients behave the same). Lists, saves and deletes them; a message's "Save as shortcut"
 * arrives as `draft` and fills the form, and "Schedule…" (fired as `shortcut-schedule`) starts a
 * schedule from a shortcut with its default rule.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConversationClient } from '../client/conversation-client';
import { type Shortcut, Shortcut as ShortcutSchema } from '../protocol/schedules';
import { controlStyles } from './control-styles';
import { tokens } from './tokens';

export type ShortcutScheduleEvent = CustomEvent<{ shortcut: Shortcut }>;

@customElement('tandem-shortcuts')
export class TandemShortcuts extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
        font-size: var(--tandem-font-size-small);
      }
      ul {
        list-style: none;
        margin: 0 0 var(--tandem-space-2);
        padding: 0;
      }
      li {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: baseline;
        padding: var(--tandem-space-1) 0;
      }
      li span {
        flex: 1;
        color: var(--tandem-text-muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: var(--tandem-space-1);
      }
      .error {
        color: var(--tandem-danger, var(--tandem-warning));
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  /** The open thread, where "Schedule…" puts a schedule. */
  @property() threadId: string | undefined;
  /** "Save as shortcut" on a message: the form opens with its text (a new object each time). */
  @property({ attribute: false }) draft: { text: string } | undefined;
  @query('[data-testid="shortcut-name"]') private nameInput!: HTMLInputElement | null;

  @state() private shortcuts: Shortcut[] = [];
  @state() private name = '';
  @state() private prompt = '';
  @state() private dailyAt = '';
  @state() private error = '';
  private unlisten: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unlisten = this.client?.onMessage((message) => {
      if (message.type === 'shortcuts') this.shortcuts = message.shortcuts;
    });
    void this.client?.send({ type: 'shortcuts.list' }).catch(() => {});
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unlisten?.();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('draft') && this.draft) this.fillFrom(this.draft.text);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The prompt is there; what is left to type is the name.
    if (changed.has('draft') && this.draft && this.nameInput) {
      this.nameInput.scrollIntoView({ block: 'nearest' });
      this.nameInput.focus();
    }
  }

  /** "Save as shortcut" for a message: fills the form with its text. */
  fillFrom(text: string): void {
    this.prompt = text;
  }

  private save(event: Event): void {
    event.preventDefault();
    const parsed = ShortcutSchema.safeParse({
      name: this.name.trim().replace(/^\//, ''),
      prompt: this.prompt,
      ...(this.dailyAt ? { defaultRecurrence: { kind: 'daily', time: this.dailyAt } } : {}),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.error = `${issue?.path.join('.') || 'shortcut'}: ${issue?.message ?? 'invalid'}`;
      return;
    }
    this.error = '';
    this.client?.send({ type: 'shortcut.save', shortcut: parsed.data }).then(
      () => {
        this.name = '';
        this.prompt = '';
        this.dailyAt = '';
      },
      (error: unknown) => {
        this.error = error instanceof Error ? error.message : String(error);
      },
    );
  }

  override render() {
    return html`
      <ul>
        ${this.shortcuts.map(
          (s) => html`<li data-testid="shortcut-item">
            <strong>/${s.name}</strong><span>${s.prompt}</span>
            ${
              this.threadId
                ? html`<button
                  data-testid="shortcut-schedule"
                  @click=${() =>
                    this.dispatchEvent(
                      new CustomEvent('shortcut-schedule', { detail: { shortcut: s }, bubbles: true, composed: true }),
                    )}
                >
                  Schedule…
                </button>`
                : nothing
            }
            <button
              class="danger"
              data-testid="shortcut-delete"
              @click=${() => void this.client?.send({ type: 'shortcut.delete', name: s.name }).catch(() => {})}
            >
              Delete
            </button>
          </li>`,
        )}
      </ul>
      <form data-testid="shortcut-form" @submit=${this.save}>
        <div class="row">
          <label
            >Name /<input
              data-testid="shortcut-name"
              .value=${this.name}
              @input=${(e: Event) => {
                this.name = (e.target as HTMLInputElement).value;
              }}
          /></label>
          <label
            >Default: every day at
            <input
              type="time"
              data-testid="shortcut-daily"
              .value=${this.dailyAt}
              @input=${(e: Event) => {
                this.dailyAt = (e.target as HTMLInputElement).value;
              }}
          /></label>
        </div>
        <textarea
          aria-label="Prompt"
          data-testid="shortcut-prompt"
          .value=${this.prompt}
          @input=${(e: Event) => {
            this.prompt = (e.target as HTMLTextAreaElement).value;
          }}
        ></textarea>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
        <div class="row">
          <button class="primary" type="submit" data-testid="shortcut-save">Save shortcut</button>
        </div>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-shortcuts': TandemShortcuts;
  }
}

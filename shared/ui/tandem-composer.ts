/**
 * `<tandem-composer>`: where a person writes to Claude.
 *
 * Enter sends, Shift+Enter is a new line (and Enter while an IME is composing is
 * left to the IME); Escape stops a running answer. The box clears on send; whoever handles `send` calls
 * `restoreDraft(text)` if delivering it failed, so nothing typed is lost.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { MAX_MESSAGE_CHARS } from '../protocol/commands';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { tokens } from './tokens';

@customElement('tandem-composer')
export class TandemComposer extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size);
        color: var(--tandem-text);
      }
      .box {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2);
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius-large);
        background: var(--tandem-bg);
      }
      .box:focus-within {
        border-color: var(--tandem-accent);
      }
      textarea {
        width: 100%;
        min-height: max(40px, var(--tandem-tap));
        max-height: 40vh;
        resize: none;
        border: none;
        padding: 2px var(--tandem-space-1);
        background: transparent;
        line-height: var(--tandem-line-height);
      }
      textarea:focus-visible {
        box-shadow: none;
      }
      .row {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
      }
      .hint {
        flex: 1;
        min-width: 0;
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .hint.over {
        color: var(--tandem-danger);
      }
    `,
  ];

  /** No link to the runtime: nothing can be sent. */
  @property({ type: Boolean }) disabled = false;
  /** A task is running in this thread: offer Stop. */
  @property({ type: Boolean }) running = false;
  @property() placeholder = 'Ask Claude…';
  /** Why the composer is disabled, shown under the box. */
  @property() disabledReason = '';
  /** The draft; set it to switch drafts (e.g. per thread), read it to save one. */
  @property() value = '';

  @query('textarea') private textarea!: HTMLTextAreaElement;

  override focus(): void {
    this.textarea?.focus();
  }

  /** Puts back a message whose delivery failed, before anything typed since. */
  restoreDraft(text: string): void {
    this.value = this.value.trim() ? `${text}\n\n${this.value}` : text;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('value')) this.fitHeight();
  }

  private fitHeight(): void {
    const area = this.textarea;
    if (!area) return;
    area.style.height = 'auto';
    area.style.height = `${area.scrollHeight}px`;
  }

  private get tooLong(): boolean {
    return this.value.length > MAX_MESSAGE_CHARS;
  }

  private get canSend(): boolean {
    return !this.disabled && !this.tooLong && this.value.trim().length > 0;
  }

  private onInput(event: InputEvent): void {
    this.value = (event.target as HTMLTextAreaElement).value;
  }

  /** Under a finger (the phone) there is a Send button, and no Shift key to talk about. */
  private readonly touch = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.running) {
      event.preventDefault();
      emit(this, 'stop', {});
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.send();
  }

  private send(): void {
    if (!this.canSend) return;
    const text = this.value.trim();
    this.value = '';
    emit(this, 'send', { text });
  }

  override render() {
    const hint = this.tooLong
      ? `Too long: ${this.value.length.toLocaleString()} of ${MAX_MESSAGE_CHARS.toLocaleString()} characters`
      : this.disabled
        ? this.disabledReason
        : this.touch
          ? 'Tap Send when it is ready'
          : 'Enter to send, Shift+Enter for a new line';
    return html`<div class="box">
      <textarea
        rows="1"
        aria-label="Message"
        data-testid="composer-input"
        .value=${this.value}
        placeholder=${this.placeholder}
        ?disabled=${this.disabled}
        @input=${this.onInput}
        @keydown=${this.onKeyDown}
      ></textarea>
      <div class="row">
        <span class="hint ${this.tooLong ? 'over' : ''}" data-testid="composer-hint">${hint}</span>
        ${
          this.running
            ? html`<button class="danger" data-testid="stop" ?disabled=${this.disabled} @click=${() => emit(this, 'stop', {})}>
              Stop
            </button>`
            : nothing
        }
        <button class="primary" data-testid="send" ?disabled=${!this.canSend} @click=${this.send}>Send</button>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-composer': TandemComposer;
  }
}

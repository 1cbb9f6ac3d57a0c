/**
 * `<tandem-composer>`: where a person writes to Claude.
 *
 * Enter sends, Shift+Enter is a new line (and Enter while an IME is composing is
 * left to the IME); Escape stops a running answer. The box clears on send; whoever handles `send` calls
 * `restoreDraft(text)` if delivering it failed, so nothing typed is lost.
 *
 * Typing `/` opens a listbox of the saved shortcuts (name and the start of the prompt): arrow keys
 * move, Enter or Tab picks (the box then reads `/name `, which the runtime expands on send), Escape
 * closes it. The textarea keeps the focus and points at the highlighted option
 * (`aria-activedescendant`); a textarea may not take the combobox role, so it stays a textbox.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { MAX_MESSAGE_CHARS } from '../protocol/commands';
import type { Shortcut } from '../protocol/schedules';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { nextOption, promptStart, shortcutMatches } from './shortcut-menu';
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
      [role='listbox'] {
        list-style: none;
        margin: 0;
        padding: 0;
        border-bottom: 1px solid var(--tandem-border);
      }
      [role='option'] {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: baseline;
        min-height: var(--tandem-tap-compact, 28px);
        padding: var(--tandem-space-1) var(--tandem-space-2);
        border-radius: var(--tandem-radius);
        cursor: pointer;
      }
      [role='option'][aria-selected='true'] {
        background: var(--tandem-code-bg, var(--tandem-border));
      }
      [role='option'] span {
        min-width: 0;
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
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
  /** The saved shortcuts, offered when the box starts with `/`. */
  @property({ attribute: false }) shortcuts: readonly Shortcut[] = [];

  @state() private menuIndex = 0;
  /** Escape closed the menu for what is typed now; typing opens it again. */
  @state() private menuClosedFor: string | undefined;

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
    this.menuIndex = 0;
  }

  private get menu(): Shortcut[] {
    if (this.disabled || this.menuClosedFor === this.value) return [];
    return shortcutMatches(this.value, this.shortcuts);
  }

  private pick(shortcut: Shortcut): void {
    this.value = `/${shortcut.name} `;
    this.menuIndex = 0;
    this.textarea?.focus();
  }

  /** The menu's keys; true when the key was its own. */
  private onMenuKey(event: KeyboardEvent, menu: Shortcut[]): boolean {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      this.menuIndex = nextOption(this.menuIndex, menu.length, event.key);
    } else if ((event.key === 'Enter' && !event.shiftKey && !event.isComposing) || event.key === 'Tab') {
      const chosen = menu[Math.min(this.menuIndex, menu.length - 1)];
      if (chosen) this.pick(chosen);
    } else if (event.key === 'Escape') {
      this.menuClosedFor = this.value;
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  /** Under a finger (the phone) there is a Send button, and no Shift key to talk about. */
  private readonly touch = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;

  private onKeyDown(event: KeyboardEvent): void {
    const menu = this.menu;
    if (menu.length > 0 && this.onMenuKey(event, menu)) return;
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
    const menu = this.menu;
    const active = Math.min(this.menuIndex, menu.length - 1);
    return html`<div class="box">
      ${
        menu.length > 0
          ? html`<ul role="listbox" id="shortcut-menu" aria-label="Shortcuts" data-testid="shortcut-menu">
            ${menu.map(
              (s, i) => html`<li
                role="option"
                id="shortcut-option-${i}"
                data-testid="shortcut-option"
                aria-selected=${i === active ? 'true' : 'false'}
                @mousedown=${(e: Event) => e.preventDefault()}
                @click=${() => this.pick(s)}
              >
                <strong>/${s.name}</strong><span>${promptStart(s.prompt)}</span>
              </li>`,
            )}
          </ul>`
          : nothing
      }
      <textarea
        rows="1"
        aria-label="Message"
        aria-autocomplete="list"
        aria-controls=${menu.length > 0 ? 'shortcut-menu' : nothing}
        aria-activedescendant=${menu.length > 0 ? `shortcut-option-${active}` : nothing}
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

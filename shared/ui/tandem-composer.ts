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
 *
 * Attachments (tandem-attachments.ts): the Attach button (a file picker; on a phone it offers the
 * camera roll), files dropped on the box or pasted into it. They are read and scaled here
 * (attachment-reader.ts) and checked against the same budget as the runtime's before sending.
 * "Screenshot" shows only where the host page gives `captureTab` (the panel, never the phone).
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { attachmentProblem } from '../attachments/attachment-budget';
import type { Attachment } from '../protocol/attachments';
import { MAX_MESSAGE_CHARS } from '../protocol/commands';
import type { Shortcut } from '../protocol/schedules';
import { AttachmentError, readAttachment } from './attachment-reader';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { nextOption, promptStart, shortcutMatches } from './shortcut-menu';
import { tokens } from './tokens';
import './tandem-attachments';

/** What the picker offers: images (the camera roll on a phone), PDFs, text and code. */
const ACCEPT =
  'image/*,application/pdf,text/*,.md,.csv,.json,.yaml,.yml,.ts,.js,.py,.go,.rs,.java,.c,.cpp,.sh,.sql,.log';

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
      .box.dropping {
        border-color: var(--tandem-accent);
        border-style: dashed;
      }
      input[type='file'] {
        display: none;
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

  /** Captures the tab the person is looking at; set by the panel only (the phone may not see the computer's screen). */
  @property({ attribute: false }) captureTab: (() => Promise<Attachment>) | undefined;

  @state() private attachments: Attachment[] = [];
  /** Why the last attachment was refused, in words; cleared by the next change. */
  @state() private attachError = '';
  @state() private reading = 0;
  @state() private dropping = false;

  @query('textarea') private textarea!: HTMLTextAreaElement;
  @query('input[type=file]') private picker!: HTMLInputElement;

  override focus(): void {
    this.textarea?.focus();
  }

  /** Puts back a message whose delivery failed, before anything typed since. */
  restoreDraft(text: string, attachments: readonly Attachment[] = []): void {
    this.value = this.value.trim() ? `${text}\n\n${this.value}` : text;
    this.attachments = [...attachments, ...this.attachments];
  }

  /** Reads files (picked, dropped or pasted) into attachments; a refused one says why. */
  async addFiles(files: Iterable<File>): Promise<void> {
    this.attachError = '';
    for (const file of files) {
      this.reading++;
      try {
        const next = [...this.attachments, await readAttachment(file)];
        const problem = attachmentProblem(next, { pdfs: true });
        if (problem) this.attachError = problem;
        else this.attachments = next;
      } catch (error) {
        this.attachError = error instanceof AttachmentError ? error.message : `“${file.name}” could not be read.`;
      } finally {
        this.reading--;
      }
    }
  }

  private async onScreenshot(): Promise<void> {
    if (!this.captureTab) return;
    this.attachError = '';
    this.reading++;
    try {
      const next = [...this.attachments, await this.captureTab()];
      this.attachError = attachmentProblem(next, { pdfs: true }) ?? '';
      if (!this.attachError) this.attachments = next;
    } catch (error) {
      this.attachError = error instanceof Error ? error.message : 'The tab could not be captured.';
    } finally {
      this.reading--;
    }
  }

  private onPicked(event: Event): void {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    void this.addFiles(files);
  }

  private onPaste(event: ClipboardEvent): void {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    void this.addFiles(files);
  }

  private onDragOver(event: DragEvent): void {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    this.dropping = true;
  }

  private onDrop(event: DragEvent): void {
    this.dropping = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    void this.addFiles(files);
  }

  private onRemove(event: CustomEvent<{ index: number }>): void {
    event.stopPropagation();
    this.attachments = this.attachments.filter((_, i) => i !== event.detail.index);
    this.attachError = '';
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
    const content = this.value.trim().length > 0 || this.attachments.length > 0;
    return !this.disabled && !this.tooLong && this.reading === 0 && content;
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
    const attachments = this.attachments;
    this.value = '';
    this.attachments = [];
    this.attachError = '';
    emit(this, 'send', attachments.length > 0 ? { text, attachments } : { text });
  }

  override render() {
    const hint = this.attachError
      ? this.attachError
      : this.tooLong
        ? `Too long: ${this.value.length.toLocaleString()} of ${MAX_MESSAGE_CHARS.toLocaleString()} characters`
        : this.disabled
          ? this.disabledReason
          : this.touch
            ? 'Tap Send when it is ready'
            : 'Enter to send, Shift+Enter for a new line';
    const menu = this.menu;
    const active = Math.min(this.menuIndex, menu.length - 1);
    return html`<div
      class="box ${this.dropping ? 'dropping' : ''}"
      @dragover=${this.onDragOver}
      @dragleave=${() => {
        this.dropping = false;
      }}
      @drop=${this.onDrop}
    >
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
        @paste=${this.onPaste}
      ></textarea>
      <tandem-attachments
        removable
        .attachments=${this.attachments}
        @attachment-remove=${this.onRemove}
      ></tandem-attachments>
      <div class="row">
        <input
          type="file"
          multiple
          accept=${ACCEPT}
          data-testid="attach-input"
          aria-hidden="true"
          tabindex="-1"
          @change=${this.onPicked}
        />
        <button
          class="quiet"
          data-testid="attach"
          aria-label="Attach files"
          title="Attach files"
          ?disabled=${this.disabled}
          @click=${() => this.picker?.click()}
        >Attach</button>
        ${
          this.captureTab
            ? html`<button
              class="quiet"
              data-testid="attach-screenshot"
              aria-label="Attach a screenshot of the current tab"
              title="Attach a screenshot of the current tab"
              ?disabled=${this.disabled}
              @click=${this.onScreenshot}
            >Screenshot</button>`
            : nothing
        }
        <span
          class="hint ${this.tooLong || this.attachError ? 'over' : ''}"
          data-testid="composer-hint"
          role=${this.attachError ? 'alert' : nothing}
        >${hint}</span>
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

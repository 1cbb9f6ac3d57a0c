/**
 * `<tandem-message>`: one user or assistant message.
 *
 * User text is shown exactly as typed. Assistant text is Markdown, built into DOM nodes by
 * `markdown.ts` (no model-written markup survives; links open in a new tab without an
 * opener) with a caret while it streams and, once the turn is complete, its usage.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ViewItem } from '../conversation/thread-view';
import type { ClientKind } from '../protocol/events';
import { HIGHLIGHTER_READY, loadLanguage } from './code-highlight';
import { codeHighlightStyles } from './code-highlight-styles';
import { controlStyles } from './control-styles';
import { addCodeCopyButtons, copyText } from './copy-text';
import { messageTime } from './date-groups';
import { emit } from './events';
import { type RenderedMarkdown, renderMarkdown } from './markdown';
import { hostText, tokens } from './tokens';
import './tandem-attachments';
import './tandem-usage-line';
import './tandem-version-switcher';
import type { VersionInfo } from '../conversation/branches';

export type MessageItem = Extract<ViewItem, { kind: 'user' | 'assistant' }>;

/**
 * Rendered Markdown by source text. The virtualised thread view destroys messages that
 * scroll out and recreates them when they scroll back; this keeps that cheap. Each message
 * gets its own copy of the nodes (a node can be in one place only).
 */
const renderCache = new Map<string, RenderedMarkdown>();
const RENDER_CACHE_SIZE = 300;

function cachedMarkdown(text: string): RenderedMarkdown {
  let rendered = renderCache.get(text);
  if (rendered !== undefined) renderCache.delete(text);
  else rendered = renderMarkdown(text);
  renderCache.set(text, rendered);
  if (renderCache.size > RENDER_CACHE_SIZE) {
    const oldest = renderCache.keys().next().value;
    if (oldest !== undefined) renderCache.delete(oldest);
  }
  return { nodes: rendered.nodes.cloneNode(true) as DocumentFragment, languagesToLoad: rendered.languagesToLoad };
}

// Rendered before a language's highlighter loaded: render its code blocks again, highlighted.
if (typeof window !== 'undefined') window.addEventListener(HIGHLIGHTER_READY, () => renderCache.clear());

const SOURCE_LABEL: Record<string, string | undefined> = { phone: 'from phone', panel: 'from side panel' };

@customElement('tandem-message')
export class TandemMessage extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    hostText,
    codeHighlightStyles,
    css`
      .user {
        display: flex;
        flex-direction: column;
        align-items: flex-end;
      }
      .bubble {
        max-width: 85%;
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius-large);
        background: var(--tandem-user-bubble);
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      /* Not sent yet: outlined, not faded (faded text would fail contrast). */
      .queued .bubble {
        outline: 2px dashed var(--tandem-text-muted);
        outline-offset: -2px;
      }
      .user tandem-attachments {
        max-width: 85%;
        margin-bottom: var(--tandem-space-1);
      }
      .source {
        margin-top: 2px;
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      .markdown {
        overflow-wrap: anywhere;
      }
      .markdown > :first-child {
        margin-top: 0;
      }
      .markdown > :last-child {
        margin-bottom: 0;
      }
      .markdown p,
      .markdown ul,
      .markdown ol,
      .markdown pre,
      .markdown blockquote,
      .markdown .table-scroll {
        margin: 0 0 var(--tandem-space-2);
      }
      .markdown h1,
      .markdown h2,
      .markdown h3,
      .markdown h4 {
        margin: var(--tandem-space-3) 0 var(--tandem-space-2);
        line-height: 1.3;
      }
      .markdown h1 {
        font-size: 1.3em;
      }
      .markdown h2 {
        font-size: 1.18em;
      }
      .markdown h3,
      .markdown h4 {
        font-size: 1.05em;
      }
      .markdown ul,
      .markdown ol {
        padding-left: 1.4em;
      }
      .markdown a {
        color: var(--tandem-accent);
      }
      .markdown code {
        font-family: var(--tandem-font-mono);
        font-size: 0.92em;
        background: var(--tandem-code-bg);
        padding: 1px 4px;
        border-radius: 4px;
      }
      .markdown pre {
        background: var(--tandem-code-bg);
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        overflow-x: auto;
      }
      .markdown pre code {
        padding: 0;
        background: none;
        white-space: pre;
      }
      .markdown blockquote {
        padding-left: var(--tandem-space-3);
        border-left: 3px solid var(--tandem-border);
        color: var(--tandem-text-muted);
      }
      .markdown .table-scroll {
        max-width: 100%;
        overflow-x: auto;
        border-radius: var(--tandem-radius);
      }
      .markdown .table-scroll:focus-visible {
        outline: none;
        box-shadow: var(--tandem-focus-ring);
      }
      .markdown table {
        border-collapse: collapse;
        /* Cells wrap between words only; a table wider than the panel scrolls in its box. */
        overflow-wrap: normal;
        word-break: normal;
      }
      .markdown th,
      .markdown td {
        border: 1px solid var(--tandem-border);
        padding: 2px var(--tandem-space-2);
        overflow-wrap: normal;
      }
      .markdown hr {
        border: none;
        border-top: 1px solid var(--tandem-border);
      }
      .streaming > :last-child::after,
      .caret {
        content: '';
        display: inline-block;
        width: 0.5em;
        height: 1em;
        margin-left: 2px;
        vertical-align: text-bottom;
        background: var(--tandem-accent);
        animation: blink 1s steps(1) infinite;
      }
      @keyframes blink {
        50% {
          opacity: 0;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .streaming > :last-child::after,
        .caret {
          animation: none;
        }
      }
      .meta {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
        margin-top: var(--tandem-space-1);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      time {
        font-variant-numeric: tabular-nums;
      }
      .markdown pre {
        position: relative;
      }
      .copy-code {
        position: absolute;
        top: var(--tandem-space-1);
        right: var(--tandem-space-1);
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size-small);
      }
      .source button.quiet,
      .meta button.quiet {
        min-height: var(--tandem-tap-compact);
        padding: 0 var(--tandem-space-2);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
    `,
  ];

  protected override updated(): void {
    const markdown = this.renderRoot.querySelector('.markdown');
    if (markdown && this.item?.kind === 'assistant' && !this.item.streaming) addCodeCopyButtons(markdown);
    // A language's highlighter is fetched only once its code is on screen, after this paint.
    const languages = this.rendered?.languagesToLoad ?? [];
    if (languages.length) setTimeout(() => languages.forEach((language) => void loadLanguage(language)), 0);
  }

  private readonly onHighlighterReady = (event: Event): void => {
    const language = (event as CustomEvent<unknown>).detail;
    if (this.item?.kind !== 'assistant' || !this.rendered?.languagesToLoad.some((l) => l === language)) return;
    this.rendered = cachedMarkdown(this.item.text);
    this.requestUpdate();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(HIGHLIGHTER_READY, this.onHighlighterReady);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener(HIGHLIGHTER_READY, this.onHighlighterReady);
  }

  @property({ attribute: false }) item: MessageItem | undefined;
  /** Which kind of client shows this; messages written elsewhere say where they came from. */
  @property() selfKind: ClientKind = 'panel';
  /** The last message sent, while nothing runs: it can be edited or sent again. */
  @property({ type: Boolean }) resendable = false;
  /** Where this message sits among its versions, when it was edited or regenerated. */
  @property({ attribute: false }) version: VersionInfo | undefined;

  private rendered: RenderedMarkdown | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('item') && this.item?.kind === 'assistant') {
      const previous = changed.get('item');
      if (previous?.kind !== 'assistant' || previous.text !== this.item.text || !this.rendered) {
        this.rendered = this.item.text ? cachedMarkdown(this.item.text) : undefined;
      }
    }
  }

  override render() {
    const item = this.item;
    if (!item) return nothing;
    if (item.kind === 'user') {
      const source = item.device
        ? `from ${item.device}`
        : item.by !== this.selfKind
          ? SOURCE_LABEL[item.by]
          : undefined;
      if (item.queued) {
        return html`<div class="user queued" data-testid="queued-message">
          <div class="bubble" data-testid="user-message-text">${item.text}</div>
          <div class="source" data-testid="queued-state" role="status">
            ${item.queued === 'waiting' ? 'Waiting for your computer: sent when it is reachable' : 'Sending…'}
          </div>
        </div>`;
      }
      return html`<div class="user" data-testid="user-message">
        ${item.attachments ? html`<tandem-attachments .attachments=${item.attachments}></tandem-attachments>` : nothing}
        ${item.text ? html`<div class="bubble" data-testid="user-message-text">${item.text}</div>` : nothing}
        <div class="source">
          ${source ? html`${source} · ` : nothing}${stamp(item.at)}
          ${item.replaces === undefined ? nothing : html`<span data-testid="message-edited">· edited</span>`}
          ${this.version ? html`<tandem-version-switcher .version=${this.version}></tandem-version-switcher>` : nothing}
          ${saveAsShortcut(this, item.text)}
          ${
            // Edit and Regenerate carry the words only: a message that was only files offers neither.
            this.resendable && item.text
              ? html`<button class="quiet" data-testid="message-edit" @click=${() => emit(this, 'message-edit', { text: item.text, seq: item.seq, ...filesOf(item) })}>
                  Edit
                </button>
                <button class="quiet" data-testid="message-resend" @click=${() => emit(this, 'message-resend', { text: item.text, seq: item.seq, ...filesOf(item) })}>
                  Regenerate
                </button>`
              : nothing
          }
        </div>
      </div>`;
    }
    return html`<div class="assistant" data-testid="assistant-message" data-streaming=${item.streaming}>
      ${
        item.text
          ? html`<div
            class="markdown ${item.streaming ? 'streaming' : ''}"
            data-testid="assistant-text"
            title=${item.model ?? ''}
          >
            ${this.rendered?.nodes ?? nothing}
          </div>`
          : item.streaming
            ? html`<span class="caret" aria-label="Claude is writing"></span>`
            : nothing
      }
      ${
        item.streaming
          ? nothing
          : html`<div class="meta">
            ${stamp(item.at)}
            ${
              item.text
                ? html`<button
                  class="quiet"
                  data-testid="copy-message"
                  aria-label="Copy message"
                  @click=${(e: Event) => copyText(item.text, e.currentTarget as HTMLElement)}
                >Copy</button>`
                : nothing
            }
            ${item.text ? saveAsShortcut(this, item.text) : nothing}
            ${
              item.usage
                ? html`<tandem-usage-line .usage=${item.usage} .costUsd=${item.costUsd ?? 0} testid="turn-usage"></tandem-usage-line>`
                : nothing
            }
          </div>`
      }
    </div>`;
  }
}

/** Edit and Regenerate replace the message: its files go with its words, or the new version lacks them. */
function filesOf(item: MessageItem) {
  return item.kind === 'user' && item.attachments?.length ? { attachments: item.attachments } : {};
}

/** Any message can become a saved prompt; the app opens the shortcut form with its text. */
function saveAsShortcut(from: HTMLElement, text: string) {
  return html`<button
    class="quiet"
    data-testid="message-save-shortcut"
    aria-label="Save as shortcut"
    title="Save as shortcut"
    @click=${() => emit(from, 'message-save-shortcut', { text })}
  >Save as shortcut</button>`;
}

/** When a message was written: short on screen, the full date and time on hover. */
function stamp(at: number) {
  const date = new Date(at);
  return html`<time data-testid="message-time" datetime=${date.toISOString()} title=${date.toLocaleString()}
    >${messageTime(at, Date.now())}</time
  >`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-message': TandemMessage;
  }
}

/**
 * `<tandem-tool-card>`: one tool call: its name and status, its input and output
 * (collapsed, rendered only when opened: an output can be megabytes), and the
 * human-readable `display` (e.g. a diff) when the tool gave one.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ToolStatus, ViewItem } from '../conversation/thread-view';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { hostText, tokens } from './tokens';
import { summarizeToolInput } from './tool-input-summary';

export type ToolItem = Extract<ViewItem, { kind: 'tool' }>;

const STATUS_LABEL: Record<ToolStatus, string> = {
  proposed: 'Proposed',
  waiting: 'Waiting for approval',
  running: 'Running…',
  done: 'Done',
  error: 'Error',
  denied: 'Denied',
  interrupted: 'Interrupted',
};

/**
 * Sections a person opened, by tool call. The virtualised thread view recreates
 * cards that scroll back into view; they should come back as they were left.
 */
const openSections = new Set<string>();

type Section = 'input' | 'output' | 'display';

const FIX_LABEL: Record<'folders', string> = { folders: 'Folders' };

@customElement('tandem-tool-card')
export class TandemToolCard extends LitElement {
  static override styles = [
    tokens,
    hostText,
    controlStyles,
    css`
      .card {
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
        background: var(--tandem-surface);
        overflow: hidden;
      }
      .card[data-status='waiting'] {
        border-color: var(--tandem-warning);
      }
      .card[data-status='error'],
      .card[data-status='denied'] {
        border-color: var(--tandem-danger);
      }
      header {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-1) var(--tandem-space-2);
        min-height: 28px;
      }
      .name {
        font-family: var(--tandem-font-mono);
        font-size: var(--tandem-font-size-small);
        font-weight: 600;
        flex: none;
      }
      .hint {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
      }
      .status {
        flex: none;
        display: inline-flex;
        align-items: center;
        gap: var(--tandem-space-1);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      .status::before {
        content: '';
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: var(--tandem-text-muted);
      }
      [data-status='running'] .status::before {
        background: var(--tandem-info);
        animation: pulse 1.2s ease-in-out infinite;
      }
      [data-status='waiting'] .status {
        color: var(--tandem-warning);
      }
      [data-status='waiting'] .status::before {
        background: var(--tandem-warning);
      }
      [data-status='done'] .status::before {
        background: var(--tandem-success);
      }
      [data-status='error'] .status,
      [data-status='denied'] .status {
        color: var(--tandem-danger);
      }
      [data-status='error'] .status::before,
      [data-status='denied'] .status::before {
        background: var(--tandem-danger);
      }
      @keyframes pulse {
        50% {
          opacity: 0.3;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        [data-status='running'] .status::before {
          animation: none;
        }
      }
      .section {
        border-top: 1px solid var(--tandem-border);
      }
      .problem {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2);
        border-top: 1px solid var(--tandem-border);
        background: var(--tandem-danger-soft);
      }
      .toggle {
        width: 100%;
        justify-content: flex-start;
        border: none;
        border-radius: 0;
        background: transparent;
        min-height: var(--tandem-tap-compact);
        padding: 0 var(--tandem-space-2);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      .toggle::before {
        content: '▸';
        display: inline-block;
        width: 1em;
        transition: transform 0.1s;
      }
      .toggle[aria-expanded='true']::before {
        transform: rotate(90deg);
      }
      .flag {
        margin-left: var(--tandem-space-2);
        color: var(--tandem-warning);
      }
      pre {
        margin: 0;
        padding: var(--tandem-space-2);
        max-height: 320px;
        overflow: auto;
        font-family: var(--tandem-font-mono);
        font-size: var(--tandem-font-size-small);
        line-height: 1.45;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        background: var(--tandem-bg);
      }
      .diff .add {
        color: var(--tandem-success);
        background: var(--tandem-success-soft);
      }
      .diff .del {
        color: var(--tandem-danger);
        background: var(--tandem-danger-soft);
      }
      .diff .meta {
        color: var(--tandem-info);
      }
      .diff span {
        display: block;
      }
    `,
  ];

  @property({ attribute: false }) item: ToolItem | undefined;
  /** Settings can be opened from here (the panel; the phone has no settings). */
  @property({ type: Boolean }) canOpenSettings = false;

  private isOpen(section: Section, item: ToolItem): boolean {
    const key = `${item.toolUseId}:${section}`;
    if (openSections.has(key)) return true;
    // A diff is the point of the card; an error is what the person needs to see.
    if (openSections.has(`${key}:closed`)) return false;
    return section === 'display' || (section === 'output' && item.status === 'error');
  }

  private toggle(section: Section, item: ToolItem): void {
    const key = `${item.toolUseId}:${section}`;
    const open = this.isOpen(section, item);
    openSections.delete(key);
    openSections.delete(`${key}:closed`);
    openSections.add(open ? `${key}:closed` : key);
    this.requestUpdate();
  }

  private section(section: Section, item: ToolItem, label: unknown, body: () => unknown) {
    const open = this.isOpen(section, item);
    const id = `${section}-body`;
    return html`<div class="section" data-testid="tool-${section}">
      <button
        class="toggle"
        aria-expanded=${open ? 'true' : 'false'}
        aria-controls=${id}
        data-testid="tool-${section}-toggle"
        @click=${() => this.toggle(section, item)}
      >
        ${label}
      </button>
      ${open ? html`<div id=${id}>${body()}</div>` : nothing}
    </div>`;
  }

  /** A failure in words for people, with the way to fix it when there is one. */
  private renderProblem(text: string, fixIn: 'folders' | undefined) {
    return html`<div class="problem" data-testid="tool-problem" role="note">
      <span>${text}</span>
      ${
        fixIn && this.canOpenSettings
          ? html`<button data-testid="tool-fix-settings" @click=${() => emit(this, 'open-settings', { section: fixIn })}>
            Open Settings → ${FIX_LABEL[fixIn]}
          </button>`
          : nothing
      }
    </div>`;
  }

  override render() {
    const item = this.item;
    if (!item) return nothing;
    const hint = summarizeToolInput(item.input);
    const hasOutput = item.output !== undefined || item.imageCount > 0;
    return html`<article
      class="card"
      data-testid="tool-card"
      data-status=${item.status}
      data-tool=${item.name}
      aria-label=${`Tool ${item.name}: ${STATUS_LABEL[item.status]}`}
    >
      <header>
        <span class="name">${item.name}</span>
        <span class="hint" title=${hint}>${hint}</span>
        <span class="status" data-testid="tool-status">${STATUS_LABEL[item.status]}</span>
      </header>
      ${
        item.status === 'error' && item.display
          ? this.renderProblem(item.display, item.fixIn)
          : item.display
            ? this.section('display', item, 'Details', () => renderDisplay(item.display ?? ''))
            : nothing
      }
      ${this.section('input', item, 'Input', () => html`<pre>${JSON.stringify(item.input, null, 2)}</pre>`)}
      ${
        hasOutput
          ? this.section(
              'output',
              item,
              html`Output${
                item.truncated
                  ? html`<span class="flag" data-testid="tool-truncated">truncated before it went to Claude</span>`
                  : nothing
              }${item.imageCount ? html`<span class="flag">+${item.imageCount} image${item.imageCount > 1 ? 's' : ''}</span>` : nothing}`,
              () => html`<pre data-testid="tool-output-text">${item.output || '(no text output)'}</pre>`,
            )
          : nothing
      }
    </article>`;
  }
}

/** A unified diff gets its lines coloured; anything else shows as plain text. */
function renderDisplay(display: string) {
  const lines = display.split('\n');
  const isDiff = lines.some((l) => l.startsWith('@@') || l.startsWith('+++') || l.startsWith('---'));
  if (!isDiff) return html`<pre data-testid="tool-display">${display}</pre>`;
  return html`<pre class="diff" data-testid="tool-display">${lines.map((line) => {
    const kind =
      line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@')
        ? 'meta'
        : line.startsWith('+')
          ? 'add'
          : line.startsWith('-')
            ? 'del'
            : '';
    return html`<span class=${kind}>${line || ' '}</span>`;
  })}</pre>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-tool-card': TandemToolCard;
  }
}

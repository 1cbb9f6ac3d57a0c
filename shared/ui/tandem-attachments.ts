/**
 * `<tandem-attachments>`: a message's attachments as chips, images as thumbnails. In the composer
 * each chip has a remove button (`attachment-remove`); in a sent message they are read-only.
 * Thumbnails are `data:` URLs of the stored bytes: nothing is fetched, and the phone page's CSP
 * (`img-src 'self' data:`) allows exactly that.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Attachment } from '../protocol/attachments';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { tokens } from './tokens';

const KIND_LABEL: Record<Attachment['kind'], string> = { image: 'Image', text: 'Text file', pdf: 'PDF' };

function sizeText(item: Attachment): string {
  const bytes = item.kind === 'text' ? item.text.length : Math.round((item.data.length * 3) / 4);
  return bytes < 1_000
    ? `${bytes} B`
    : bytes < 1_000_000
      ? `${Math.round(bytes / 1_000)} KB`
      : `${(bytes / 1_000_000).toFixed(1)} MB`;
}

@customElement('tandem-attachments')
export class TandemAttachments extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
      }
      ul {
        display: flex;
        flex-wrap: wrap;
        gap: var(--tandem-space-2);
        margin: 0;
        padding: 0;
        list-style: none;
      }
      li {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
        max-width: 100%;
        min-width: 0;
        padding: var(--tandem-space-1);
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
        background: var(--tandem-surface-raised);
        font-size: var(--tandem-font-size-small);
      }
      img {
        display: block;
        width: 48px;
        height: 48px;
        object-fit: cover;
        border-radius: var(--tandem-radius);
      }
      .name {
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .size {
        color: var(--tandem-text-muted);
      }
      .kind {
        padding: 0 var(--tandem-space-1);
        color: var(--tandem-text-muted);
      }
    `,
  ];

  @property({ attribute: false }) attachments: readonly Attachment[] = [];
  /** In the composer, before sending: each chip can be removed. */
  @property({ type: Boolean }) removable = false;

  override render() {
    if (this.attachments.length === 0) return nothing;
    return html`<ul aria-label="Attachments" data-testid="attachments">
      ${this.attachments.map(
        (item, index) => html`<li data-testid="attachment-chip" title=${item.name}>
          ${
            item.kind === 'image'
              ? html`<img data-testid="attachment-thumbnail" alt=${item.name} src=${`data:${item.mediaType};base64,${item.data}`} />`
              : html`<span class="kind" aria-hidden="true">${item.kind === 'pdf' ? 'PDF' : 'TXT'}</span>`
          }
          <span class="name">${item.name}</span>
          <span class="size">${sizeText(item)}</span>
          ${
            this.removable
              ? html`<button
                class="quiet"
                data-testid="attachment-remove"
                aria-label=${`Remove ${KIND_LABEL[item.kind].toLowerCase()} ${item.name}`}
                @click=${() => emit(this, 'attachment-remove', { index })}
              >✕</button>`
              : nothing
          }
        </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-attachments': TandemAttachments;
  }
}

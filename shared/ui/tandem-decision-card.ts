/**
 * `<tandem-decision-card>`: the runtime is waiting for a person (a permission, the
 * spending cap). Option buttons fire `decide`; once answered, from here or from the
 * other client, the card states the outcome ("Allowed once — from phone").
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ViewItem } from '../conversation/thread-view';
import { controlStyles } from './control-styles';
import { PERMANENT_ON_COMPUTER_TEXT, resolvedText } from './decision-text';
import { emit } from './events';
import { hostText, tokens } from './tokens';

/** The answer that carries a password typed into the prompt (extension/permissions/secret-vault.ts). */
const SECRET_OPTION = 'type_secret';

export type DecisionItem = Extract<ViewItem, { kind: 'decision' }>;

@customElement('tandem-decision-card')
export class TandemDecisionCard extends LitElement {
  static override styles = [
    tokens,
    hostText,
    controlStyles,
    css`
      .card {
        padding: var(--tandem-space-3);
        border: 1px solid var(--tandem-warning);
        border-radius: var(--tandem-radius-large);
        background: var(--tandem-warning-soft);
      }
      .card.resolved {
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-color: var(--tandem-border);
        background: var(--tandem-surface);
      }
      .title {
        margin: 0;
        font-size: var(--tandem-font-size);
        font-weight: 600;
      }
      .detail {
        margin: var(--tandem-space-1) 0 0;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        color: var(--tandem-text);
      }
      .options {
        display: flex;
        flex-wrap: wrap;
        gap: var(--tandem-tap-gap);
        margin-top: var(--tandem-space-3);
      }
      .outcome {
        margin-top: var(--tandem-space-1);
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
      }
      .permanent-note {
        margin-top: var(--tandem-space-2);
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
      }
      .resolved .title {
        font-weight: 500;
        color: var(--tandem-text-muted);
      }
    `,
  ];

  @property({ attribute: false }) item: DecisionItem | undefined;
  /** The option this client already sent and is waiting to see resolved. */
  @property() answering: string | undefined;
  /** No link to the runtime: answers could not be delivered. */
  @property({ type: Boolean }) disabled = false;
  /**
   * A trusted client (the computer's own pages). An untrusted one (a phone) is offered only the
   * answers whose effect ends with the task; the runtime refuses the others from it anyway.
   */
  @property({ type: Boolean }) trusted = true;

  private secretFor(optionId: string): { secret?: string } {
    if (optionId !== SECRET_OPTION) return {};
    const value = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="decision-secret"]')?.value;
    return value ? { secret: value } : {};
  }

  override render() {
    const item = this.item;
    if (!item) return nothing;
    if (item.resolved) {
      return html`<section
        class="card resolved"
        data-testid="decision-card"
        data-decision-id=${item.decisionId}
        data-resolved=${item.resolved.optionId}
      >
        <p class="title">${item.title}</p>
        <div class="outcome" data-testid="decision-outcome">${resolvedText(item.resolved)}</div>
      </section>`;
    }
    const options = this.trusted ? item.options : item.options.filter((option) => !option.persistent);
    const hidden = options.length < item.options.length;
    return html`<section
      class="card"
      role="group"
      aria-labelledby="title"
      data-testid="decision-card"
      data-decision-id=${item.decisionId}
      data-topic=${item.topic}
    >
      <p class="title" id="title">${item.title}</p>
      ${item.detail ? html`<p class="detail">${item.detail}</p>` : nothing}
      ${
        // A prompt that asks for a password (tools/password.ts): it goes to the page, never to the log.
        options.some((option) => option.id === SECRET_OPTION)
          ? html`<input
              type="password"
              autocomplete="off"
              aria-label="Password"
              data-testid="decision-secret"
              ?disabled=${this.disabled || this.answering !== undefined}
            />`
          : nothing
      }
      <div class="options">
        ${options.map(
          (option) => html`<button
            class=${option.tone === 'neutral' ? '' : option.tone}
            data-testid="decision-option"
            data-option-id=${option.id}
            ?disabled=${this.disabled || this.answering !== undefined}
            aria-busy=${this.answering === option.id ? 'true' : 'false'}
            @click=${() => emit(this, 'decide', { decisionId: item.decisionId, optionId: option.id, ...this.secretFor(option.id) })}
          >
            ${option.label}
          </button>`,
        )}
      </div>
      ${
        hidden
          ? html`<p class="permanent-note" data-testid="decision-permanent-note">${PERMANENT_ON_COMPUTER_TEXT}</p>`
          : nothing
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-decision-card': TandemDecisionCard;
  }
}

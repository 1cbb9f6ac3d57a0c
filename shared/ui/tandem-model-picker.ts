/**
 * `<tandem-model-picker>`: which model a thread's next turns use: "Default" (the model in
 * Settings) or one the Models API listed, each with its price per million tokens, or "price
 * unknown" when Tandem's table has none. A native <select> (keyboard and screen readers for
 * free) with a visible label, and a button to list the models again.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ModelOption } from '../protocol/search';
import { controlStyles } from './control-styles';
import { tokens } from './tokens';

export interface ModelPickerEvents {
  /** null: back to the default model. */
  'model-change': CustomEvent<{ model: string | null }>;
  'models-refresh': CustomEvent<Record<string, never>>;
}

declare global {
  interface HTMLElementEventMap extends ModelPickerEvents {}
}

const dollars = (perMTok: number) => `$${perMTok % 1 === 0 ? perMTok : perMTok.toFixed(2)}`;

export function modelOptionLabel(option: ModelOption): string {
  const price = option.price
    ? `${dollars(option.price.inputPerMTok)} / ${dollars(option.price.outputPerMTok)} per M tokens`
    : 'price unknown';
  return `${option.displayName} · ${price}`;
}

@customElement('tandem-model-picker')
export class TandemModelPicker extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: var(--tandem-space-1);
        min-width: 0;
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      select {
        min-width: 0;
        max-width: 12rem;
        min-height: var(--tandem-tap-compact);
        font-size: var(--tandem-font-size-small);
        /* Explicit colours: a native select keeps the light default otherwise (dark-mode contrast). */
        color: var(--tandem-text);
        background: var(--tandem-surface);
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
      }
      option {
        color: var(--tandem-text);
        background: var(--tandem-surface);
      }
      button {
        min-height: var(--tandem-tap-compact);
        min-width: var(--tandem-tap-compact);
        padding: 0 var(--tandem-space-1);
      }
    `,
  ];

  @property({ attribute: false }) models: readonly ModelOption[] = [];
  /** The thread's own model; undefined: the default. */
  @property() value: string | undefined;
  @property() defaultModel = '';
  /** Why the list is the built-in one or old (the API could not be reached). */
  @property() problem: string | undefined;
  @property({ type: Boolean }) disabled = false;

  private onChange(event: Event): void {
    const model = (event.target as HTMLSelectElement).value;
    this.dispatchEvent(
      new CustomEvent('model-change', { detail: { model: model || null }, bubbles: true, composed: true }),
    );
  }

  override render() {
    const listed = new Set(this.models.map((m) => m.id));
    const defaultName = this.models.find((m) => m.id === this.defaultModel)?.displayName ?? this.defaultModel;
    return html`<label for="model">Model</label>
      <select
        id="model"
        data-testid="model-picker"
        title=${this.problem ? `Model list: ${this.problem}` : 'The model for this thread’s next turns'}
        ?disabled=${this.disabled}
        @change=${this.onChange}
      >
        <option value="" ?selected=${!this.value}>Default${defaultName ? ` (${defaultName})` : ''}</option>
        ${this.models.map(
          (option) =>
            html`<option value=${option.id} ?selected=${option.id === this.value}>${modelOptionLabel(option)}</option>`,
        )}
        ${
          this.value && !listed.has(this.value)
            ? html`<option value=${this.value} selected>${this.value} · not listed</option>`
            : nothing
        }
      </select>
      <button
        class="quiet"
        data-testid="models-refresh"
        aria-label="List the models again"
        title="List the models again"
        ?disabled=${this.disabled}
        @click=${() =>
          this.dispatchEvent(new CustomEvent('models-refresh', { detail: {}, bubbles: true, composed: true }))}
      >
        ↻
      </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-model-picker': TandemModelPicker;
  }
}

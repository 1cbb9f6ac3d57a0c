/**
 * `<tandem-settings-view>`: the side panel's settings (only the computer holds the
 * API key and spending settings; the phone cannot send these commands).
 *
 * The key field is write-only: the runtime never sends the key back, only a hint
 * ("sk-ant-…abcd"). An empty field means "keep the current key".
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { PublicSettings } from '../../../shared/protocol/messages';
import { controlStyles } from '../../../shared/ui/control-styles';
import { hostText, tokens } from '../../../shared/ui/tokens';
import {
  formFromSettings,
  patchFromForm,
  type SettingsErrors,
  type SettingsField,
  type SettingsFormValues,
} from './settings-form';

/** Suggestions only: any model id the API accepts can be typed. */
const MODEL_SUGGESTIONS = [
  'claude-sonnet-4-5',
  'claude-opus-4-5',
  'claude-haiku-4-5',
  'claude-opus-4-1',
  'claude-sonnet-4-0',
];

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; message: string };

/** The form's fields typed as text that hold numbers (each edited with `numberField`). */
type NumberField =
  | 'maxTokens'
  | 'contextBudgetPercent'
  | 'maxRecentImages'
  | 'streamIdleTimeoutSeconds'
  | 'unreachableGiveUpMinutes';

@customElement('tandem-settings-view')
export class TandemSettingsView extends LitElement {
  static override styles = [
    tokens,
    hostText,
    controlStyles,
    css`
      :host {
        overflow-y: auto;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-4);
        max-width: 520px;
        padding: var(--tandem-space-3) var(--tandem-space-4) var(--tandem-space-4);
      }
      fieldset {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-3);
        margin: 0;
        padding: 0;
        border: none;
      }
      legend {
        padding: 0;
        margin-bottom: var(--tandem-space-2);
        font-weight: 600;
        font-size: 14px;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
      }
      .field > span:first-child,
      .field > label {
        font-weight: 500;
      }
      .help {
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
      }
      .error {
        color: var(--tandem-danger);
        font-size: var(--tandem-font-size-small);
      }
      .row {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
        flex-wrap: wrap;
      }
      .row input[type='password'],
      .row input[type='text'] {
        flex: 1;
        min-width: 160px;
      }
      .check {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
        cursor: pointer;
      }
      .key-result {
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        font-size: var(--tandem-font-size-small);
      }
      .key-result.ok {
        background: var(--tandem-success-soft);
        color: var(--tandem-success);
      }
      .key-result.bad {
        background: var(--tandem-danger-soft);
        color: var(--tandem-danger);
      }
      .key-result.pending {
        background: var(--tandem-surface);
        color: var(--tandem-text-muted);
      }
      .actions {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
      }
      .saved {
        color: var(--tandem-success);
        font-size: var(--tandem-font-size-small);
      }
      .failed {
        color: var(--tandem-danger);
        font-size: var(--tandem-font-size-small);
      }
      .loading {
        padding: var(--tandem-space-4);
        color: var(--tandem-text-muted);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @property({ attribute: false }) settings: PublicSettings | undefined;
  @property({ attribute: false }) keyCheck: { ok: boolean; message: string } | undefined;
  @property({ type: Boolean }) connected = false;

  @state() private form: SettingsFormValues | undefined;
  @state() private dirty = false;
  @state() private errors: SettingsErrors = {};
  @state() private save: SaveState = { kind: 'idle' };
  @state() private showKey = false;
  /** The key check result that was current when "Check key" was pressed; a different one is the answer. */
  @state() private checkBaseline: { ok: boolean; message: string } | undefined | null = null;
  @state() private checkFailed: string | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Follow the runtime's settings (e.g. changed in another panel) unless the person is editing.
    if (changed.has('settings') && this.settings && (!this.form || !this.dirty)) {
      this.form = formFromSettings(this.settings);
    }
  }

  private set<K extends SettingsField>(field: K, value: SettingsFormValues[K]): void {
    if (!this.form) return;
    this.form = { ...this.form, [field]: value };
    this.dirty = true;
    if (this.errors[field]) this.errors = { ...this.errors, [field]: undefined };
    if (this.save.kind !== 'saving') this.save = { kind: 'idle' };
    // A new key makes the last check's verdict stale: do not leave its error under the new one.
    if (field === 'apiKey') {
      this.checkBaseline = null;
      this.checkFailed = undefined;
    }
  }

  private async submit(event?: Event): Promise<boolean> {
    event?.preventDefault();
    const { client, settings, form } = this;
    if (!client || !settings || !form) return false;
    const result = patchFromForm(form, settings);
    if (!result.ok) {
      this.errors = result.errors;
      return false;
    }
    this.errors = {};
    if (Object.keys(result.patch).length === 0) {
      this.dirty = false;
      this.save = { kind: 'saved' };
      return true;
    }
    this.save = { kind: 'saving' };
    try {
      await client.send({ type: 'settings.update', patch: result.patch });
      this.save = { kind: 'saved' };
      this.dirty = false;
      this.form = { ...form, apiKey: '' };
      return true;
    } catch (error) {
      this.save = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
      return false;
    }
  }

  private async checkKey(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.checkFailed = undefined;
    // Check what is typed, not the old key: save it first.
    if (this.form?.apiKey.trim() && !(await this.submit())) return;
    this.checkBaseline = client.keyCheck;
    try {
      await client.send({ type: 'settings.checkKey' });
    } catch (error) {
      this.checkFailed = error instanceof Error ? error.message : String(error);
      this.checkBaseline = null;
    }
  }

  private async removeKey(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.save = { kind: 'saving' };
    try {
      await client.send({ type: 'settings.update', patch: { apiKey: '' } });
      this.save = { kind: 'saved' };
    } catch (error) {
      this.save = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }

  private renderKeyCheck() {
    if (this.checkFailed) {
      return html`<div class="key-result bad" data-testid="key-check-result" data-ok="false">${this.checkFailed}</div>`;
    }
    if (this.checkBaseline === null) return nothing;
    const result = this.keyCheck;
    if (result === this.checkBaseline) {
      return html`<div class="key-result pending" data-testid="key-check-pending">Checking the key…</div>`;
    }
    if (!result) return nothing;
    return html`<div
      class="key-result ${result.ok ? 'ok' : 'bad'}"
      role="status"
      data-testid="key-check-result"
      data-ok=${result.ok ? 'true' : 'false'}
    >
      ${result.ok ? '✓ ' : ''}${result.message}
    </div>`;
  }

  private error(field: SettingsField) {
    const message = this.errors[field];
    return message
      ? html`<span class="error" data-testid="settings-error-${field}" id="${field}-error">${message}</span>`
      : nothing;
  }

  /** One labelled number input bound to a form field, with its help and error lines. */
  private numberField(
    field: NumberField,
    label: string,
    testId: string,
    range: { min: number; max: number; step: number | 'any' },
    help?: string,
  ) {
    const form = this.form;
    if (!form) return nothing;
    return html`<label class="field">
      <span>${label}</span>
      <input
        type="number"
        min=${range.min}
        max=${range.max}
        step=${range.step}
        data-testid=${testId}
        .value=${form[field]}
        @input=${(e: Event) => this.set(field, (e.target as HTMLInputElement).value)}
      />
      ${help ? html`<span class="help">${help}</span>` : nothing}
      ${this.error(field)}
    </label>`;
  }

  override render() {
    const { settings, form } = this;
    if (!settings || !form) {
      return html`<div class="loading" data-testid="settings-loading">
        ${this.connected ? 'Loading settings…' : 'Connecting to Tandem…'}
      </div>`;
    }
    const disabled = !this.connected;
    const text = (field: SettingsField) => (e: Event) => this.set(field, (e.target as HTMLInputElement).value);
    const flag = (field: 'spendingCapEnabled' | 'notifyOnFinish') => (e: Event) =>
      this.set(field, (e.target as HTMLInputElement).checked);
    return html`<form @submit=${this.submit} novalidate data-testid="settings-form">
      <fieldset>
        <legend>Anthropic API</legend>
        <div class="field">
          <label for="api-key">API key</label>
          <div class="row">
            <input
              id="api-key"
              type=${this.showKey ? 'text' : 'password'}
              autocomplete="off"
              spellcheck="false"
              data-testid="settings-api-key"
              placeholder=${settings.apiKeySet ? `Saved${settings.apiKeyHint ? `: ${settings.apiKeyHint}` : ''} (type to replace)` : 'sk-ant-…'}
              aria-describedby="key-help apiKey-error"
              .value=${form.apiKey}
              @input=${text('apiKey')}
            />
            <button
              type="button"
              class="quiet"
              aria-pressed=${this.showKey ? 'true' : 'false'}
              @click=${() => {
                this.showKey = !this.showKey;
              }}
            >
              ${this.showKey ? 'Hide' : 'Show'}
            </button>
          </div>
          <span class="help" id="key-help" data-testid="settings-api-key-hint">
            ${
              settings.apiKeySet
                ? html`A key is saved${settings.apiKeyHint ? ` (${settings.apiKeyHint})` : ''}. It stays on this computer and is never shown again.`
                : 'No key saved yet. Create one at console.anthropic.com; it stays on this computer.'
            }
          </span>
          ${this.error('apiKey')}
        </div>
        <div class="row">
          <button
            type="button"
            data-testid="settings-check-key"
            ?disabled=${disabled || (!settings.apiKeySet && !form.apiKey.trim())}
            @click=${this.checkKey}
          >
            Check key
          </button>
          ${
            settings.apiKeySet
              ? html`<button type="button" class="quiet" data-testid="settings-remove-key" ?disabled=${disabled} @click=${this.removeKey}>
                Remove key
              </button>`
              : nothing
          }
        </div>
        ${this.renderKeyCheck()}
        <label class="field">
          <span>Model</span>
          <input
            type="text"
            list="models"
            spellcheck="false"
            data-testid="settings-model"
            .value=${form.model}
            @input=${text('model')}
          />
          <datalist id="models">${MODEL_SUGGESTIONS.map((m) => html`<option value=${m}></option>`)}</datalist>
          ${this.error('model')}
        </label>
        <label class="field">
          <span>Base URL</span>
          <input type="url" spellcheck="false" data-testid="settings-base-url" .value=${form.baseUrl} @input=${text('baseUrl')} />
          <span class="help">Leave as https://api.anthropic.com unless you use a proxy.</span>
          ${this.error('baseUrl')}
        </label>
        ${this.numberField('maxTokens', 'Max tokens per answer', 'settings-max-tokens', { min: 1, max: 128000, step: 1 })}
      </fieldset>
      <fieldset>
        <legend>Conversation memory</legend>
        ${this.numberField(
          'contextBudgetPercent',
          "Context budget (% of the model's window)",
          'settings-context-budget',
          { min: 5, max: 80, step: 1 },
          'Above it, old tool outputs become short notes, then older turns are summarised.',
        )}
        ${this.numberField('maxRecentImages', 'Images kept in a request', 'settings-recent-images', { min: 0, max: 20, step: 1 })}
        ${this.numberField(
          'streamIdleTimeoutSeconds',
          'Retry a silent answer after (seconds)',
          'settings-stall-timeout',
          { min: 0.1, max: 600, step: 'any' },
        )}
        ${this.numberField(
          'unreachableGiveUpMinutes',
          "When the API can't be reached, ask after (minutes)",
          'settings-give-up',
          { min: 0, max: 1440, step: 'any' },
        )}
      </fieldset>
      <fieldset>
        <legend>Spending</legend>
        <label class="check">
          <input
            type="checkbox"
            data-testid="settings-cap-enabled"
            .checked=${form.spendingCapEnabled}
            @change=${flag('spendingCapEnabled')}
          />
          Ask before a task spends more than
        </label>
        <label class="field">
          <span class="visually-hidden">Spending cap per task in US dollars</span>
          <div class="row">
            <span>$</span>
            <input
              type="number"
              min="0.01"
              max="10000"
              step="0.01"
              data-testid="settings-cap-usd"
              ?disabled=${!form.spendingCapEnabled}
              .value=${form.spendingCapUsd}
              @input=${text('spendingCapUsd')}
            />
            <span class="help">per task (estimated from token usage)</span>
          </div>
          ${this.error('spendingCapUsd')}
        </label>
      </fieldset>
      <fieldset>
        <legend>Notifications</legend>
        <label class="check">
          <input
            type="checkbox"
            data-testid="settings-notify"
            .checked=${form.notifyOnFinish}
            @change=${flag('notifyOnFinish')}
          />
          Notify me when a task finishes
        </label>
      </fieldset>
      <div class="actions">
        <button
          type="submit"
          class="primary"
          data-testid="settings-save"
          ?disabled=${disabled || this.save.kind === 'saving'}
        >
          ${this.save.kind === 'saving' ? 'Saving…' : 'Save'}
        </button>
        ${this.save.kind === 'saved' ? html`<span class="saved" role="status" data-testid="settings-saved">Saved</span>` : nothing}
        ${
          this.save.kind === 'failed'
            ? html`<span class="failed" role="alert" data-testid="settings-save-error">${this.save.message}</span>`
            : nothing
        }
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-settings-view': TandemSettingsView;
  }
}

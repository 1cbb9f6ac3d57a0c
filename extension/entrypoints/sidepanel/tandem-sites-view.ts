/**
 * `<tandem-sites-view>`: the Sites settings. Lists every site rule and every
 * remembered answer (allow or deny; always, until a time, or for one task) with
 * when it was last used, and lets the person add or remove rules. It talks to
 * the runtime only through the protocol (`sites.list`, `sites.set`,
 * `sites.remove`, answered by `sites` messages); the phone cannot send these.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { SiteEntry } from '../../../shared/protocol/messages';
import { controlStyles } from '../../../shared/ui/control-styles';
import { hostText, tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { durationText, lastUsedText } from './site-entry-text';

/** Re-render relative times ("5 min ago") this often while the view is open. */
const CLOCK_MS = 30_000;

@customElement('tandem-sites-view')
export class TandemSitesView extends LitElement {
  static override styles = [
    tokens,
    hostText,
    controlStyles,
    css`
      :host {
        overflow-y: auto;
      }
      section {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-3);
        max-width: 520px;
        padding: var(--tandem-space-3) var(--tandem-space-4) var(--tandem-space-4);
      }
      h2 {
        margin: 0;
        font-size: 14px;
        font-weight: 600;
      }
      h3 {
        margin: var(--tandem-space-2) 0 0;
        font-size: var(--tandem-font-size-small);
        font-weight: 600;
        color: var(--tandem-text-muted);
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      p {
        margin: 0;
      }
      .help {
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
      }
      form {
        display: flex;
        gap: var(--tandem-space-2);
        flex-wrap: wrap;
        align-items: center;
      }
      form input {
        flex: 1;
        min-width: 180px;
        font-family: var(--tandem-font-mono);
      }
      select {
        min-height: 30px;
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
        background: var(--tandem-bg);
        padding: 0 var(--tandem-space-2);
      }
      .error {
        color: var(--tandem-danger);
        font-size: var(--tandem-font-size-small);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
      }
      li {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
        background: var(--tandem-surface);
      }
      .site {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-direction: column;
      }
      .pattern {
        font-family: var(--tandem-font-mono);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .meta {
        color: var(--tandem-text-muted);
        font-size: var(--tandem-font-size-small);
      }
      .badge {
        flex: none;
        padding: 0 var(--tandem-space-2);
        border-radius: var(--tandem-radius);
        font-size: var(--tandem-font-size-small);
        font-weight: 500;
      }
      .badge.allow {
        background: var(--tandem-success-soft);
        color: var(--tandem-success);
      }
      .badge.deny {
        background: var(--tandem-danger-soft);
        color: var(--tandem-danger);
      }
      .empty {
        color: var(--tandem-text-muted);
      }
      .never {
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        background: var(--tandem-info-soft);
        color: var(--tandem-text);
        font-size: var(--tandem-font-size-small);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;

  @state() private pattern = '';
  @state() private effect: 'allow' | 'deny' = 'allow';
  @state() private error: string | undefined;
  @state() private busy = false;
  @state() private now = Date.now();

  private clock: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    // The list itself lives in `client.sites`; re-render when it changes, ask again after reconnecting.
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'sites') this.requestUpdate();
      },
      refresh: (client) => void client.send({ type: 'sites.list' }).catch(() => {}),
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.clock = setInterval(() => {
      this.now = Date.now();
    }, CLOCK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
  }

  private async addRule(event: Event): Promise<void> {
    event.preventDefault();
    const client = this.client;
    const pattern = this.pattern.trim();
    if (!client || !pattern) return;
    this.busy = true;
    this.error = undefined;
    try {
      await client.send({ type: 'sites.set', pattern, effect: this.effect });
      this.pattern = '';
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  private async removeRule(entry: SiteEntry): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.error = undefined;
    try {
      await client.send({ type: 'sites.remove', pattern: entry.pattern });
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private renderEntry(entry: SiteEntry) {
    return html`<li data-testid="site-row" data-pattern=${entry.pattern} data-effect=${entry.effect} data-duration=${entry.duration}>
      <span class="badge ${entry.effect}">${entry.effect === 'allow' ? 'Allowed' : 'Blocked'}</span>
      <span class="site">
        <span class="pattern" title=${entry.pattern}>${entry.pattern}</span>
        <span class="meta">${durationText(entry, this.now)} · ${lastUsedText(entry, this.now)}</span>
      </span>
      <button
        type="button"
        class="quiet"
        data-testid="site-remove"
        aria-label="Remove ${entry.pattern}"
        ?disabled=${this.client?.connection !== 'open'}
        @click=${() => this.removeRule(entry)}
      >
        Remove
      </button>
    </li>`;
  }

  override render() {
    const sites = this.client?.sites;
    const connected = this.client?.connection === 'open';
    const allowed = sites?.filter((s) => s.effect === 'allow') ?? [];
    const denied = sites?.filter((s) => s.effect === 'deny') ?? [];
    return html`<section data-testid="sites-view">
      <h2>Sites</h2>
      <p class="help">
        The agent reaches only the sites you allow. For any other site it asks you first, and your answer shows up here.
      </p>
      <form @submit=${this.addRule} novalidate>
        <input
          type="text"
          spellcheck="false"
          autocomplete="off"
          aria-label="Site"
          placeholder="https://docs.example.com or *.example.com"
          data-testid="site-pattern"
          .value=${this.pattern}
          @input=${(e: Event) => {
            this.pattern = (e.target as HTMLInputElement).value;
            this.error = undefined;
          }}
        />
        <select
          aria-label="Rule"
          data-testid="site-effect"
          .value=${this.effect}
          @change=${(e: Event) => {
            this.effect = (e.target as HTMLSelectElement).value === 'deny' ? 'deny' : 'allow';
          }}
        >
          <option value="allow">Allow</option>
          <option value="deny">Block</option>
        </select>
        <button type="submit" class="primary" data-testid="site-add" ?disabled=${!connected || this.busy || !this.pattern.trim()}>
          Add
        </button>
      </form>
      ${this.error ? html`<span class="error" role="alert" data-testid="site-error">${this.error}</span>` : nothing}
      ${
        sites === undefined
          ? html`<p class="empty">${connected ? 'Loading…' : 'Connecting to Tandem…'}</p>`
          : sites.length === 0
            ? html`<p class="empty" data-testid="sites-empty">No sites yet. When the agent wants to reach one, Tandem asks you.</p>`
            : html`
                ${allowed.length > 0 ? html`<h3>Allowed</h3><ul>${allowed.map((e) => this.renderEntry(e))}</ul>` : nothing}
                ${denied.length > 0 ? html`<h3>Blocked</h3><ul>${denied.map((e) => this.renderEntry(e))}</ul>` : nothing}
              `
      }
      <p class="never">
        Never reachable, whatever the rules: browser pages (chrome://, about:), local files (file://), extension pages
        (Tandem’s own included) and the browser web stores.
      </p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-sites-view': TandemSitesView;
  }
}

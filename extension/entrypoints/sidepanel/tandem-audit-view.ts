/**
 * The audit trail: every tool call the agent made, newest first, with who decided
 * and how it ended. Read-only; it comes from the runtime's own audit table, which
 * outlives deleted conversations.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { AuditEntry } from '../../../shared/protocol';
import { controlStyles } from '../../../shared/ui/control-styles';
import { RuntimeFeed } from './runtime-feed';

const DECISION_TEXT: Record<AuditEntry['decision'], string> = {
  auto: 'allowed by your rules',
  allowed: 'allowed',
  denied: 'denied',
};

function describe(entry: AuditEntry): string {
  const device = entry.decidedByDevice;
  // Which phone, by name and key fingerprint: after a theft the user can see what that phone did.
  const source = device ? `${device.name} (${device.fingerprint})` : `the ${entry.decidedBy}`;
  const who = entry.decidedBy && entry.decision !== 'auto' ? ` from ${source}` : '';
  return `${DECISION_TEXT[entry.decision]}${who} · ${entry.outcome}`;
}

@customElement('tandem-audit-view')
export class TandemAuditView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        padding: 8px 0;
        border-bottom: 1px solid var(--tandem-border);
      }
      .head {
        display: flex;
        gap: 8px;
        align-items: baseline;
      }
      .tool {
        font-family: var(--tandem-font-mono);
        font-weight: 600;
      }
      .when,
      .outcome {
        color: var(--tandem-text-muted);
        font-size: 0.85em;
      }
      .outcome[data-outcome='denied'],
      .outcome[data-outcome='error'] {
        color: var(--tandem-danger);
      }
      pre {
        margin: 4px 0 0;
        white-space: pre-wrap;
        word-break: break-all;
        font-size: 0.8em;
        color: var(--tandem-text-muted);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private entries: AuditEntry[] | undefined;

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'audit') this.entries = message.entries;
      },
      refresh: (client) => void client.send({ type: 'audit.list', limit: 200 }).catch(() => {}),
    });
  }

  override render() {
    if (!this.entries) return html`<p class="when">Loading…</p>`;
    if (this.entries.length === 0) {
      return html`<p data-testid="audit-empty">No tool calls yet. Every action the agent takes will be listed here.</p>`;
    }
    return html`<ol data-testid="audit-list">
      ${this.entries.map(
        (entry) => html`<li data-testid="audit-entry" data-tool=${entry.tool} data-decision=${entry.decision}>
          <div class="head">
            <span class="tool">${entry.tool}</span>
            <span class="outcome" data-outcome=${entry.outcome}>${describe(entry)}</span>
            <span class="when">${new Date(entry.at).toLocaleString()}</span>
          </div>
          <pre>${JSON.stringify(entry.input)}</pre>
          ${entry.detail ? html`<pre>${entry.detail}</pre>` : nothing}
        </li>`,
      )}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-audit-view': TandemAuditView;
  }
}

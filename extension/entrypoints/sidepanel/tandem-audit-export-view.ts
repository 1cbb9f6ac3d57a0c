/**
 * `<tandem-audit-export-view>` (Settings → Activity): the audit log's chain head, the export as
 * hash-chained JSON Lines, and "Verify a file", which runs the same verifier as
 * `npx tandem-audit verify` (shared/audit/verify-audit-export.ts) here in the page. The file never
 * leaves the panel.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { HASH_PATTERN } from '../../../shared/audit/audit-chain';
import { verifyAuditExport } from '../../../shared/audit/verify-audit-export';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

interface ChainHead {
  rows: number;
  head: string;
}

interface Outcome {
  ok: boolean;
  text: string;
}

function rowsText(rows: number): string {
  return `${rows} ${rows === 1 ? 'row' : 'rows'}`;
}

@customElement('tandem-audit-export-view')
export class TandemAuditExportView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      :host {
        display: block;
        margin-bottom: var(--tandem-space-3);
      }
      .row {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
        flex-wrap: wrap;
        margin-bottom: var(--tandem-space-3);
      }
      code {
        font-family: var(--tandem-font-mono);
        font-size: var(--tandem-font-size-small);
        /* A 64-character hash in a narrow panel: break anywhere rather than overflow. */
        word-break: break-all;
      }
      p[role='status'] {
        overflow-wrap: anywhere;
      }
      .bad {
        color: var(--tandem-danger);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private chain: ChainHead | undefined;
  @state() private exported: Outcome | undefined;
  @state() private verified: Outcome | undefined;
  @state() private notedHead = '';

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'audit.head') this.chain = { rows: message.rows, head: message.head };
        if (message.type === 'audit.export') this.save(message.fileName, message.jsonl);
        // A new tool call moved the head: ask again (the list view refreshes on the same message).
        if (message.type === 'audit') void this.client?.send({ type: 'audit.head' }).catch(() => {});
      },
      refresh: (client) => void client.send({ type: 'audit.head' }).catch(() => {}),
    });
  }

  private save(fileName: string, jsonl: string): void {
    // Checked before it is saved: a log edited inside the browser's storage would fail here.
    const verdict = verifyAuditExport(jsonl);
    const url = URL.createObjectURL(new Blob([jsonl], { type: 'application/jsonl' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    this.exported = verdict.ok
      ? { ok: true, text: `Saved ${fileName}: ${rowsText(verdict.rows)}, chain head ${verdict.head}. It verifies.` }
      : { ok: false, text: `Saved ${fileName}, but it does not verify (line ${verdict.line}: ${verdict.reason})` };
    void this.client?.send({ type: 'audit.head' }).catch(() => {});
  }

  private async export(): Promise<void> {
    this.exported = { ok: true, text: 'Preparing the audit log…' };
    await this.client?.send({ type: 'audit.export' }).catch((error: Error) => {
      this.exported = { ok: false, text: error.message };
    });
  }

  private async verify(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const noted = this.notedHead.trim().toLowerCase();
    if (noted && !HASH_PATTERN.test(noted)) {
      this.verified = { ok: false, text: 'The noted chain head must be 64 hexadecimal characters, as shown above.' };
      return;
    }
    const verdict = verifyAuditExport(await file.text(), noted ? { notedHead: noted } : {});
    if (!verdict.ok) {
      this.verified = { ok: false, text: `${file.name} does not verify: line ${verdict.line}: ${verdict.reason}` };
      return;
    }
    const matches =
      this.chain && verdict.head === this.chain.head ? ' It matches this browser’s audit log as it is now.' : '';
    const notedRow =
      verdict.notedHeadRow !== undefined
        ? ` The head you noted is row ${verdict.notedHeadRow}: rows up to it are unchanged.`
        : '';
    this.verified = {
      ok: true,
      text: `${file.name} verifies: ${rowsText(verdict.rows)}, chain head ${verdict.head}.${notedRow}${matches}`,
    };
  }

  private renderOutcome(outcome: Outcome | undefined, testId: string) {
    if (!outcome) return nothing;
    return html`<p role="status" data-testid=${testId} data-ok=${String(outcome.ok)} class=${outcome.ok ? '' : 'bad'}>
      ${outcome.text}
    </p>`;
  }

  override render() {
    return html`<h2>Audit log</h2>
      <p class="muted">
        Every tool call is recorded with the hash of the one before it. An exported file that is edited, cut short or
        reordered no longer verifies. Someone who rewrites the whole file can make it verify again, unless you
        compare it with a chain head you noted elsewhere (it changes with every tool call).
      </p>
      <p data-testid="audit-chain">
        ${
          this.chain
            ? html`Chain head (${rowsText(this.chain.rows)}): <code data-testid="audit-head">${this.chain.head}</code>`
            : 'Loading the chain head…'
        }
      </p>
      <div class="row">
        <button data-testid="audit-export" @click=${() => void this.export()}>Export audit log (JSON Lines)</button>
      </div>
      ${this.renderOutcome(this.exported, 'audit-export-result')}
      <div class="row">
        <label
          >Chain head you noted (optional):
          <input
            type="text"
            data-testid="audit-verify-head"
            spellcheck="false"
            autocomplete="off"
            .value=${this.notedHead}
            @input=${(e: Event) => (this.notedHead = (e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      <div class="row">
        <label
          >Verify a file:
          <input
            type="file"
            accept=".jsonl,application/jsonl,application/x-ndjson,text/plain"
            data-testid="audit-verify-file"
            @change=${this.verify}
          />
        </label>
      </div>
      ${this.renderOutcome(this.verified, 'audit-verify-result')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-audit-export-view': TandemAuditExportView;
  }
}

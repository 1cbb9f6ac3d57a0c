/**
 * `<tandem-backup-view>`: the storage's health (space left, persistence, a database found empty) and
 * a restorable backup: export every conversation, the settings (the API key only when ticked), the
 * site and folder answers and the paired phones to a JSON file; import one back. The automatic
 * backups (in the browser's own storage and, with the file host installed, in its folder on the
 * computer) show their time and restore in one click.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { StorageStatus } from '../../../shared/protocol';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

@customElement('tandem-backup-view')
export class TandemBackupView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      .row {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
        flex-wrap: wrap;
        margin-bottom: var(--tandem-space-3);
      }
      .warning {
        color: var(--tandem-danger);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private storage: StorageStatus | undefined;
  @state() private includeKey = false;
  @state() private result = '';

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'storage.status') this.storage = message.status;
        if (message.type === 'backup') this.download(message.fileName, message.json);
      },
      refresh: (client) => {
        this.storage = client.storageStatus;
      },
    });
  }

  private download(fileName: string, json: string): void {
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    this.result = `Saved ${fileName} (${megabytes(json.length)}).`;
  }

  private async export(): Promise<void> {
    this.result = 'Preparing the backup…';
    await this.client
      ?.send({ type: 'backup.export', includeApiKey: this.includeKey })
      .catch((error: Error) => (this.result = error.message));
  }

  private async import(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file || !this.client) return;
    this.result = `Restoring ${file.name}…`;
    try {
      await this.client.send({ type: 'backup.import', json: await file.text() });
      this.result = `Restored ${file.name}: conversations that were missing are back; settings, site and folder answers and phones are as in the backup.`;
    } catch (error) {
      this.result = error instanceof Error ? error.message : String(error);
    }
  }

  private async restoreAuto(from: 'browser' | 'computer'): Promise<void> {
    if (!this.client) return;
    const what = from === 'browser' ? 'the automatic backup' : "the computer's backup folder";
    this.result = `Restoring from ${what}…`;
    try {
      await this.client.send({ type: from === 'browser' ? 'backup.restoreAuto' : 'backup.restoreFromHost' });
      this.result = `Restored from ${what}: conversations that were missing are back.`;
    } catch (error) {
      this.result = error instanceof Error ? error.message : String(error);
    }
  }

  private renderStorage() {
    const status = this.storage ?? this.client?.storageStatus;
    if (!status) return nothing;
    const space =
      status.usageBytes !== undefined && status.quotaBytes
        ? `${megabytes(status.usageBytes)} used of ${megabytes(status.quotaBytes)} available to Tandem.`
        : '';
    const persisted =
      status.persisted === true
        ? 'The browser keeps this storage even when space runs low.'
        : status.persisted === false
          ? 'The browser may clear this storage when space runs low: keep a backup.'
          : '';
    return html`<p data-testid="storage-state" data-state=${status.state} class=${status.state === 'ok' ? 'muted' : 'warning'}>
        ${status.message ?? 'Storage is healthy.'}
      </p>
      <p class="muted">${space} ${persisted}</p>
      ${
        status.autoBackupAt !== undefined
          ? html`<div class="row">
              <span class="muted">Automatic backup (kept apart from the database): ${new Date(status.autoBackupAt).toLocaleString()}</span>
              <button data-testid="backup-restore-auto" @click=${() => void this.restoreAuto('browser')}>Restore it</button>
            </div>`
          : nothing
      }
      ${
        status.diskBackupAt !== undefined
          ? html`<div class="row">
              <span class="muted" data-testid="backup-disk-at" title=${status.diskBackupFolder ?? ''}
                >Automatic backup on this computer${status.diskBackupFolder ? ` (${status.diskBackupFolder})` : ''}:
                ${new Date(status.diskBackupAt).toLocaleString()}</span
              >
              <button data-testid="backup-restore-disk" @click=${() => void this.restoreAuto('computer')}>
                Restore from the computer's backup folder
              </button>
            </div>`
          : nothing
      }`;
  }

  override render() {
    return html`<h2>Storage</h2>
      ${this.renderStorage()}
      <h2>Backup</h2>
      <p class="muted">
        Conversations, settings, site and folder answers and paired phones, in one file. The API key and the
        phone link's private key are left out unless you tick the box: anyone with the file could use them.
      </p>
      <div class="row">
        <button data-testid="backup-export" @click=${() => void this.export()}>Export a backup</button>
        <label
          ><input
            type="checkbox"
            data-testid="backup-include-key"
            .checked=${this.includeKey}
            @change=${(e: Event) => (this.includeKey = (e.target as HTMLInputElement).checked)}
          />
          Include the API key and the phone link key</label
        >
      </div>
      <div class="row">
        <label
          >Restore from a file:
          <input type="file" accept="application/json,.json" data-testid="backup-import" @change=${this.import} />
        </label>
      </div>
      ${this.result ? html`<p role="status" data-testid="backup-result">${this.result}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-backup-view': TandemBackupView;
  }
}

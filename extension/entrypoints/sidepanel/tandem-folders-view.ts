/**
 * `<tandem-folders-view>`: which folders on this computer the agent may use, and
 * the state of the file bridge (the native host) with the one command that
 * installs it. Only the extension's own pages can send these commands; the host
 * keeps the folder list itself and checks every path against it.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { BridgeStatus, FolderList } from '../../../shared/protocol/files';
import type { AllowedRoot, RootMode } from '../../../shared/protocol/native-host';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

const STATE_TEXT: Record<BridgeStatus['state'], string> = {
  unknown: 'Checking…',
  not_installed: 'Not installed',
  connected: 'Connected',
  error: 'Error',
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

@customElement('tandem-folders-view')
export class TandemFoldersView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      section {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
        margin-bottom: var(--tandem-space-4);
      }
      h2,
      p {
        margin: 0;
      }
      .bridge {
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        background: var(--tandem-surface);
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
      }
      .bridge[data-state='connected'] {
        background: var(--tandem-success-soft);
      }
      .bridge[data-state='not_installed'] {
        background: var(--tandem-warning-soft);
      }
      .bridge[data-state='error'] {
        background: var(--tandem-danger-soft);
      }
      .state {
        font-weight: 600;
      }
      .row {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
        flex-wrap: wrap;
      }
      code {
        font-family: var(--tandem-font-mono);
        background: var(--tandem-code-bg);
        padding: 2px 6px;
        border-radius: var(--tandem-radius);
        user-select: all;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
        padding: var(--tandem-space-2) 0;
        border-bottom: 1px solid var(--tandem-border);
      }
      .name {
        font-weight: 600;
      }
      .path {
        font-family: var(--tandem-font-mono);
        font-size: var(--tandem-font-size-small);
        word-break: break-all;
      }
      .confirm {
        padding: var(--tandem-space-2);
        border-radius: var(--tandem-radius);
        background: var(--tandem-danger-soft);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
      }
      input[type='text'] {
        width: 100%;
      }
      select {
        min-height: 30px;
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
        background: var(--tandem-bg);
      }
      label.check {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: center;
      }
      .error {
        color: var(--tandem-danger);
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;

  @state() private bridge: BridgeStatus | undefined;
  @state() private list: FolderList | undefined;
  @state() private error: string | undefined;
  @state() private busy = false;
  @state() private copied = false;
  @state() private removing: string | undefined;
  @state() private draftPath = '';
  @state() private draftMode: RootMode = 'read';
  @state() private draftAutoApprove = false;

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'bridge') this.bridge = message.status;
        if (message.type === 'folders') this.list = { folders: message.folders, unavailable: message.unavailable };
      },
      refresh: () => this.refresh(),
    });
  }

  private refresh(): void {
    const client = this.client;
    if (!client) return;
    void client.send({ type: 'bridge.status' }).catch(() => {});
    void client.send({ type: 'folders.list' }).catch(() => {});
  }

  private async run(work: (client: ConversationClient) => Promise<unknown>): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    this.busy = true;
    this.error = undefined;
    try {
      await work(client);
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async retry(): Promise<void> {
    await this.run(async (client) => {
      await client.send({ type: 'bridge.status', retry: true });
      if (this.bridge?.state === 'connected') await client.send({ type: 'folders.list' });
    });
  }

  private async copyInstallCommand(): Promise<void> {
    const command = this.bridge?.installCommand;
    if (!command) return;
    try {
      await navigator.clipboard.writeText(command);
      this.copied = true;
      setTimeout(() => {
        this.copied = false;
      }, 2_000);
    } catch {
      // No clipboard access here: the command is selectable (user-select: all).
      this.error = 'Could not copy: select the command and copy it by hand.';
    }
  }

  private async add(event: Event): Promise<void> {
    event.preventDefault();
    const path = this.draftPath.trim();
    if (!path.startsWith('/')) {
      this.error = 'Give the full path of the folder, starting with "/" (for example /home/you/Documents).';
      return;
    }
    const ok = await this.run((client) =>
      client.send({
        type: 'folders.add',
        path,
        mode: this.draftMode,
        autoApproveWrites: this.draftMode === 'read-write' && this.draftAutoApprove,
      }),
    );
    // Keep whatever was typed meanwhile.
    if (ok && this.draftPath.trim() === path) {
      this.draftPath = '';
      this.draftAutoApprove = false;
    }
  }

  private changeFolder(root: AllowedRoot, patch: { mode?: RootMode; autoApproveWrites?: boolean }): void {
    void this.run((client) => client.send({ type: 'folders.update', name: root.name, ...patch }));
  }

  private async removeFolder(root: AllowedRoot): Promise<void> {
    if (await this.run((client) => client.send({ type: 'folders.remove', name: root.name }))) this.removing = undefined;
  }

  private renderBridge() {
    const bridge = this.bridge;
    if (!bridge) return html`<div class="bridge" data-testid="bridge-state" data-state="unknown">Checking…</div>`;
    return html`<div class="bridge" data-testid="bridge-state" data-state=${bridge.state} role="status">
      <div class="row">
        <span class="state">File bridge: ${STATE_TEXT[bridge.state]}</span>
        ${bridge.state === 'connected' && bridge.hostVersion ? html`<span class="muted">host ${bridge.hostVersion}</span>` : nothing}
      </div>
      ${
        bridge.state === 'not_installed'
          ? html`<p>
                Tandem reaches your files through a small helper program on this computer. Install it once: in your
                Tandem folder, run
              </p>
              <div class="row">
                <code data-testid="install-command">${bridge.installCommand}</code>
                <button type="button" data-testid="copy-install-command" @click=${this.copyInstallCommand}>
                  ${this.copied ? 'Copied' : 'Copy'}
                </button>
              </div>
              <p class="muted">Then press "Check again". (Linux and macOS.)</p>`
          : nothing
      }
      ${
        bridge.state === 'error' && bridge.message
          ? html`<p data-testid="bridge-message">${bridge.message}</p>`
          : nothing
      }
      ${
        bridge.state !== 'connected'
          ? html`<div class="row">
            <button type="button" data-testid="bridge-retry" ?disabled=${this.busy} @click=${this.retry}>Check again</button>
          </div>`
          : nothing
      }
    </div>`;
  }

  private renderFolder(root: AllowedRoot) {
    const confirming = this.removing === root.name;
    return html`<li data-testid="folder-item" data-name=${root.name}>
      <div class="row">
        <span class="name">${root.name}</span>
        <span class="path" data-testid="folder-path-text">${root.path}</span>
      </div>
      <div class="row">
        <label>
          <span class="visually-hidden">Access to ${root.name}</span>
          <select
            data-testid="folder-mode"
            ?disabled=${this.busy}
            .value=${root.mode}
            @change=${(e: Event) =>
              this.changeFolder(root, {
                mode: (e.target as HTMLSelectElement).value === 'read-write' ? 'read-write' : 'read',
              })}
          >
            <option value="read">Read only</option>
            <option value="read-write">Read and change</option>
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            data-testid="folder-auto-approve"
            ?disabled=${this.busy || root.mode !== 'read-write'}
            .checked=${root.autoApproveWrites}
            @change=${(e: Event) => this.changeFolder(root, { autoApproveWrites: (e.target as HTMLInputElement).checked })}
          />
          Change files without asking
        </label>
        <button
          type="button"
          class="quiet"
          data-testid="folder-remove"
          ?disabled=${this.busy}
          @click=${() => {
            this.removing = root.name;
          }}
        >
          Remove
        </button>
      </div>
      ${
        confirming
          ? html`<div class="confirm row" data-testid="folder-remove-confirm">
            <span>Stop allowing ${root.name}? Its files stay where they are.</span>
            <button type="button" class="danger" data-testid="folder-remove-yes" @click=${() => this.removeFolder(root)}>
              Remove
            </button>
            <button
              type="button"
              class="quiet"
              @click=${() => {
                this.removing = undefined;
              }}
            >
              Cancel
            </button>
          </div>`
          : nothing
      }
    </li>`;
  }

  override render() {
    const list = this.list;
    const connected = this.bridge?.state === 'connected';
    return html`
      <section>
        <h2>Folders</h2>
        <p class="muted">
          The agent can read the files in these folders without asking, and nothing outside them. In a folder you let it
          change, each change asks you first (unless you turn that off for the folder); deleting always asks, and deleted
          files go to Tandem's trash, where you can restore them. Only you can add folders, here.
        </p>
        ${this.renderBridge()}
      </section>
      <section>
        ${
          list === undefined
            ? html`<p class="muted" data-testid="folders-loading">${connected ? 'Loading folders…' : 'No folder list until the file bridge works.'}</p>`
            : list.folders.length === 0
              ? html`<p data-testid="folders-empty">No folder is allowed yet.</p>`
              : html`<ul data-testid="folder-list">${list.folders.map((root) => this.renderFolder(root))}</ul>`
        }
        ${
          list && list.unavailable.length > 0
            ? html`<ul data-testid="folders-unavailable">
              ${list.unavailable.map(
                (u) =>
                  html`<li><span class="name">${u.name}</span><span class="path">${u.path}</span><span class="error">${u.reason}</span></li>`,
              )}
            </ul>`
            : nothing
        }
      </section>
      <section>
        <h2>Allow a folder</h2>
        <form @submit=${this.add} data-testid="folder-add-form">
          <label>
            <span class="visually-hidden">Folder path</span>
            <input
              type="text"
              spellcheck="false"
              placeholder="/home/you/Documents/project"
              data-testid="folder-path"
              .value=${this.draftPath}
              @input=${(e: Event) => {
                this.draftPath = (e.target as HTMLInputElement).value;
              }}
            />
          </label>
          <div class="row">
            <select
              data-testid="folder-new-mode"
              aria-label="Access to the new folder"
              .value=${this.draftMode}
              @change=${(e: Event) => {
                this.draftMode = (e.target as HTMLSelectElement).value === 'read-write' ? 'read-write' : 'read';
              }}
            >
              <option value="read">Read only</option>
              <option value="read-write">Read and change</option>
            </select>
            <label class="check">
              <input
                type="checkbox"
                data-testid="folder-new-auto-approve"
                ?disabled=${this.draftMode !== 'read-write'}
                .checked=${this.draftAutoApprove}
                @change=${(e: Event) => {
                  this.draftAutoApprove = (e.target as HTMLInputElement).checked;
                }}
              />
              Change files without asking
            </label>
            <button type="submit" class="primary" data-testid="folder-add" ?disabled=${this.busy || !this.draftPath.trim()}>
              Allow
            </button>
          </div>
        </form>
        ${this.error ? html`<p class="error" role="alert" data-testid="folders-error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-folders-view': TandemFoldersView;
  }
}

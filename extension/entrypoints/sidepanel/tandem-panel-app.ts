/**
 * `<tandem-panel-app>`: the side panel: threads and the open conversation side by
 * side, or one at a time with a back button when the panel is narrow (it usually
 * is), plus settings. Everything it shows comes from the `ConversationClient`.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { TransportState } from '../../../shared/client/transport';
import type { RevealTarget } from '../../../shared/conversation/hit-target';
import { controlStyles } from '../../../shared/ui/control-styles';
import type { TandemEventMap } from '../../../shared/ui/events';
import { backIcon, gearIcon } from '../../../shared/ui/icons';
import { modelSource, modelSourceLabel } from '../../../shared/ui/model-source';
import type { TandemConversation } from '../../../shared/ui/tandem-conversation';
import { tokens } from '../../../shared/ui/tokens';
import '../../../shared/ui/tandem-connection-state';
import '../../../shared/ui/tandem-conversation';
import { captureCurrentTab } from './tab-screenshot';
import '../../../shared/ui/tandem-schedules-view';
import '../../../shared/ui/tandem-thread-list';
import { EXTRA_SECTIONS } from './settings-sections';
import './tandem-settings-view';

type View = 'list' | 'thread' | 'settings' | 'schedules';

@customElement('tandem-panel-app')
export class TandemPanelApp extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      /* Wraps rather than scrolls: in a side panel every section stays in sight (no cut-off "Phone"). */
      div.sections {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
        padding: 6px 12px;
        border-bottom: 1px solid var(--tandem-border);
        flex: none;
      }
      main.settings {
        flex: 1;
        min-height: 0;
        display: flex;
        flex-direction: column;
      }
      div.sections button[aria-selected='true'] {
        background: var(--tandem-accent-soft);
        color: var(--tandem-text);
        font-weight: 600;
      }
      .section-body {
        flex: 1;
        min-height: 0;
        padding: 12px;
        overflow: auto;
      }
      :host {
        display: flex;
        flex-direction: column;
        height: 100vh;
        height: 100dvh;
        overflow: hidden;
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size);
        color: var(--tandem-text);
        background: var(--tandem-bg);
      }
      header {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-2);
        min-height: 44px;
        padding: 0 var(--tandem-space-2) 0 var(--tandem-space-3);
        border-bottom: 1px solid var(--tandem-border);
        flex: none;
      }
      h1 {
        flex: 1;
        min-width: 0;
        margin: 0;
        font-size: 14px;
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .model-badge {
        flex: none;
        padding: 1px var(--tandem-space-2);
        border-radius: 999px;
        background: var(--tandem-warning-soft);
        color: var(--tandem-warning);
        font-size: var(--tandem-font-size-small);
        font-weight: 600;
        white-space: nowrap;
      }
      .storage-warning {
        margin: var(--tandem-space-2) var(--tandem-space-3) 0;
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        background: var(--tandem-warning-soft);
        flex: none;
      }
      .first-run {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-3);
        margin: var(--tandem-space-2) var(--tandem-space-3) 0;
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        background: var(--tandem-accent-soft);
        flex: none;
      }
      .first-run p {
        flex: 1;
        margin: 0;
      }
      main {
        flex: 1;
        min-height: 0;
        display: flex;
      }
      .list-pane {
        display: flex;
        flex-direction: column;
        min-height: 0;
        min-width: 0;
        flex: 1;
      }
      tandem-thread-list {
        flex: 1;
        min-width: 0;
      }
      tandem-conversation {
        flex: 1;
        min-width: 0;
      }
      tandem-settings-view {
        flex: 1;
      }
      [hidden] {
        display: none !important;
      }
      /* Narrow (the usual side panel): one pane at a time. */
      main[data-view='list'] tandem-conversation,
      main[data-view='thread'] .list-pane {
        display: none;
      }
      /* Wide: the list beside the conversation. */
      @media (min-width: 600px) {
        .back:not(.always) {
          display: none;
        }
        .list-pane {
          flex: 0 0 260px;
          border-right: 1px solid var(--tandem-border);
        }
        main[data-view='list'] tandem-conversation,
        main[data-view='thread'] .list-pane {
          display: flex;
        }
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;

  @state() private view: View = 'list';
  @state() private selectedId: string | undefined;
  @state() private settingsSection = 'general';
  /** A message's "Save as shortcut": the Schedules view opens with it in the shortcut form. */
  @state() private shortcutDraft: { text: string } | undefined;
  /** The view to go back to from settings. */
  private beforeSettings: View = 'list';
  /** Whether the selected thread has appeared in the list (so its absence means it was deleted). */
  private selectedSeen = false;
  private everOpen = false;
  private lastConnection: TransportState | undefined;
  private unlisten: (() => void) | undefined;
  private attachedTo: ConversationClient | undefined;
  private frame: number | undefined;

  @query('tandem-conversation') private conversation!: TandemConversation | null;
  /** The message a search result opened (see tandem-message-hits.ts). */
  @state() private reveal: RevealTarget | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.attach();
    this.addEventListener('keydown', this.onKeyDown);
  }

  /**
   * Escape, when nothing inside took it (a rename, a confirm step): leaves Settings, or stops
   * the open thread's run, as chat apps do.
   */
  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing) return;
    if (this.view === 'settings') {
      event.preventDefault();
      this.back();
      return;
    }
    if (this.conversation?.stopRun()) event.preventDefault();
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unlisten?.();
    this.unlisten = undefined;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client') && this.isConnected) this.attach();
    this.followThreadList();
  }

  private attach(): void {
    const client = this.client;
    if (client === this.attachedTo && this.unlisten) return;
    this.unlisten?.();
    this.unlisten = undefined;
    this.attachedTo = client;
    if (!client) return;
    this.lastConnection = client.connection;
    this.everOpen = client.connection === 'open';
    void client.send({ type: 'settings.get' }).catch(() => {});
    this.unlisten = client.onChange(() => this.onClientChange(client));
  }

  private onClientChange(client: ConversationClient): void {
    if (client.connection !== this.lastConnection) {
      // The runtime may have restarted with other settings: ask again on every reconnect.
      if (client.connection === 'open' && this.everOpen) void client.send({ type: 'settings.get' }).catch(() => {});
      if (client.connection === 'open') this.everOpen = true;
      this.lastConnection = client.connection;
    }
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.requestUpdate();
    });
  }

  /** A thread deleted (here or from the phone) closes. */
  private followThreadList(): void {
    const id = this.selectedId;
    if (!id || !this.client) return;
    const present = this.client.threads.some((t) => t.id === id);
    if (present) this.selectedSeen = true;
    else if (this.selectedSeen) this.select(undefined);
  }

  private connectionState(): string {
    switch (this.client?.connection) {
      case 'open':
        return 'connected';
      case 'closed':
        return 'disconnected';
      default:
        return this.everOpen ? 'reconnecting' : 'connecting';
    }
  }

  private select(threadId: string | undefined): void {
    this.selectedId = threadId;
    this.selectedSeen = false;
    this.view = threadId ? 'thread' : 'list';
  }

  private async onCreate(event: TandemEventMap['thread-create']): Promise<void> {
    event.stopPropagation();
    try {
      const threadId = await this.client?.send({ type: 'thread.create' });
      if (threadId) {
        this.select(threadId);
        await this.updateComplete;
        this.conversation?.focusComposer();
      }
    } catch {
      // Shown by the conversation's error banner (client.lastError).
    }
  }

  private async onSelect(event: TandemEventMap['thread-select']): Promise<void> {
    event.stopPropagation();
    this.select(event.detail.threadId);
    this.reveal = event.detail.reveal;
    // In a narrow panel the list (holding focus) is hidden by the switch: hand focus on, never to <body>.
    // A search result's message takes the focus itself once it is shown.
    await this.updateComplete;
    if (!this.reveal) this.conversation?.focusComposer();
  }

  private onRename(event: TandemEventMap['thread-rename']): void {
    event.stopPropagation();
    const { threadId, title } = event.detail;
    void this.client?.send({ type: 'thread.rename', threadId, title }).catch(() => {});
  }

  private onArchive(event: TandemEventMap['thread-archive']): void {
    event.stopPropagation();
    const { threadId, archived } = event.detail;
    void this.client?.send({ type: 'thread.archive', threadId, archived }).catch(() => {});
  }

  private onDelete(event: TandemEventMap['thread-delete']): void {
    event.stopPropagation();
    const { threadId } = event.detail;
    if (threadId === this.selectedId) this.select(undefined);
    void this.client?.send({ type: 'thread.delete', threadId }).catch(() => {});
  }

  private openSettings(event?: Event): void {
    if (this.view !== 'settings') this.beforeSettings = this.view;
    this.view = 'settings';
    const section = event instanceof CustomEvent ? (event.detail as { section?: string } | null)?.section : undefined;
    if (section) this.settingsSection = section;
  }

  /** Roving focus over the settings tabs (WAI-ARIA tabs pattern, automatic activation). */
  private onTabKeyDown(event: KeyboardEvent, ids: string[]): void {
    const index = ids.indexOf(this.settingsSection);
    const last = ids.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: index === last ? 0 : index + 1,
      ArrowDown: index === last ? 0 : index + 1,
      ArrowLeft: index <= 0 ? last : index - 1,
      ArrowUp: index <= 0 ? last : index - 1,
      Home: 0,
      End: last,
    };
    const next = moves[event.key];
    const id = next === undefined ? undefined : ids[next];
    if (id === undefined) return;
    event.preventDefault();
    this.settingsSection = id;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`[data-testid="settings-section-${id}"]`)?.focus(),
    );
  }

  private openSchedules(): void {
    if (this.view !== 'settings' && this.view !== 'schedules') this.beforeSettings = this.view;
    this.view = 'schedules';
  }

  private back(): void {
    this.view = this.view === 'settings' || this.view === 'schedules' ? this.beforeSettings : 'list';
  }

  private renderSettings(client: ConversationClient, connected: boolean) {
    const section = EXTRA_SECTIONS.find((s) => s.id === this.settingsSection);
    const all = [{ id: 'general', label: 'General' }, ...EXTRA_SECTIONS];
    const ids = all.map((s) => s.id);
    return html`<main class="settings" @open-settings=${this.openSettings}>
      <div class="sections" role="tablist" aria-label="Settings sections">
        ${all.map(
          (s) => html`<button
            role="tab"
            class="quiet"
            id=${`tab-${s.id}`}
            aria-controls="settings-panel"
            tabindex=${s.id === this.settingsSection ? 0 : -1}
            aria-selected=${s.id === this.settingsSection ? 'true' : 'false'}
            data-testid=${`settings-section-${s.id}`}
            @click=${() => {
              this.settingsSection = s.id;
            }}
            @keydown=${(e: KeyboardEvent) => this.onTabKeyDown(e, ids)}
          >
            ${s.label}
          </button>`,
        )}
      </div>
      <div class="section-body" role="tabpanel" id="settings-panel" aria-labelledby=${`tab-${this.settingsSection}`}>
        ${
          section
            ? section.render(client)
            : html`<tandem-settings-view
              .client=${client}
              .settings=${client.settings}
              .keyCheck=${client.keyCheck}
              .connected=${connected}
            ></tandem-settings-view>`
        }
      </div>
    </main>`;
  }

  /** "Demo model" (or the proxy's host) whenever the answers do not come from Anthropic's API. */
  private renderModelBadge() {
    const baseUrl = this.client?.settings?.baseUrl;
    const label = baseUrl ? modelSourceLabel(modelSource(baseUrl)) : undefined;
    if (!label || !baseUrl) return nothing;
    return html`<span class="model-badge" data-testid="model-badge" title=${`Answers come from ${baseUrl}, not Claude`}
      >${label}</span
    >`;
  }

  override render() {
    const client = this.client;
    if (!client) return nothing;
    const connected = client.connection === 'open';
    const selected = client.threads.find((t) => t.id === this.selectedId);
    const settings = client.settings;
    const inSettings = this.view === 'settings';
    const inSchedules = this.view === 'schedules';
    // The browser already heads the side panel "Tandem": the list view says what it shows instead.
    const title = inSettings
      ? 'Settings'
      : inSchedules
        ? 'Schedules'
        : this.view === 'thread' && selected
          ? selected.title
          : 'Conversations';
    return html`
      <header>
        ${
          this.view !== 'list'
            ? html`<button
              class="quiet icon back ${inSettings ? 'always' : ''}"
              aria-label="Back"
              data-testid="back"
              @click=${this.back}
            >
              ${backIcon}
            </button>`
            : nothing
        }
        <h1 data-testid="panel-title" title=${title}>${title}</h1>
        ${this.renderModelBadge()}
        <tandem-connection-state .state=${this.connectionState()} quietWhenConnected></tandem-connection-state>
        <button
          class="quiet"
          aria-pressed=${inSchedules ? 'true' : 'false'}
          data-testid="open-schedules"
          @click=${() => {
            this.shortcutDraft = undefined;
            if (inSchedules) this.back();
            else this.openSchedules();
          }}
        >
          Schedules
        </button>
        <button
          class="quiet icon"
          aria-label="Settings"
          title="Settings"
          aria-pressed=${inSettings ? 'true' : 'false'}
          data-testid="open-settings"
          @click=${() => (inSettings ? this.back() : this.openSettings())}
        >
          ${gearIcon}
        </button>
      </header>
      ${
        client.storageStatus && client.storageStatus.state !== 'ok'
          ? html`<section class="storage-warning" role="alert" aria-label="Storage" data-testid="storage-warning" data-state=${client.storageStatus.state}>
            ${client.storageStatus.message}
            ${
              client.storageStatus.state === 'lost' && client.storageStatus.autoBackupAt !== undefined
                ? html`<button
                  data-testid="storage-warning-restore"
                  @click=${() => void client.send({ type: 'backup.restoreAuto' }).catch(() => {})}
                >
                  Restore the automatic backup
                </button>`
                : nothing
            }
            <button
              class="quiet"
              data-testid="storage-warning-open"
              @click=${() => {
                this.openSettings();
                this.settingsSection = 'backup';
              }}
            >
              Backup &amp; storage
            </button>
          </section>`
          : nothing
      }
      ${
        settings && !settings.apiKeySet && !inSettings
          ? html`<section class="first-run" aria-label="Getting started" data-testid="first-run">
            <p>Add your Anthropic API key to start.</p>
            <button class="primary" data-testid="first-run-open-settings" @click=${this.openSettings}>Open settings</button>
          </section>`
          : nothing
      }
      <main data-view=${this.view} ?hidden=${inSettings || inSchedules} @open-settings=${this.openSettings}>
        <div class="list-pane">
          <tandem-thread-list
            .client=${client}
            .threads=${client.threads}
            .selectedId=${this.selectedId}
            .disabled=${!connected}
            @thread-select=${this.onSelect}
            @thread-create=${this.onCreate}
            @thread-rename=${this.onRename}
            @thread-archive=${this.onArchive}
            @thread-delete=${this.onDelete}
          ></tandem-thread-list>
        </div>
        <tandem-conversation
          .client=${client}
          .threadId=${this.selectedId}
          .captureTab=${captureCurrentTab}
          .reveal=${this.reveal}
          selfKind="panel"
          @message-save-shortcut=${(e: TandemEventMap['message-save-shortcut']) => {
            this.shortcutDraft = { text: e.detail.text };
            this.openSchedules();
          }}
          @thread-created=${(e: TandemEventMap['thread-created']) => this.select(e.detail.threadId)}
        ></tandem-conversation>
      </main>
      ${inSettings ? this.renderSettings(client, connected) : nothing}
      ${
        inSchedules
          ? html`<tandem-schedules-view
            .client=${client}
            .threadId=${this.selectedId}
            .shortcutDraft=${this.shortcutDraft}
          ></tandem-schedules-view>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-panel-app': TandemPanelApp;
  }
}

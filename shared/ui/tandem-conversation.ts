/**
 * `<tandem-conversation>`: one thread as both clients show it: the thread view, the
 * composer, the thread's usage, "retrying in N s" and command errors. Given a
 * `ConversationClient` and a thread id, it subscribes to the thread, re-renders
 * (at most once per animation frame) when the client changes, and turns the
 * components' events into commands.
 *
 * With no thread selected, sending a message creates a thread first and fires
 * `thread-created` so the page can select it.
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { CommandError, ConversationClient } from '../client/conversation-client';
import { type BranchView, branchView, choicesToShow } from '../conversation/branches';
import type { RevealTarget } from '../conversation/hit-target';
import type { ThreadView } from '../conversation/thread-view';
import type { Attachment } from '../protocol/attachments';
import type { ClientKind } from '../protocol/events';
import type { Shortcut } from '../protocol/schedules';
import { controlStyles } from './control-styles';
import { emit, type TandemEventMap } from './events';
import type { TandemComposer } from './tandem-composer';
import type { TandemThreadView } from './tandem-thread-view';
import { tokens } from './tokens';
import './tandem-acting-tab';
import './tandem-composer';
import { loadDraft, saveDraft } from './draft-store';
import { exportFileName, threadToJson, threadToMarkdown } from './thread-export';
import './tandem-notice';
import './tandem-thread-view';
import './tandem-usage-line';
import type { RuntimeMessageOf } from '../protocol/messages';
import './tandem-model-picker';

const ACTIVE_STATUSES = new Set(['running', 'waiting', 'retrying']);
const TITLE_CHARS = 60;

@customElement('tandem-conversation')
export class TandemConversation extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size);
        color: var(--tandem-text);
        background: var(--tandem-bg);
      }
      tandem-thread-view {
        flex: 1;
        min-height: 0;
      }
      .bottom {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
        padding: var(--tandem-space-2) var(--tandem-space-3) var(--tandem-space-3);
        border-top: 1px solid var(--tandem-border);
      }
      .status-row {
        display: flex;
        align-items: center;
        gap: var(--tandem-space-3);
        min-height: 16px;
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      .status-row {
        flex-wrap: wrap;
      }
      .exports {
        display: inline-flex;
        gap: 2px;
      }
      .exports button {
        min-height: var(--tandem-tap-compact);
        padding: 0 var(--tandem-space-2);
        color: var(--tandem-text-muted);
      }
      .status-row tandem-usage-line {
        margin-left: auto;
      }
      .retry {
        color: var(--tandem-warning);
      }
      .paused {
        color: var(--tandem-danger, var(--tandem-warning));
      }
      .start {
        flex: 1;
        display: grid;
        place-items: center;
        padding: var(--tandem-space-4);
        text-align: center;
        color: var(--tandem-text-muted);
      }
      .start strong {
        display: block;
        margin-bottom: var(--tandem-space-1);
        color: var(--tandem-text);
        font-size: 15px;
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @property() threadId: string | undefined;
  /** Which client this is; messages and answers from the other one say where they came from. */
  @property() selfKind: ClientKind = 'panel';
  /** The client keeps unsent commands durably (the phone's outbox): let the user write while offline. */
  @property({ type: Boolean }) sendWhileOffline = false;
  /** The panel's "screenshot of the current tab" (composer); the phone never sets it. */
  @property({ attribute: false }) captureTab: (() => Promise<Attachment>) | undefined;
  /** A message to scroll to and mark (a search result); older history is loaded back to it. */
  @property({ attribute: false }) reveal: RevealTarget | undefined;
  private revealed: RevealTarget | undefined;
  /** The reveal whose earlier version was chosen to show it (done once, so it cannot loop). */
  private versionChosenFor: RevealTarget | undefined;

  /** Decisions answered here and not yet resolved: decisionId → optionId. */
  @state() private answering = new Map<string, string>();
  /** The model picker's list (models.list), asked for once per client. */
  @state() private models: RuntimeMessageOf<'models'> | undefined;
  /** Saved shortcuts, for the composer's "/" menu (the runtime broadcasts every change). */
  @state() private shortcuts: Shortcut[] = [];
  /** The last command error the person closed (or that predates this view). */
  private dismissedError: CommandError | undefined;
  private drafts = new Map<string, string>();
  private itemsCache:
    | { threadId: string; revision: number; queueKey: string; choices: ReadonlyMap<string, string>; branch: BranchView }
    | undefined;
  /** Versions chosen with "‹ 1/2 ›", per thread: sibling group → user item key (view state only). */
  @state() private branchChoices = new Map<string, ReadonlyMap<string, string>>();
  /** "Edit" was pressed: the next send replaces this message (a new branch) instead of adding one. */
  @state() private editing: { threadId: string; seq: number } | undefined;
  private unlisten: (() => void) | undefined;
  private frame: number | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;

  @query('tandem-composer') private composer!: TandemComposer | null;
  private draftRestored = false;
  @query('tandem-thread-view') private threadView!: TandemThreadView | null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.listen();
    if (this.client && this.threadId) this.client.subscribe(this.threadId);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unlisten?.();
    this.unlisten = undefined;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.stopTicker();
    if (this.client && this.threadId) this.client.unsubscribe(this.threadId);
  }

  /** Focus the message box (after opening a thread). */
  focusComposer(): void {
    this.composer?.focus();
  }

  /** Stops the open thread's run (Escape); false when nothing was running to stop. */
  stopRun(): boolean {
    const { client, threadId } = this;
    if (!client || !threadId || !this.isRunning(client, threadId)) return false;
    void client.send({ type: 'task.stop', threadId }).catch(() => {});
    return true;
  }

  private isRunning(client: ConversationClient, threadId: string): boolean {
    const summary = client.threads.find((t) => t.id === threadId);
    const status = client.activity.get(threadId)?.status || summary?.status;
    return Boolean(client.view(threadId)?.running || (status && ACTIVE_STATUSES.has(status)));
  }

  private listen(): void {
    this.unlisten?.();
    const client = this.client;
    const offChange = client?.onChange(() => {
      if (this.frame !== undefined) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = undefined;
        this.requestUpdate();
      });
    });
    const offMessage = client?.onMessage((message) => {
      if (message.type === 'shortcuts') this.shortcuts = message.shortcuts;
      if (message.type === 'models') this.models = message;
    });
    void client?.send({ type: 'models.list' }).catch(() => {});
    // Queued until the link is open; an older runtime without shortcuts just answers with an error.
    void client?.send({ type: 'shortcuts.list' }).catch(() => {});
    this.unlisten = () => {
      offChange?.();
      offMessage?.();
    };
    this.dismissedError = this.client?.lastError;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client')) {
      const previous = changed.get('client');
      if (previous && this.threadId) previous.unsubscribe(this.threadId);
      if (this.isConnected) this.listen();
    }
    if (changed.has('threadId')) {
      const previous = changed.get('threadId');
      if (this.hasUpdated) this.drafts.set(previous ?? '', this.composer?.value ?? '');
      if (previous && this.client) this.client.unsubscribe(previous);
      if (this.threadId && this.client && this.isConnected) this.client.subscribe(this.threadId);
      this.answering = new Map();
    }
    const view = this.currentView();
    if (view && this.answering.size > 0) {
      const pending = new Set(view.pendingDecisionIds);
      const stillWaiting = [...this.answering].filter(([decisionId]) => pending.has(decisionId));
      if (stillWaiting.length !== this.answering.size) this.answering = new Map(stillWaiting);
    }
    this.updateTicker();
  }

  /** Brings `reveal` into view once its thread's events are loaded back far enough. */
  private applyReveal(): void {
    const { reveal, client } = this;
    if (!reveal || reveal === this.revealed || !client || reveal.threadId !== this.threadId) return;
    const view = client.view(reveal.threadId);
    const first = client.events(reveal.threadId)[0];
    if (!view || !first) return; // the subscription's first page has not come yet
    const onShownBranch = this.branch(reveal.threadId, view).items.some((item) => item.key === reveal.itemKey);
    const needed = onShownBranch ? undefined : choicesToShow(view.items, reveal.itemKey);
    if (needed && needed.size > 0 && this.versionChosenFor !== reveal) {
      // The hit is in an earlier version: show that version first (once); the next update reveals it.
      this.versionChosenFor = reveal;
      const shown = this.branchChoices.get(reveal.threadId) ?? NO_CHOICES;
      this.branchChoices = new Map(this.branchChoices).set(reveal.threadId, new Map([...shown, ...needed]));
      return;
    }
    if (this.threadView?.reveal(reveal.itemKey)) {
      this.revealed = reveal;
    } else if (first.seq > reveal.seq && client.hasOlder(reveal.threadId)) {
      client.loadOlder(reveal.threadId); // once per page: the client ignores repeats while one is coming
    } else {
      this.revealed = reveal; // not in this thread's view (a discarded turn): nothing to show
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.applyReveal();
    if ((changed.has('threadId') || !this.draftRestored) && this.composer) {
      this.draftRestored = true;
      this.composer.value = this.drafts.get(this.threadId ?? '') ?? loadDraft(this.threadId);
    }
  }

  private currentView(): ThreadView | undefined {
    return this.threadId ? this.client?.view(this.threadId) : undefined;
  }

  /** The branch shown, a fresh array per view revision or choice: the virtualizer notices changes by identity. */
  private branch(threadId: string, view: ThreadView): BranchView {
    const client = this.client;
    const revision = client?.viewRevision(threadId) ?? -1;
    const choices = this.branchChoices.get(threadId) ?? NO_CHOICES;
    const queued = client?.queuedMessages(threadId) ?? [];
    const queuedAs: 'sending' | 'waiting' = client?.connection === 'open' ? 'sending' : 'waiting';
    const queueKey = `${queuedAs}:${queued.map((m) => m.commandId).join(',')}`;
    const cached = this.itemsCache;
    if (
      cached &&
      cached.threadId === threadId &&
      cached.revision === revision &&
      cached.choices === choices &&
      cached.queueKey === queueKey
    )
      return cached.branch;
    const shown = branchView(view.items, choices);
    // Messages not in the log yet continue the newest branch, after everything it holds.
    const lastSeq = view.items.at(-1)?.seq ?? 0;
    const branch: BranchView = shown.latest
      ? {
          ...shown,
          items: [
            ...shown.items,
            ...queued.map((message, i) => ({
              kind: 'user' as const,
              key: `q${message.commandId}`,
              seq: lastSeq + (i + 1) / (queued.length + 1),
              at: Date.now(),
              text: message.text,
              ...(message.attachments ? { attachments: message.attachments } : {}),
              by: this.selfKind,
              queued: queuedAs,
            })),
          ],
        }
      : shown;
    this.itemsCache = { threadId, revision, queueKey, choices, branch };
    return branch;
  }

  private onBranchSelect(event: TandemEventMap['branch-select']): void {
    event.stopPropagation();
    const threadId = this.threadId;
    if (!threadId) return;
    const choices = new Map(this.branchChoices.get(threadId) ?? NO_CHOICES);
    choices.set(event.detail.group, event.detail.key);
    this.branchChoices = new Map(this.branchChoices).set(threadId, choices);
  }

  /** After an edit or a regenerate the newest branch is the one to see. */
  private showNewestBranch(threadId: string): void {
    if (!this.branchChoices.has(threadId)) return;
    const next = new Map(this.branchChoices);
    next.delete(threadId);
    this.branchChoices = next;
  }

  /** Sends the edited words as a new branch replacing message `seq`. */
  private async sendEdit(
    client: ConversationClient,
    threadId: string,
    seq: number,
    text: string,
    attachments: Attachment[] = [],
  ): Promise<void> {
    this.showNewestBranch(threadId);
    this.threadView?.scrollToLatest();
    await client.send({
      type: 'message.edit',
      threadId,
      replaces: seq,
      text,
      ...(attachments.length ? { attachments } : {}),
    });
  }

  /** When the runtime will retry this thread's model call, while that is in the future. */
  private retryAt(): number | undefined {
    const retryAt = this.threadId ? this.client?.activity.get(this.threadId)?.retryAt : undefined;
    return retryAt !== undefined && retryAt > Date.now() ? retryAt : undefined;
  }

  /** Re-renders a few times a second while "retrying in N s" counts down. */
  private updateTicker(): void {
    if (this.retryAt() === undefined) {
      this.stopTicker();
    } else if (this.ticker === undefined) {
      this.ticker = setInterval(() => this.requestUpdate(), 250);
    }
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private async onSend(event: TandemEventMap['send']): Promise<void> {
    event.stopPropagation();
    const client = this.client;
    if (!client) return;
    const { text, attachments = [] } = event.detail;
    const startedIn = this.threadId;
    this.threadView?.scrollToLatest();
    let threadId = startedIn;
    const editing = this.editing && this.editing.threadId === startedIn ? this.editing : undefined;
    this.editing = undefined;
    try {
      if (editing && startedIn) {
        await this.sendEdit(client, startedIn, editing.seq, text, attachments);
        saveDraft(startedIn, this.composer && this.threadId === startedIn ? this.composer.value : '');
        return;
      }
      if (!threadId) {
        threadId = await client.send({
          type: 'thread.create',
          title: titleFrom(text || attachments.map((a) => a.name).join(', ')),
        });
        if (!threadId) throw new Error('The runtime did not say which thread it created.');
        emit(this, 'thread-created', { threadId });
      }
      await client.send({ type: 'message.send', threadId, text, ...(attachments.length ? { attachments } : {}) });
      // Only now is the message the runtime's: the stored draft can go.
      saveDraft(startedIn, this.composer && this.threadId === startedIn ? this.composer.value : '');
    } catch {
      // The error itself shows in the banner (client.lastError); the words must not be lost.
      const stillHere = this.threadId === startedIn || this.threadId === threadId;
      if (stillHere && this.composer) {
        this.composer.restoreDraft(text, attachments);
        saveDraft(this.threadId, this.composer.value);
      } else if (threadId) {
        this.drafts.set(threadId, text);
        saveDraft(threadId, text);
      }
    }
  }

  /** Every keystroke is kept outside the page's memory, so closing the panel loses nothing typed. */
  private readonly onComposerInput = (): void => {
    if (this.composer) saveDraft(this.threadId, this.composer.value);
  };

  /** Saves the thread as a file (Markdown to read, JSON with every event) through a download. */
  private exportThread(format: 'md' | 'json'): void {
    const { client, threadId } = this;
    if (!client || !threadId) return;
    const title = client.threads.find((t) => t.id === threadId)?.title ?? 'Thread';
    const thread = { id: threadId, title, complete: !client.hasOlder(threadId) };
    const events = client.events(threadId);
    const text = format === 'md' ? threadToMarkdown(thread, events) : threadToJson(thread, events, Date.now());
    const url = URL.createObjectURL(
      new Blob([text], { type: format === 'md' ? 'text/markdown;charset=utf-8' : 'application/json' }),
    );
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(title, format);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** "Edit": the last message goes back into the composer; sending it replaces it as a new branch. */
  private onEditLast(event: TandemEventMap['message-edit']): void {
    event.stopPropagation();
    if (!this.composer || !this.threadId) return;
    this.editing = { threadId: this.threadId, seq: event.detail.seq };
    this.composer.value = '';
    this.composer.restoreDraft(event.detail.text, event.detail.attachments ?? []);
    saveDraft(this.threadId, event.detail.text);
    this.composer.focus();
  }

  /** "Regenerate": the same words as a new branch for a fresh answer; the earlier answer stays in the log. */
  private onResend(event: TandemEventMap['message-resend']): void {
    event.stopPropagation();
    const { client, threadId } = this;
    if (!client || !threadId) return;
    void this.sendEdit(client, threadId, event.detail.seq, event.detail.text, [
      ...(event.detail.attachments ?? []),
    ]).catch(() => {});
  }

  private onRetryPaused(): void {
    if (this.client && this.threadId)
      void this.client.send({ type: 'task.resume', threadId: this.threadId }).catch(() => {});
  }

  private onStop(event: TandemEventMap['stop']): void {
    event.stopPropagation();
    if (this.client && this.threadId)
      void this.client.send({ type: 'task.stop', threadId: this.threadId }).catch(() => {});
  }

  /** "Show tab": the runtime brings the tab its log names to the front (harmless from a phone too). */
  private onShowTab(event: TandemEventMap['show-tab']): void {
    event.stopPropagation();
    if (this.client && this.threadId)
      void this.client.send({ type: 'tab.show', threadId: this.threadId }).catch(() => {});
  }

  private onRetryNow(event: TandemEventMap['retry-now']): void {
    event.stopPropagation();
    if (this.client && this.threadId)
      void this.client.send({ type: 'task.retryNow', threadId: this.threadId }).catch(() => {});
  }

  private onDecide(event: TandemEventMap['decide']): void {
    event.stopPropagation();
    const { client, threadId } = this;
    if (!client || !threadId) return;
    const { decisionId, optionId, secret } = event.detail;
    this.answering = new Map(this.answering).set(decisionId, optionId);
    client
      .send({ type: 'decision.answer', threadId, decisionId, optionId, ...(secret ? { secret } : {}) })
      .catch(() => {
        const next = new Map(this.answering);
        next.delete(decisionId);
        this.answering = next;
      });
  }

  private onLoadOlder(event: TandemEventMap['load-older']): void {
    event.stopPropagation();
    if (this.client && this.threadId) this.client.loadOlder(this.threadId);
  }

  private renderBanner() {
    const error = this.client?.lastError;
    if (!error || error === this.dismissedError) return nothing;
    return html`<tandem-notice
      tone="error"
      dismissible
      testid="error-banner"
      .text=${error.message}
      @dismiss=${(e: Event) => {
        e.stopPropagation();
        this.dismissedError = error;
        this.requestUpdate();
      }}
    ></tandem-notice>`;
  }

  override render() {
    const client = this.client;
    if (!client) return nothing;
    const threadId = this.threadId;
    const connected = client.connection === 'open';
    const view = this.currentView();
    const summary = threadId ? client.threads.find((t) => t.id === threadId) : undefined;
    const running = threadId ? this.isRunning(client, threadId) : false;
    const retryAt = this.retryAt();
    const activity = threadId ? client.activity.get(threadId) : undefined;
    const paused = activity?.status === 'paused' ? (activity.message ?? 'Paused: storage failed.') : undefined;
    // The view only holds the events loaded so far; the summary totals the whole thread
    // but may lag a turn behind. Costs only grow, so the larger one is the newer.
    const total =
      summary && (!view || summary.costUsd >= view.costUsd)
        ? { usage: summary.usage, costUsd: summary.costUsd }
        : view
          ? { usage: view.usage, costUsd: view.costUsd }
          : undefined;
    const loading = Boolean(summary && summary.lastSeq > 0 && view && view.lastSeq === 0);
    const branch = threadId && view ? this.branch(threadId, view) : undefined;
    const editing = this.editing && this.editing.threadId === threadId ? this.editing : undefined;

    return html`
      ${
        threadId && view && branch
          ? html`<tandem-thread-view
            .items=${branch.items}
            .versions=${branch.versions}
            .hasOlder=${client.hasOlder(threadId)}
            .threadId=${threadId}
            .answering=${this.answering}
            .disabled=${!connected}
            .selfKind=${this.selfKind}
            .running=${running || !branch.latest}
            .emptyText=${loading ? 'Loading…' : 'No messages yet. Say what you want done.'}
            @decide=${this.onDecide}
            @message-edit=${this.onEditLast}
            @message-resend=${this.onResend}
            @branch-select=${this.onBranchSelect}
            @retry-now=${this.onRetryNow}
            @load-older=${this.onLoadOlder}
          ></tandem-thread-view>`
          : html`<div class="start" data-testid="conversation-start">
            <div>
              <strong>What should Claude do?</strong>
              Describe a task; Claude works in your browser and asks before anything risky.
            </div>
          </div>`
      }
      <div class="bottom">
        ${this.renderBanner()}
        ${
          view?.actingTab && running
            ? html`<tandem-acting-tab
                .tab=${view.actingTab}
                .disabled=${!connected}
                @show-tab=${this.onShowTab}
                @stop=${this.onStop}
              ></tandem-acting-tab>`
            : nothing
        }
        ${
          threadId && view
            ? html`<div class="status-row">
              <tandem-model-picker
                .models=${this.models?.models ?? []}
                .value=${summary?.model}
                .defaultModel=${this.models?.defaultModel ?? ''}
                .problem=${this.models?.problem}
                ?disabled=${!connected}
                @model-change=${(e: CustomEvent<{ model: string | null }>) => {
                  e.stopPropagation();
                  void client.send({ type: 'thread.setModel', threadId, model: e.detail.model }).catch(() => {});
                }}
                @models-refresh=${(e: Event) => {
                  e.stopPropagation();
                  void client.send({ type: 'models.list', refresh: true }).catch(() => {});
                }}
              ></tandem-model-picker>
              <span class="exports">
                <button class="quiet" data-testid="export-md" @click=${() => this.exportThread('md')}>Export .md</button>
                <button class="quiet" data-testid="export-json" aria-label="Export .json" @click=${() => this.exportThread('json')}>.json</button>
              </span>
              ${
                paused !== undefined
                  ? html`<span class="paused" role="alert" data-testid="task-paused">Paused: ${paused}</span>
                      <button data-testid="task-retry" @click=${() => this.onRetryPaused()}>Retry</button>`
                  : nothing
              }
              ${
                retryAt !== undefined
                  ? html`<span class="retry" role="status" data-testid="retry-countdown"
                    >Retrying in ${Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))} s</span
                  >`
                  : nothing
              }
              ${
                total && total.costUsd > 0
                  ? html`<tandem-usage-line label="Thread" .usage=${total.usage} .costUsd=${total.costUsd}></tandem-usage-line>`
                  : nothing
              }
            </div>`
            : nothing
        }
        ${
          editing
            ? html`<div class="status-row" data-testid="editing-note">
                Editing your message: sending it starts a new version (the earlier one is kept).
                <button class="quiet" data-testid="editing-cancel" @click=${() => {
                  this.editing = undefined;
                  if (this.composer) this.composer.value = '';
                  saveDraft(this.threadId, '');
                }}>Cancel</button>
              </div>`
            : nothing
        }
        <tandem-composer
          .shortcuts=${this.shortcuts}
          .captureTab=${this.captureTab}
          .disabled=${!connected && !this.sendWhileOffline}
          .running=${running}
          .disabledReason=${'Not connected to Tandem yet…'}
          @send=${this.onSend}
          @stop=${this.onStop}
          @input=${this.onComposerInput}
        ></tandem-composer>
      </div>
    `;
  }
}

const NO_CHOICES: ReadonlyMap<string, string> = new Map();

function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-conversation': TandemConversation;
  }
}

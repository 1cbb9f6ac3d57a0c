/**
 * Builds what a person sees from a thread's event log. Pure: the panel and the
 * phone run this same code over the same events, so they show the same thing.
 *
 * Events must be fed in `seq` order. `ThreadViewBuilder` is incremental (a live
 * event costs O(1)), which matters for threads with tens of thousands of events.
 */

import { addUsage, ZERO_USAGE } from '../pricing';
import type { Attachment } from '../protocol/attachments';
import type { DecisionOption, ErrorKind, ThreadEvent, ToolOutputBlock, Usage } from '../protocol/events';
import { asSentence } from '../text/sentence';

export type ToolStatus = 'proposed' | 'waiting' | 'running' | 'done' | 'error' | 'denied' | 'interrupted';

export type ViewItem =
  | {
      kind: 'user';
      key: string;
      seq: number;
      at: number;
      text: string;
      by: string;
      device?: string;
      /** Not in the log yet: waiting for the link to the computer, or on its way. */
      queued?: 'waiting' | 'sending';
      /** An edit or a regenerate: the seq of the message this one replaces (see branches.ts). */
      replaces?: number;
      attachments?: readonly Attachment[];
    }
  | {
      kind: 'assistant';
      key: string;
      seq: number;
      at: number;
      turnId: string;
      text: string;
      streaming: boolean;
      model?: string;
      usage?: Usage;
      costUsd?: number;
      stopReason?: string | null;
    }
  | {
      kind: 'tool';
      key: string;
      seq: number;
      at: number;
      toolUseId: string;
      name: string;
      input: Record<string, unknown>;
      status: ToolStatus;
      output?: string;
      imageCount: number;
      display?: string;
      /** Where in Settings the failure is fixed (tool_result.fixIn). */
      fixIn?: 'folders';
      truncated: boolean;
    }
  | {
      kind: 'decision';
      key: string;
      seq: number;
      at: number;
      decisionId: string;
      topic: 'permission' | 'budget' | 'connection';
      title: string;
      detail: string;
      options: DecisionOption[];
      resolved?: { optionId: string; label: string; by: string; device?: string };
    }
  | {
      kind: 'notice';
      key: string;
      seq: number;
      at: number;
      tone: 'error' | 'warning' | 'info';
      text: string;
      errorKind?: ErrorKind;
      /** For a retry card: when the next attempt is due (ms since epoch), so a client can count down. */
      retryAt?: number;
      /** Ways out the card offers: retry at once, open Settings (to fix the API URL or key). */
      actions?: ReadonlyArray<NoticeAction>;
    };

export type NoticeAction = 'retry_now' | 'settings';

/** The agent tab a running task acts in, as the "Acting in …" indicator shows it. */
export interface ActingTabView {
  tabId: number;
  /** The page's host ("shop.example.com"), or the URL when it has none. */
  site: string;
  url: string;
  title: string;
}

export interface ThreadView {
  items: readonly ViewItem[];
  lastSeq: number;
  /** A task is in progress (between task_started and task_finished). */
  running: boolean;
  /** Set while the running task acts in an agent tab. */
  actingTab?: ActingTabView;
  /** Decisions still waiting for an answer, oldest first. */
  pendingDecisionIds: readonly string[];
  usage: Usage;
  costUsd: number;
}

const OUTCOME_TEXT: Record<string, string | undefined> = {
  stopped: 'Stopped.',
  max_tokens: 'The answer hit the max-tokens limit and was cut off. Raise "Max tokens" in settings or ask to continue.',
  refusal:
    'Claude declined this request. It has been left out of the conversation, so you can rephrase it and send again.',
  budget_stopped: 'Stopped at the spending cap.',
};

function outputText(blocks: readonly ToolOutputBlock[]): string {
  return blocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}

export class ThreadViewBuilder {
  private readonly items: ViewItem[] = [];
  private readonly indexByKey = new Map<string, number>();
  private readonly pending = new Set<string>();
  /** Tool cards and streaming answers not yet settled: what task_finished must close (kept so that is O(open), not O(thread)). */
  private readonly open = new Set<string>();
  private lastSeq = 0;
  private running = false;
  private actingTab: ActingTabView | undefined;
  private usage: Usage = ZERO_USAGE;
  private costUsd = 0;
  private version = 0;
  /** The retry card of each task's current run of failures: later retries update it in place. */
  private readonly retryCards = new Map<string, string>();

  /** Applies events in order; events at or below the last applied seq are ignored (idempotent). */
  apply(events: Iterable<ThreadEvent>): void {
    for (const event of events) {
      if (event.seq <= this.lastSeq) continue;
      this.lastSeq = event.seq;
      this.applyOne(event);
      this.version++;
    }
  }

  /** Changes whenever the view changes; lets UIs skip work. */
  get revision(): number {
    return this.version;
  }

  view(): ThreadView {
    return {
      items: this.items,
      lastSeq: this.lastSeq,
      running: this.running,
      ...(this.actingTab ? { actingTab: this.actingTab } : {}),
      pendingDecisionIds: [...this.pending],
      usage: this.usage,
      costUsd: this.costUsd,
    };
  }

  private push(item: ViewItem): void {
    if (item.kind === 'tool' || (item.kind === 'assistant' && item.streaming)) this.open.add(item.key);
    this.indexByKey.set(item.key, this.items.length);
    this.items.push(item);
  }

  private update<K extends ViewItem['kind']>(key: string, kind: K, patch: (item: ViewItem & { kind: K }) => ViewItem) {
    const index = this.indexByKey.get(key);
    if (index === undefined) return false;
    const item = this.items[index];
    if (!item || item.kind !== kind) return false;
    // Replace rather than mutate so components that compare by identity re-render.
    this.items[index] = patch(item as ViewItem & { kind: K });
    return true;
  }

  private remove(key: string): void {
    const index = this.indexByKey.get(key);
    if (index === undefined) return;
    this.items.splice(index, 1);
    this.indexByKey.delete(key);
    this.open.delete(key);
    for (let i = index; i < this.items.length; i++) {
      const item = this.items[i];
      if (item) this.indexByKey.set(item.key, i);
    }
  }

  private applyOne(e: ThreadEvent): void {
    const base = { seq: e.seq, at: e.at };
    switch (e.kind) {
      case 'user_message':
        this.push({
          kind: 'user',
          key: `u${e.seq}`,
          ...base,
          text: e.text,
          by: e.by.kind,
          ...deviceOf(e.by),
          ...(e.replaces === undefined ? {} : { replaces: e.replaces }),
          ...(e.attachments?.length ? { attachments: e.attachments } : {}),
        });
        return;
      case 'task_started':
        this.running = true;
        return;
      case 'turn_started':
        this.push({ kind: 'assistant', key: `t${e.turnId}`, ...base, turnId: e.turnId, text: '', streaming: true });
        return;
      case 'text': {
        const known = this.update(`t${e.turnId}`, 'assistant', (item) => ({ ...item, text: item.text + e.text }));
        // A page that starts mid-turn has no turn_started for it: show the text anyway.
        if (!known) {
          this.push({
            kind: 'assistant',
            key: `t${e.turnId}`,
            ...base,
            turnId: e.turnId,
            text: e.text,
            streaming: true,
          });
        }
        return;
      }
      case 'assistant_message': {
        const text = e.content
          .filter((b) => b.type === 'text')
          .map((b) => b.text)
          .join('');
        const finished = {
          kind: 'assistant' as const,
          key: `t${e.turnId}`,
          turnId: e.turnId,
          text,
          streaming: false,
          model: e.model,
          usage: e.usage,
          costUsd: e.costUsd,
          stopReason: e.stopReason,
        };
        if (!this.update(finished.key, 'assistant', (item) => ({ ...item, ...finished }))) {
          this.push({ ...finished, ...base });
        }
        if (!text) this.remove(finished.key);
        const retryCard = this.retryCards.get(e.taskId);
        if (retryCard) {
          this.retryCards.delete(e.taskId);
          this.update(retryCard, 'notice', (item) => {
            const { retryAt: _done, actions: _none, ...rest } = item;
            return { ...rest, tone: 'info', text: 'Connected again; the answer continued.' };
          });
        }
        if (e.content.length === 0 && (e.stopReason === 'end_turn' || e.stopReason === 'stop_sequence')) {
          // The model may end a tool loop with no words at all; an empty thread would look like a hang.
          this.push({
            kind: 'notice',
            key: `e${e.turnId}`,
            ...base,
            tone: 'info',
            text: 'Claude finished without a reply. Ask a follow-up if you expected an answer.',
          });
        }
        this.usage = addUsage(this.usage, e.usage);
        this.costUsd += e.costUsd;
        for (const block of e.content) {
          if (block.type !== 'tool_use') continue;
          this.push({
            kind: 'tool',
            key: `x${block.id}`,
            ...base,
            toolUseId: block.id,
            name: block.name,
            input: block.input,
            status: 'proposed',
            imageCount: 0,
            truncated: false,
          });
        }
        return;
      }
      case 'turn_discarded':
        this.remove(`t${e.turnId}`);
        return;
      case 'tool_started':
        this.update(`x${e.toolUseId}`, 'tool', (item) => ({ ...item, status: 'running' }));
        return;
      case 'tool_result':
        this.update(`x${e.toolUseId}`, 'tool', (item) => ({
          ...item,
          status: item.status === 'denied' ? 'denied' : e.isError ? 'error' : 'done',
          output: outputText(e.content),
          imageCount: e.content.filter((b) => b.type === 'image').length,
          display: e.display,
          ...(e.fixIn ? { fixIn: e.fixIn } : {}),
          truncated: e.truncated,
        }));
        return;
      case 'decision_requested':
        this.pending.add(e.decisionId);
        if (e.toolUseId) this.update(`x${e.toolUseId}`, 'tool', (item) => ({ ...item, status: 'waiting' }));
        this.push({
          kind: 'decision',
          key: `d${e.decisionId}`,
          ...base,
          decisionId: e.decisionId,
          topic: e.topic,
          title: e.title,
          detail: e.detail,
          options: e.options,
        });
        return;
      case 'decision_resolved':
        this.pending.delete(e.decisionId);
        this.update(`d${e.decisionId}`, 'decision', (item) => ({
          ...item,
          resolved: {
            optionId: e.optionId,
            label: item.options.find((o) => o.id === e.optionId)?.label ?? e.optionId,
            by: e.by.kind,
            ...deviceOf(e.by),
          },
        }));
        return;
      case 'retry_scheduled': {
        // One card per run of failures, updated in place: not a new card every attempt.
        const card: ViewItem = {
          kind: 'notice',
          key: this.retryCards.get(e.taskId) ?? `r${e.seq}`,
          ...base,
          tone: 'warning',
          text: `${asSentence(e.message)} Retrying in ${Math.ceil(e.delayMs / 1000)} s (attempt ${e.attempt}).`,
          errorKind: e.errorKind,
          retryAt: e.at + e.delayMs,
          ...(e.errorKind === 'network'
            ? { actions: ['retry_now', 'settings'] as const }
            : { actions: ['retry_now'] as const }),
        };
        if (!this.update(card.key, 'notice', () => card)) this.push(card);
        this.retryCards.set(e.taskId, card.key);
        return;
      }
      case 'context_compacted':
        this.push({
          kind: 'notice',
          key: `n${e.seq}`,
          ...base,
          tone: 'info',
          text: 'Earlier messages were summarised to keep this conversation within the model’s context window. The full history is still shown here and exported.',
        });
        return;
      case 'error':
        this.push({
          kind: 'notice',
          key: `n${e.seq}`,
          ...base,
          tone: 'error',
          text: e.message,
          errorKind: e.errorKind,
        });
        return;
      case 'stop_requested':
        return;
      case 'tab_acting':
        this.actingTab = e.tab ? { ...e.tab, site: siteOf(e.tab.url) } : undefined;
        return;
      case 'task_finished': {
        this.running = false;
        this.actingTab = undefined;
        this.retryCards.delete(e.taskId);
        // Tool cards left open by an interrupted or stopped task must not spin forever.
        for (const key of this.open) {
          this.update(key, 'tool', (item) =>
            item.status === 'proposed' || item.status === 'running' || item.status === 'waiting'
              ? { ...item, status: 'interrupted' }
              : item,
          );
          this.update(key, 'assistant', (item) => ({ ...item, streaming: false }));
        }
        this.open.clear();
        const text = OUTCOME_TEXT[e.outcome];
        if (text) {
          this.push({
            kind: 'notice',
            key: `n${e.seq}`,
            ...base,
            tone: e.outcome === 'stopped' ? 'info' : 'warning',
            text,
          });
        }
        return;
      }
    }
  }
}

/** Convenience for tests and one-shot rendering. */
export function buildThreadView(events: Iterable<ThreadEvent>): ThreadView {
  const builder = new ThreadViewBuilder();
  builder.apply(events);
  return builder.view();
}

/** "Ana’s phone (a1b2 c3d4 e5f6 0718)": which phone acted, so a stolen one's actions can be told apart. */
function deviceOf(by: { device?: { name: string; fingerprint: string } | undefined }): { device?: string } {
  return by.device ? { device: `${by.device.name} (${by.device.fingerprint})` } : {};
}

function siteOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

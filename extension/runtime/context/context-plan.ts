/**
 * Keeps each request under the budget, cheaply and cache-friendly:
 *
 * 1. Know the size: the previous response's real usage plus an estimate of the
 *    messages added since (a full estimate when the view itself changed).
 * 2. Over budget: move the elision point forward, turning old tool outputs and
 *    images into stubs, far enough to reach the low-water mark. It moves in big
 *    steps, rarely, because every move changes the prompt prefix and costs one
 *    cache write; between moves each request reads the previous one's prefix.
 * 3. When the stubs and old turns alone take a large share of the budget (or a
 *    request is still too big, or the API said so), ask for a compaction: the
 *    caller has the model summarise everything before a safe boundary and
 *    records it as a durable `context_compacted` event.
 *
 * The elision point lives in memory: after a restart it is found again on the
 * first request (one cache write), the log itself never changes.
 */
import type { Usage } from '../../../shared/protocol';
import type { ApiMessage } from '../conversation-state';
import type { Budget } from './budget';
import { type RequestView, requestView, type ViewSource } from './request-view';
import { messagesSize, type Size, sizeOf } from './token-estimate';

/** The newest messages are never elided: the model is working on them. */
const KEEP_RECENT_MESSAGES = 3;
/** Compact once what is left before the elision point is this share of the budget. */
const COMPACT_SHARE = 0.3;

export interface PlannedRequest {
  view: RequestView;
  estimatedTokens: number;
  /** A compaction should run before this request; `boundary` is the message index to summarise up to. */
  compactThrough: number | undefined;
}

interface Sent {
  signature: string;
  sourceCount: number;
  totalTokens: number | undefined;
}

export function usageTotal(usage: Usage): number {
  return usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
}

/** A message index the conversation may start at: not a tool_result (it would lose its tool_use). */
export function isSafeBoundary(messages: readonly ApiMessage[], index: number): boolean {
  const message = messages[index];
  if (!message) return false;
  return message.role === 'assistant' || !message.content.some((block) => block.type === 'tool_result');
}

export class ContextPlanner {
  #elideBefore = 0;
  #sent: Sent | undefined;
  #forceShrink = false;
  #branch = 0;

  /** The API said the request was too big (413, prompt too long, context window exceeded). */
  shrinkNext(): void {
    this.#forceShrink = true;
  }

  get elideBefore(): number {
    return this.#elideBefore;
  }

  plan(source: ViewSource, budget: Budget, fixedTokens: number): PlannedRequest {
    const forced = this.#forceShrink;
    if ((source.branch ?? 0) !== this.#branch) {
      // An edited message cut the conversation: the elision point may lie past its new end.
      this.#branch = source.branch ?? 0;
      this.#elideBefore = 0;
    }
    const start = source.compaction?.throughMessage ?? 0;
    this.#elideBefore = Math.max(this.#elideBefore, start);
    let view = this.#view(source, budget);
    let size = this.#estimate(source, view, fixedTokens);
    const limit = forced ? budget.lowWater : budget.tokens;
    if (size.tokens > limit || size.bytes > budget.bytes || forced) {
      const last = Math.max(start, source.messages.length - KEEP_RECENT_MESSAGES);
      // Move the elision point just far enough to get under the low-water mark (and the byte limit):
      // the size only shrinks as the point moves, so a binary search finds the smallest move.
      const fits = (elideBefore: number) => {
        const candidate = messagesSize(requestView(source, this.#options(budget, elideBefore)).messages);
        return candidate.tokens + fixedTokens <= budget.lowWater && candidate.bytes <= budget.bytes;
      };
      let low = Math.min(this.#elideBefore, last);
      let high = last;
      while (low < high) {
        const mid = Math.floor((low + high) / 2);
        if (fits(mid)) high = mid;
        else low = mid + 1;
      }
      this.#elideBefore = forced ? last : Math.max(this.#elideBefore, low);
      view = this.#view(source, budget);
      size = this.#estimate(source, view, fixedTokens, true);
    }
    this.#forceShrink = false;
    const compactThrough = this.#compactionBoundary(source, view, budget, size, fixedTokens, forced);
    this.#sent = { signature: this.#signature(source), sourceCount: source.messages.length, totalTokens: undefined };
    return { view, estimatedTokens: size.tokens, compactThrough };
  }

  /** The real size of the request just sent, from its response's usage. */
  record(usage: Usage): void {
    if (this.#sent) this.#sent.totalTokens = usageTotal(usage);
  }

  #options(budget: Budget, elideBefore: number) {
    return { elideBefore, maxRecentImages: budget.maxImages };
  }

  #view(source: ViewSource, budget: Budget): RequestView {
    return requestView(source, this.#options(budget, this.#elideBefore));
  }

  #signature(source: ViewSource): string {
    return `${source.compaction?.throughMessage ?? 0}/${this.#elideBefore}/${source.excluded.length}/${source.branch ?? 0}`;
  }

  #estimate(source: ViewSource, view: RequestView, fixedTokens: number, fresh = false): Size {
    const full = messagesSize(view.messages);
    const sent = this.#sent;
    if (fresh || !sent || sent.totalTokens === undefined || sent.signature !== this.#signature(source)) {
      return { ...full, tokens: full.tokens + fixedTokens };
    }
    // Same view as last time: its real size, plus what was added since.
    const added = view.messages.filter((_, i) => (view.sourceIndex[i] ?? -1) >= sent.sourceCount);
    const addedTokens = added.reduce((sum, message) => sum + sizeOf(message).tokens, 0);
    return { ...full, tokens: sent.totalTokens + addedTokens };
  }

  #compactionBoundary(
    source: ViewSource,
    view: RequestView,
    budget: Budget,
    size: Size,
    fixedTokens: number,
    forced: boolean,
  ): number | undefined {
    const start = source.compaction?.throughMessage ?? 0;
    const old = view.messages.filter((_, i) => {
      const index = view.sourceIndex[i] ?? -1;
      return index >= start && index < this.#elideBefore;
    });
    const oldTokens = messagesSize(old).tokens;
    const needed = forced || size.tokens > budget.tokens || oldTokens + fixedTokens > budget.tokens * COMPACT_SHARE;
    if (!needed) return undefined;
    // Summarise up to the elision point: what is after it stays word for word, and cached.
    for (let index = this.#elideBefore; index > start; index--) {
      if (isSafeBoundary(source.messages, index)) return index;
    }
    return undefined;
  }
}

/**
 * `<tandem-thread-view>`: a thread's items in a virtualised list.
 *
 * Only the items near the viewport exist in the DOM, so a thread of 10,000 messages
 * opens as fast as one of ten. The list sticks to the bottom while text streams in,
 * by pinning the virtualizer's layout to the last item, until the person scrolls up;
 * scrolling back down to the end sticks it again. At the top, `load-older` asks for
 * history; when it arrives the view stays on what the person was reading.
 *
 * Only scrolling the person did counts. The virtualizer also scrolls by itself (it
 * corrects its size estimates as items are measured, and the browser clamps the
 * scroll position when the content shrinks) and drops its pin on any scroll it did
 * not expect; a scroll counts as the person's only right after a wheel, touch, key
 * or pointer event, and a pin lost to anything else is put straight back.
 */
import '@lit-labs/virtualizer';
import type { LitVirtualizer } from '@lit-labs/virtualizer/LitVirtualizer.js';
import { flow } from '@lit-labs/virtualizer/layouts/flow.js';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { VersionInfo } from '../conversation/branches';
import type { ViewItem } from '../conversation/thread-view';
import type { ClientKind } from '../protocol/events';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { arrowDownIcon } from './icons';
import { tokens } from './tokens';
import './tandem-decision-card';
import './tandem-message';
import './tandem-notice';
import './tandem-tool-card';

/** How close to an edge (px) counts as "at" it. */
const EDGE = 48;
/** How long after a wheel/touch/key/pointer event a scroll still counts as the person's. */
const INTENT_MS = 600;
const OLDER_TIMEOUT_MS = 10_000;

type LayoutConfigValue = LitVirtualizer['layout'];
type PinOptions = NonNullable<NonNullable<Parameters<typeof flow>[0]>['pin']>;

/**
 * Always the flow layout, named here rather than left to the virtualizer, which
 * would fetch it with a dynamic import (one more request before the first paint).
 */
function layoutFor(pin: PinOptions | undefined): LayoutConfigValue {
  return pin ? flow({ pin }) : flow();
}

const itemKey = (item: ViewItem): string => item.key;

@customElement('tandem-thread-view')
export class TandemThreadView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
        position: relative;
        min-height: 0;
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size);
        color: var(--tandem-text);
      }
      lit-virtualizer {
        height: 100%;
        min-height: 0;
        overflow-anchor: none;
      }
      .row {
        box-sizing: border-box;
        width: 100%;
        padding: var(--tandem-space-2) var(--tandem-space-3);
      }
      .row.last {
        padding-bottom: var(--tandem-space-4);
      }
      /* The message a search result opened. */
      .row.found {
        outline: 2px solid var(--tandem-warning);
        outline-offset: -2px;
        border-radius: var(--tandem-radius);
        background: var(--tandem-warning-soft);
      }
      .empty {
        position: absolute;
        inset: 0;
        display: grid;
        place-items: center;
        padding: var(--tandem-space-4);
        text-align: center;
        color: var(--tandem-text-muted);
      }
      .float {
        position: absolute;
        left: 50%;
        transform: translateX(-50%);
        z-index: 1;
        box-shadow: var(--tandem-shadow);
        border-radius: 999px;
      }
      .older {
        top: var(--tandem-space-2);
      }
      .latest {
        bottom: var(--tandem-space-3);
      }
    `,
  ];

  @property({ attribute: false }) items: readonly ViewItem[] = [];
  /** Events older than the first item exist on the runtime. */
  @property({ type: Boolean }) hasOlder = false;
  /** Changing thread resets scrolling (stick to the bottom of the new one). */
  @property() threadId = '';
  /** Decisions this client answered and is waiting to see resolved: decisionId → optionId. */
  @property({ attribute: false }) answering: ReadonlyMap<string, string> = new Map();
  /** No link to the runtime: decision buttons are disabled. */
  @property({ type: Boolean }) disabled = false;
  @property() selfKind: ClientKind = 'panel';
  /** A run is going: the last message cannot be edited or sent again meanwhile. */
  @property({ type: Boolean }) running = false;
  /** Versions of edited messages, by user item key (see conversation/branches.ts). */
  @property({ attribute: false }) versions: ReadonlyMap<string, VersionInfo> = new Map();
  /** Shown when there are no items. */
  @property() emptyText = 'No messages yet.';

  @state() private stuck = true;
  /** After history was prepended: keep this item where the person was reading. */
  @state() private pinIndex: number | undefined;
  @state() private atTop = false;
  /** The first item's key when `load-older` was sent; cleared when history arrived. */
  @state() private olderRequestedAt: string | undefined;
  /** The item a search result opened: scrolled to, marked and focused. */
  @state() private foundKey: string | undefined;
  private focusFound = false;
  /** A reveal came with the same update as prepended history: its pin wins over keeping the place. */
  private revealPending = false;

  @query('lit-virtualizer') private virtualizer!: LitVirtualizer<ViewItem> | null;

  private lastScrollTop = 0;
  private intentAt = Number.NEGATIVE_INFINITY;
  private forceLayout = false;
  private layout: LayoutConfigValue = layoutFor(undefined);
  private pinKey = 'null';
  /**
   * Watches the newest row. When it grows after its own render (a nested element
   * rendering later, the usage line arriving), the virtualizer sometimes pins to a
   * stale total height and stops short of the end; re-pinning then puts it right.
   */
  private readonly lastRowObserver = new ResizeObserver(() => this.keepAtEnd());
  private observedLastRow: Element | undefined;
  private renderRow = this.makeRenderRow();

  /** Jump to the newest item and follow new ones (e.g. after the person sent a message). */
  scrollToLatest(): void {
    this.pinIndex = undefined;
    this.stuck = true;
    this.forceLayout = true;
    this.requestUpdate();
  }

  /** Scrolls to an item (a search hit), marks it and focuses it; false when it is not loaded. */
  reveal(itemKey: string): boolean {
    const index = this.items.findIndex((item) => item.key === itemKey);
    if (index < 0) return false;
    this.stuck = false;
    this.pinIndex = index;
    this.foundKey = itemKey;
    this.revealPending = true;
    this.renderRow = this.makeRenderRow();
    this.focusFound = true;
    this.forceLayout = true;
    this.requestUpdate();
    return true;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('threadId')) {
      this.foundKey = undefined;
      this.stuck = true;
      this.pinIndex = undefined;
      this.atTop = false;
      this.olderRequestedAt = undefined;
      this.lastScrollTop = 0;
    } else if (changed.has('items')) {
      this.keepPlaceAfterPrepend(changed.get('items') ?? []);
    }
    if (this.revealPending) {
      this.revealPending = false;
      const index = this.items.findIndex((item) => item.key === this.foundKey);
      if (index >= 0) this.pinIndex = index;
    }
    if (
      changed.has('answering') ||
      changed.has('disabled') ||
      changed.has('selfKind') ||
      changed.has('items') ||
      changed.has('versions') ||
      changed.has('running')
    ) {
      // The virtualizer re-renders rows only when one of its own properties changes.
      this.renderRow = this.makeRenderRow();
    }
    if (!this.hasOlder) this.olderRequestedAt = undefined;
    const last = this.items.length - 1;
    const pin: PinOptions | undefined =
      this.stuck && last >= 0
        ? { index: last, block: 'end' }
        : this.pinIndex !== undefined
          ? { index: this.pinIndex, block: 'start' }
          : undefined;
    // A new object makes the virtualizer apply the pin again; an equal one is left alone
    // so unrelated renders do not fight a scroll in progress.
    const pinKey = JSON.stringify(pin ?? null);
    if (this.forceLayout || pinKey !== this.pinKey) {
      this.layout = layoutFor(pin);
      this.pinKey = pinKey;
    }
    this.forceLayout = false;
  }

  private keepPlaceAfterPrepend(previous: readonly ViewItem[]): void {
    const oldFirst = previous[0]?.key;
    if (!oldFirst || this.items[0]?.key === oldFirst) return;
    this.olderRequestedAt = undefined;
    if (this.stuck) return;
    const added = this.items.length - previous.length;
    // History only ever adds before the old first item; look there first.
    const index = this.items.findIndex((item, i) => i >= Math.max(0, added - 1) && item.key === oldFirst);
    if (index > 0) this.pinIndex = index;
  }

  private makeRenderRow() {
    const last = this.items.length - 1;
    const answering = this.answering;
    const disabled = this.disabled;
    const selfKind = this.selfKind;
    const lastUserKey = this.running ? undefined : this.items.findLast((i) => i.kind === 'user' && !i.queued)?.key;
    const foundKey = this.foundKey;
    return (item: ViewItem, index: number) => {
      const cls = `${index === last ? 'row last' : 'row'}${item.key === foundKey ? ' found' : ''}`;
      switch (item.kind) {
        case 'user':
        case 'assistant':
          return html`<div class=${cls}>
            <tandem-message
              .item=${item}
              .selfKind=${selfKind}
              .version=${this.versions.get(item.key)}
              ?resendable=${!disabled && item.key === lastUserKey}
            ></tandem-message>
          </div>`;
        case 'tool':
          return html`<div class=${cls}><tandem-tool-card .item=${item} ?canOpenSettings=${this.selfKind === 'panel'}></tandem-tool-card></div>`;
        case 'decision':
          return html`<div class=${cls}>
            <tandem-decision-card
              .item=${item}
              .answering=${answering.get(item.decisionId)}
              ?disabled=${disabled}
              .trusted=${selfKind === 'panel'}
            ></tandem-decision-card>
          </div>`;
        case 'notice':
          return html`<div class=${cls}>
            <tandem-notice
              .tone=${item.tone}
              .text=${item.text}
              .errorKind=${item.errorKind}
              .actions=${item.actions}
            ></tandem-notice>
          </div>`;
      }
    };
  }

  /** Passive, so listening never delays scrolling. */
  private readonly intent = {
    passive: true,
    handleEvent: (event: Event) => {
      // A press inside an item (a button) is not scrolling; one on the scrollbar is.
      if (event.type === 'pointerdown' && event.target !== event.currentTarget) return;
      this.intentAt = performance.now();
    },
  };

  private get personIsScrolling(): boolean {
    return performance.now() - this.intentAt < INTENT_MS;
  }

  private onScroll(): void {
    const scroller = this.virtualizer;
    if (!scroller) return;
    const top = scroller.scrollTop;
    const fromBottom = scroller.scrollHeight - scroller.clientHeight - top;
    const movingDown = top > this.lastScrollTop;
    this.lastScrollTop = top;
    this.atTop = top <= EDGE;
    if (!this.personIsScrolling) return;
    if (!movingDown) {
      // The virtualizer drops its pin on this scroll too, but its `unpinned` event may come after this handler.
      this.stuck = false;
      this.pinIndex = undefined;
      if (this.atTop) this.requestOlder();
    } else if (!this.stuck && fromBottom <= EDGE / 4) {
      // Only a downward scroll re-sticks: otherwise the first pixels of scrolling up,
      // still near the end, would snap straight back.
      this.scrollToLatest();
    }
  }

  private onUnpinned(): void {
    if (this.personIsScrolling) {
      this.stuck = false;
      this.pinIndex = undefined;
    } else {
      this.forceLayout = true;
      this.requestUpdate();
    }
  }

  private requestOlder(): void {
    const first = this.items[0]?.key;
    if (!this.hasOlder || !first || this.olderRequestedAt === first) return;
    this.olderRequestedAt = first;
    emit(this, 'load-older', {});
    // If no history ever arrives (the request failed), let the person ask again.
    setTimeout(() => {
      if (this.olderRequestedAt === first) this.olderRequestedAt = undefined;
    }, OLDER_TIMEOUT_MS);
  }

  override render() {
    const showOlder = this.hasOlder && (this.atTop || this.olderRequestedAt !== undefined);
    return html`
      ${keyed(
        this.threadId,
        html`<lit-virtualizer
          scroller
          data-testid="thread-items"
          .items=${this.items as ViewItem[]}
          .keyFunction=${itemKey}
          .renderItem=${this.renderRow}
          .layout=${this.layout}
          @scroll=${this.onScroll}
          @unpinned=${this.onUnpinned}
          @wheel=${this.intent}
          @touchmove=${this.intent}
          @keydown=${this.intent}
          @pointerdown=${this.intent}
        ></lit-virtualizer>`,
      )}
      ${this.items.length === 0 ? html`<div class="empty" data-testid="thread-empty">${this.emptyText}</div>` : nothing}
      ${
        showOlder
          ? html`<button
            class="float older"
            data-testid="load-older"
            ?disabled=${this.olderRequestedAt !== undefined}
            @click=${this.requestOlder}
          >
            ${this.olderRequestedAt !== undefined ? 'Loading older messages…' : 'Load older messages'}
          </button>`
          : nothing
      }
      ${
        !this.stuck && this.items.length > 0
          ? html`<button class="float latest" data-testid="jump-to-latest" @click=${this.scrollToLatest}>
            ${arrowDownIcon} Latest
          </button>`
          : nothing
      }
    `;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.lastRowObserver.disconnect();
    this.observedLastRow = undefined;
  }

  private keepAtEnd(): void {
    requestAnimationFrame(() => {
      const scroller = this.virtualizer;
      if (!this.stuck || !scroller) return;
      if (scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop > 1) {
        this.forceLayout = true;
        this.requestUpdate();
      }
    });
  }

  /** The found row takes focus once it is laid out, so a keyboard or screen reader user lands on it. */
  private async focusFoundRow(): Promise<void> {
    this.focusFound = false;
    await this.virtualizer?.layoutComplete;
    const row = this.virtualizer?.querySelector<HTMLElement>('.row.found');
    if (!row) return;
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
  }

  protected override async updated(changed: PropertyValues<this>): Promise<void> {
    if (this.focusFound) void this.focusFoundRow();
    if (!changed.has('items') && !changed.has('threadId')) return;
    await this.virtualizer?.layoutComplete;
    const scroller = this.virtualizer;
    if (!scroller) return;
    const lastRow = scroller.querySelector('.row.last') ?? undefined;
    if (lastRow !== this.observedLastRow) {
      if (this.observedLastRow) this.lastRowObserver.unobserve(this.observedLastRow);
      if (lastRow) this.lastRowObserver.observe(lastRow);
      this.observedLastRow = lastRow;
    }
    this.keepAtEnd();
    // Short threads never scroll, so no scroll event would reveal "load older".
    if (scroller.scrollHeight <= scroller.clientHeight + 1) this.atTop = true;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-thread-view': TandemThreadView;
  }
}

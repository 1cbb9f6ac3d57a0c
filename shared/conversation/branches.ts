/**
 * Which version of an edited conversation a person sees. An edit (or a regenerate) is a
 * `user_message` that `replaces` an earlier one; the log keeps both. Read as a tree of exchanges
 * (a user message and everything up to the next one): a plain message continues the newest
 * branch, an edit is a sibling of the message it replaces. Shown is one path through the tree:
 * in each group of siblings the one the person chose ("‹ 1/2 ›"), else the newest, which is the
 * branch the model continues (extension/runtime/conversation-state.ts cuts its context the same way).
 * Pure, for the panel and the phone alike.
 */
import type { ViewItem } from './thread-view';

/** Where a shown message sits among its versions. */
export interface VersionInfo {
  /** 1-based position among the versions, oldest first. */
  index: number;
  count: number;
  /** The sibling group (the exchange the versions follow, or "root"), for `branch-select`. */
  group: string;
  /** The versions' user item keys, oldest first. */
  keys: readonly string[];
}

export interface BranchView {
  items: ViewItem[];
  /** By user item key: shown messages that have other versions. */
  versions: ReadonlyMap<string, VersionInfo>;
  /** The newest branch is shown (the one new messages continue). */
  latest: boolean;
}

const ROOT = 'root';

interface Exchange {
  key: string;
  items: ViewItem[];
}

interface Tree {
  /** Items before the first message of the loaded page, on every path. */
  lead: ViewItem[];
  children: Map<string, Exchange[]>;
  parentOf: Map<string, string>;
  /** Item key → the key of the exchange (its user message) it belongs to. */
  exchangeOf: Map<string, string>;
}

function buildTree(items: readonly ViewItem[]): Tree {
  const lead: ViewItem[] = [];
  const children = new Map<string, Exchange[]>();
  const parentOf = new Map<string, string>();
  const exchangeOf = new Map<string, string>();
  const keyBySeq = new Map<number, string>();
  let tip = ROOT;
  let current: Exchange | undefined;
  for (const item of items) {
    if (item.kind !== 'user') {
      if (current) {
        current.items.push(item);
        exchangeOf.set(item.key, current.key);
      } else lead.push(item);
      continue;
    }
    const replaced = item.replaces === undefined ? undefined : keyBySeq.get(item.replaces);
    if (item.replaces !== undefined && replaced === undefined) {
      // The version it replaces is older than the loaded page (pages are contiguous and bounded by
      // bytes: a few messages with attachments fill one), so everything loaded before this edit
      // follows that version: none of it is on this edit's path.
      lead.length = 0;
      children.clear();
      tip = ROOT;
    }
    const parent = replaced === undefined ? tip : (parentOf.get(replaced) ?? ROOT);
    current = { key: item.key, items: [item] };
    parentOf.set(item.key, parent);
    exchangeOf.set(item.key, item.key);
    keyBySeq.set(item.seq, item.key);
    const siblings = children.get(parent) ?? [];
    siblings.push(current);
    children.set(parent, siblings);
    tip = item.key;
  }
  return { lead, children, parentOf, exchangeOf };
}

/** `chosen`: sibling group → the user item key picked there. */
export function branchView(items: readonly ViewItem[], chosen: ReadonlyMap<string, string> = new Map()): BranchView {
  // Most threads were never edited: no tree to walk.
  if (!items.some((item) => item.kind === 'user' && item.replaces !== undefined)) {
    return { items: [...items], versions: new Map(), latest: true };
  }
  const { lead, children } = buildTree(items);
  const shown: ViewItem[] = [...lead];
  const versions = new Map<string, VersionInfo>();
  let latest = true;
  let node = ROOT;
  for (let kids = children.get(node); kids && kids.length > 0; kids = children.get(node)) {
    const newest = kids[kids.length - 1] as Exchange;
    const pick = kids.find((kid) => kid.key === chosen.get(node)) ?? newest;
    if (pick !== newest) latest = false;
    if (kids.length > 1) {
      versions.set(pick.key, {
        index: kids.indexOf(pick) + 1,
        count: kids.length,
        group: node,
        keys: kids.map((kid) => kid.key),
      });
    }
    shown.push(...pick.items);
    node = pick.key;
  }
  return { items: shown, versions, latest };
}

/**
 * The versions to choose so that the item `itemKey` is shown (a search hit in an earlier version):
 * each exchange on its path, picked in its sibling group. Undefined when the item is not loaded.
 */
export function choicesToShow(items: readonly ViewItem[], itemKey: string): Map<string, string> | undefined {
  const { parentOf, exchangeOf } = buildTree(items);
  let exchange: string | undefined = exchangeOf.get(itemKey);
  if (exchange === undefined) return items.some((item) => item.key === itemKey) ? new Map() : undefined;
  const choices = new Map<string, string>();
  while (exchange !== undefined && exchange !== ROOT) {
    const parent: string = parentOf.get(exchange) ?? ROOT;
    choices.set(parent, exchange);
    exchange = parent;
  }
  return choices;
}

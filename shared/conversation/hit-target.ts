/** Where a search hit lives in a thread view (the key `ThreadViewBuilder` gives that item). Pure. */
import type { MessageHit } from '../protocol/search';

export interface RevealTarget {
  threadId: string;
  /** The event holding the match: history is loaded back to it. */
  seq: number;
  /** The view item to scroll to and mark. */
  itemKey: string;
}

export function revealTargetOf(hit: MessageHit): RevealTarget {
  const itemKey =
    hit.kind === 'user' ? `u${hit.seq}` : hit.kind === 'tool' ? `x${hit.toolUseId ?? ''}` : `t${hit.turnId ?? ''}`;
  return { threadId: hit.threadId, seq: hit.seq, itemKey };
}

/** A snippet cut into plain and matched stretches, for a template to mark without any HTML parsing. */
export function snippetParts(hit: Pick<MessageHit, 'snippet' | 'ranges'>): Array<{ text: string; match: boolean }> {
  const parts: Array<{ text: string; match: boolean }> = [];
  let at = 0;
  for (const { start, length } of hit.ranges) {
    if (start < at || start >= hit.snippet.length) continue;
    if (start > at) parts.push({ text: hit.snippet.slice(at, start), match: false });
    parts.push({ text: hit.snippet.slice(start, start + length), match: true });
    at = start + length;
  }
  if (at < hit.snippet.length) parts.push({ text: hit.snippet.slice(at), match: false });
  return parts;
}

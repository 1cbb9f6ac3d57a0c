/**
 * Unsent composer text, per thread, kept in the page's localStorage until the runtime acknowledged
 * the message: a panel closed while the runtime could not store anything (a full disk) keeps what
 * was typed. Best effort: without localStorage (or over its quota) drafts live in memory only.
 */
const PREFIX = 'tandem.draft.';
/** Drafts are for people's words, not documents: a cap keeps a pasted novel from filling the quota. */
const MAX_DRAFT_CHARS = 100_000;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // access refused (privacy settings, opaque origin)
  }
}

export function loadDraft(threadId: string | undefined): string {
  try {
    return storage()?.getItem(PREFIX + (threadId ?? '')) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(threadId: string | undefined, text: string): void {
  try {
    const key = PREFIX + (threadId ?? '');
    if (text.trim()) storage()?.setItem(key, text.slice(0, MAX_DRAFT_CHARS));
    else storage()?.removeItem(key);
  } catch {
    // Over quota or refused: the in-memory draft still holds it while the page is open.
  }
}

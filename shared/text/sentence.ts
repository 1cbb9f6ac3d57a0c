/**
 * Joining messages from elsewhere (the API, the SDK, the host) into sentences a person reads:
 * "Overloaded" + "Retrying in 4 s" must not run together, and "Connection error." in brackets
 * must not end in "(Connection error.).".
 */

const ENDS_SENTENCE = /[.!?…]["')\]]*$/;

/** The text as a sentence: trimmed, with a full stop unless it already ends one. */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  return ENDS_SENTENCE.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** A detail in brackets, without the full stop it may carry (the outer sentence has its own). */
export function parenthetical(detail: string): string {
  return `(${detail.trim().replace(/\.+$/, '')})`;
}

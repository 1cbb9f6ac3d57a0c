/** How a decision's outcome reads: "Allowed once — from phone". Pure. */
import type { ClientKind } from '../protocol/events';

/** Option labels are imperative ("Allow once"); the resolved card states what happened. */
const PAST_TENSE: Record<string, string> = {
  allow: 'Allowed',
  always: 'Always',
  deny: 'Denied',
  stop: 'Stopped',
  continue: 'Continued',
  approve: 'Approved',
  reject: 'Rejected',
  cancel: 'Cancelled',
  raise: 'Raised',
  keep: 'Kept',
};

export function pastTense(label: string): string {
  const match = /^(\S+)(.*)$/s.exec(label.trim());
  if (!match) return label;
  const [, first = '', rest = ''] = match;
  const past = PAST_TENSE[first.toLocaleLowerCase()];
  return past ? past + rest : label;
}

const SOURCE: Record<ClientKind, string> & Record<string, string | undefined> = {
  panel: 'from side panel',
  phone: 'from phone',
  runtime: 'automatically',
};

export function resolvedText(resolved: { label: string; by: string; device?: string | undefined }): string {
  const source = resolved.device ? `from ${resolved.device}` : (SOURCE[resolved.by] ?? `from ${resolved.by}`);
  return `${pastTense(resolved.label)} — ${source}`;
}

/** Shown on an untrusted client (a phone) in place of the answers that would outlive the task. */
export const PERMANENT_ON_COMPUTER_TEXT = 'To allow this permanently, use the computer.';

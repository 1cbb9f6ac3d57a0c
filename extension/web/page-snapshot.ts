/**
 * read_page's text for the model: the page's visible text, then its interactive
 * elements one per line with their refs. Compact on purpose (a 2,000-element
 * page is listed a few hundred elements at a time). Everything that came from
 * the page is inside the untrusted block; Tandem's own notes are outside it.
 */

import { wrapUntrusted } from '../permissions/untrusted-content';
import type { PageSnapshot, SnapshotElement } from './page-protocol';

function describe(element: SnapshotElement): string {
  const parts = [`[${element.ref}]`, element.role, JSON.stringify(element.name)];
  if (element.password) parts.push('(password: typing refused)');
  if (element.value !== undefined) parts.push(`= ${JSON.stringify(element.value)}`);
  if (element.checked !== undefined) parts.push(element.checked ? '[x]' : '[ ]');
  if (element.options) parts.push(`options: ${element.options.map((o) => JSON.stringify(o)).join(' | ')}`);
  if (element.href) parts.push(`-> ${element.href}`);
  if (element.submits) parts.push('(submits form)');
  if (element.required) parts.push('(required)');
  if (element.disabled) parts.push('(disabled)');
  return parts.join(' ');
}

export function formatSnapshot(tabId: number, snapshot: PageSnapshot): string {
  const origin = new URL(snapshot.url).origin;
  const shownTo = snapshot.from + snapshot.elements.length;
  const body = [
    `Title: ${snapshot.title}`,
    '',
    snapshot.text || '(no visible text)',
    '',
    snapshot.elements.length > 0 ? 'Interactive elements:' : 'No interactive elements in this range.',
    ...snapshot.elements.map(describe),
  ].join('\n');
  const notes = [
    `Tab ${tabId}: ${snapshot.url}`,
    `Scrolled ${snapshot.scrollY} of ${snapshot.scrollHeight} px; viewport ${snapshot.viewportHeight} px. Elements ${snapshot.elements.length === 0 ? 0 : snapshot.from + 1}–${shownTo} of ${snapshot.totalElements} visible.`,
  ];
  const after: string[] = [];
  if (snapshot.textCut) after.push('[The page text was cut; scroll, or use web_fetch for the full text.]');
  if (shownTo < snapshot.totalElements) {
    after.push(`[${snapshot.totalElements - shownTo} more elements: call read_page with from=${shownTo}.]`);
  }
  return [...notes, wrapUntrusted(origin, body), ...after].join('\n');
}

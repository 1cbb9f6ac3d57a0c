/**
 * read_page's text for the model: the page's visible text, then its interactive
 * elements one per line with their refs. Compact on purpose (a 2,000-element
 * page is listed a few hundred elements at a time). Everything that came from
 * the page is inside the untrusted block; Tandem's own notes are outside it.
 */

import { wrapUntrusted } from '../permissions/untrusted-content';
import { TOP_FRAME } from './frame-map';
import { type FrameRead, MAX_FRAMES_READ } from './frame-pages';
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

function body(snapshot: PageSnapshot, text: string): string {
  return [
    `Title: ${snapshot.title}`,
    '',
    text || '(no visible text)',
    '',
    snapshot.elements.length > 0 ? 'Interactive elements:' : 'No interactive elements in this range.',
    ...snapshot.elements.map(describe),
  ].join('\n');
}

/**
 * `frames` (frame-pages.ts): the frames below the page, each read only if its site is allowed. The
 * mark lines the page agent left where each frame sits (`frameMark` and its index in the parent's
 * window.frames) become "[frame f7 from ORIGIN]"; each frame's content follows in its own untrusted
 * block, marked with its own origin; a frame that was not read is named with its origin only.
 */
export function formatSnapshot(
  tabId: number,
  snapshot: PageSnapshot,
  frames: readonly FrameRead[] = [],
  frameMark?: string,
): string {
  const origin = new URL(snapshot.url).origin;
  const place = (text: string, parentFrameId: number) => placeFrames(text, frameMark, parentFrameId, frames);
  const frameSnapshots = frames.filter(
    (f): f is FrameRead & { response: PageSnapshot } => f.status === 'read' && f.response?.op === 'snapshot',
  );
  const frameTotal = frameSnapshots.reduce((sum, f) => sum + f.response.totalElements, 0);
  const frameShown = frameSnapshots.reduce((sum, f) => sum + f.response.elements.length, 0);
  const total = snapshot.totalElements + frameTotal;
  const shown = snapshot.elements.length + frameShown;
  const shownTo = snapshot.from + shown;
  const notes = [
    `Tab ${tabId}: ${snapshot.url}`,
    `Scrolled ${snapshot.scrollY} of ${snapshot.scrollHeight} px; viewport ${snapshot.viewportHeight} px. Elements ${shown === 0 ? 0 : snapshot.from + 1}–${shownTo} of ${total} visible${frames.length > 0 ? ' (frames included)' : ''}.`,
  ];
  const blocks = [wrapUntrusted(origin, body(snapshot, place(snapshot.text, TOP_FRAME)))];
  for (const frame of frameSnapshots) {
    blocks.push(`Frame f${frame.frameId} from ${frame.origin ?? OPAQUE} (${frame.url}):`);
    blocks.push(
      wrapUntrusted(frame.origin ?? frame.url, body(frame.response, place(frame.response.text, frame.frameId))),
    );
  }
  // Frames not read, one line per site and reason: a page full of ad frames stays short.
  const unread = new Map<string, FrameRead[]>();
  for (const frame of frames) {
    if (frameSnapshots.some((f) => f === frame)) continue;
    const key = `${frame.status} ${frame.origin ?? OPAQUE}`;
    unread.set(key, [...(unread.get(key) ?? []), frame]);
  }
  for (const group of unread.values()) {
    const [first] = group;
    if (!first) continue;
    const names = group.map((f) => `f${f.frameId}`).join(', ');
    blocks.push(`Frame${group.length > 1 ? 's' : ''} ${names} from ${first.origin ?? OPAQUE}: ${frameNote(first)}`);
  }
  const after: string[] = [];
  if (snapshot.textCut || frameSnapshots.some((f) => f.response.textCut)) {
    after.push('[The page text was cut; scroll, or use web_fetch for the full text.]');
  }
  if (shownTo < total) {
    after.push(`[${total - shownTo} more elements: call read_page with from=${shownTo}.]`);
  }
  return [...notes, ...blocks, ...after].join('\n');
}

const OPAQUE = 'a sandboxed or data: document';

/** Why a frame was not read, and what the model can do about it. */
function frameNote(frame: FrameRead): string {
  switch (frame.status) {
    case 'not_loaded':
      return "not allowed; the browser did not load it (its site is not on the user's allowed sites).";
    case 'not_allowed':
      return frame.origin
        ? `not allowed (not on the user's allowed sites), so it was not read. To see it, ask the user to allow ${frame.origin}: tab_open with its address asks them.`
        : 'not read (a frame with no site of its own is never read).';
    case 'too_many':
      return `not read: Tandem reads at most ${MAX_FRAMES_READ} frames of a page at a time.`;
    default:
      return 'could not be read.';
  }
}

/** Replaces the page agent's frame marks in a document's text with the frame each one is. */
function placeFrames(
  text: string,
  mark: string | undefined,
  parentFrameId: number,
  frames: readonly FrameRead[],
): string {
  if (!mark) return text;
  return text
    .split('\n')
    .map((line) => {
      if (!line.startsWith(mark)) return line;
      const index = Number(line.slice(mark.length));
      const frame = frames.find((f) => f.parentFrameId === parentFrameId && f.index === index);
      if (!frame) return '[frame]';
      const from = frame.origin ?? OPAQUE;
      return frame.status === 'read'
        ? `[frame f${frame.frameId} from ${from}]`
        : `[frame f${frame.frameId} from ${from}: not allowed]`;
    })
    .join('\n');
}

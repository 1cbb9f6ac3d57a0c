/**
 * What the composer's "/" menu offers: the saved shortcuts whose name starts with what follows
 * the slash, while the person is still typing the name (the runtime expands `/name rest` on send,
 * so picking one only completes the name).
 */
import type { Shortcut } from '../protocol/schedules';

/** More than this and the menu would cover the thread; typing narrows it. */
const MAX_OPTIONS = 8;

export function shortcutMatches(value: string, shortcuts: readonly Shortcut[]): Shortcut[] {
  const typed = /^\/([A-Za-z0-9_-]*)$/.exec(value)?.[1];
  if (typed === undefined) return [];
  const prefix = typed.toLowerCase();
  return shortcuts.filter((s) => s.name.startsWith(prefix)).slice(0, MAX_OPTIONS);
}

/** The start of a prompt's first line, for the menu's second column. */
export function promptStart(prompt: string, max = 60): string {
  const line = prompt.trim().split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The highlighted option after an arrow key, wrapping around. */
export function nextOption(index: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (count <= 0) return 0;
  const current = Math.min(Math.max(index, 0), count - 1);
  return key === 'ArrowDown' ? (current + 1) % count : (current - 1 + count) % count;
}

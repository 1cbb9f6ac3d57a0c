/**
 * `/name rest` in a message: the saved prompt named `name`, followed by the rest. Expanded in the
 * runtime (message.send), so the panel and the phone behave the same with no second code path.
 */
import { type Shortcut, ShortcutName } from '../../shared/protocol';

export function shortcutCall(text: string): { name: string; rest: string } | undefined {
  const match = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match?.[1] || !ShortcutName.safeParse(match[1]).success) return undefined;
  return { name: match[1], rest: (match[2] ?? '').trim() };
}

export function expandShortcut(shortcut: Pick<Shortcut, 'prompt'> & { name: string }, rest: string): string {
  return rest ? `${shortcut.prompt}\n\n${rest}` : shortcut.prompt;
}

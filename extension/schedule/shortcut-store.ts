/** Saved prompts (`/name` in the composer), one row per name in the `shortcuts` table. */
import type { Shortcut } from '../../shared/protocol';
import type { TandemDatabase } from '../storage/db';
import { expandShortcut, shortcutCall } from './shortcut-expand';

export class ShortcutStore {
  constructor(private readonly db: TandemDatabase) {}

  async list(): Promise<Shortcut[]> {
    return (await this.db.shortcuts.toArray()).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Promise<Shortcut | undefined> {
    return this.db.shortcuts.get(name);
  }

  /** The message as the model gets it: `/name rest` becomes the saved prompt and the rest. */
  async expand(text: string): Promise<string> {
    const call = shortcutCall(text);
    const shortcut = call && (await this.get(call.name));
    return shortcut && call ? expandShortcut(shortcut, call.rest) : text;
  }

  /** Saving under an existing name replaces it: the name is what the user types. */
  async save(shortcut: Shortcut): Promise<void> {
    await this.db.shortcuts.put(shortcut);
  }

  async remove(name: string): Promise<boolean> {
    if (!(await this.db.shortcuts.get(name))) return false;
    await this.db.shortcuts.delete(name);
    return true;
  }
}

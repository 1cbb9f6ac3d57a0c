/** Saved prompts (`/name` in the composer), one row per name in the `shortcuts` table. */
import type { Shortcut } from '../../shared/protocol';
import type { TandemDatabase } from '../storage/db';

export class ShortcutStore {
  constructor(private readonly db: TandemDatabase) {}

  async list(): Promise<Shortcut[]> {
    return (await this.db.shortcuts.toArray()).sort((a, b) => a.name.localeCompare(b.name));
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

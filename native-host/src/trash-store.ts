/**
 * Tandem's trash: `<data dir>/trash/<entry id>/` holds the moved entry as `item`
 * and its record as `meta.json` (original path, when, size). Nothing here is
 * deleted except by `purge`, which the extension sends only after the user
 * approved a permanent deletion.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TrashEntry } from '../../shared/protocol/native-host';
import { errnoCode, HostError, toHostError } from './errors';
import { entryTypeOf } from './fs/entry-type';
import { moveNoReplace } from './fs/relocate';

/** Enough to size any reasonable folder; beyond it the size is a lower bound. */
const MAX_ENTRIES_MEASURED = 200_000;

/** Bytes under `p`, symlinks not followed. */
async function measure(p: string): Promise<number> {
  let total = 0;
  let seen = 0;
  const stack = [p];
  while (stack.length > 0 && seen < MAX_ENTRIES_MEASURED) {
    const current = stack.pop() as string;
    seen++;
    const stats = await fs.lstat(current).catch(() => null);
    if (!stats) continue;
    if (stats.isDirectory()) {
      const names = await fs.readdir(current).catch(() => [] as string[]);
      for (const name of names) stack.push(path.join(current, name));
    } else {
      total += stats.size;
    }
  }
  return total;
}

export interface TrashSource {
  /** A path naming the entry (through a verified folder handle). */
  path: string;
  originalPath: string;
  rootName: string;
  name: string;
}

export class TrashStore {
  constructor(readonly dir: string) {}

  async ensure(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  itemPath(id: string): string {
    return path.join(this.dir, id, 'item');
  }

  private metaPath(id: string): string {
    return path.join(this.dir, id, 'meta.json');
  }

  private async writeMeta(entry: TrashEntry): Promise<void> {
    const tmp = `${this.metaPath(entry.id)}.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(tmp, this.metaPath(entry.id));
  }

  /** Moves the entry in. The record is written first, so an interrupted move leaves a findable entry. */
  async put(source: TrashSource): Promise<TrashEntry> {
    await this.ensure();
    const id = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const stats = await fs.lstat(source.path);
    await fs.mkdir(path.join(this.dir, id), { mode: 0o700 });
    const entry: TrashEntry = {
      id,
      originalPath: source.originalPath,
      rootName: source.rootName,
      name: source.name,
      type: entryTypeOf(stats),
      size: stats.isDirectory() ? 0 : stats.size,
      deletedAt: new Date().toISOString(),
    };
    try {
      await this.writeMeta(entry);
      await moveNoReplace(source.path, this.itemPath(id), stats.isDirectory(), source.name);
    } catch (error) {
      await fs.rm(path.join(this.dir, id), { recursive: true, force: true });
      throw toHostError(error, source.name);
    }
    if (stats.isDirectory()) {
      entry.size = await measure(this.itemPath(id));
      await this.writeMeta(entry).catch(() => undefined);
    }
    return entry;
  }

  async read(id: string): Promise<TrashEntry> {
    let text: string;
    try {
      text = await fs.readFile(this.metaPath(id), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw new HostError('not_found', `no trash entry ${id}`);
      throw toHostError(error, `trash entry ${id}`);
    }
    const parsed = TrashEntry.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data.id !== id)
      throw new HostError('io', `the record of trash entry ${id} is damaged`);
    return parsed.data;
  }

  /** All entries, newest first. Damaged records are skipped. */
  async list(): Promise<TrashEntry[]> {
    let ids: string[];
    try {
      ids = await fs.readdir(this.dir);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw toHostError(error, 'trash');
    }
    const entries: TrashEntry[] = [];
    for (const id of ids) {
      const entry = await this.read(id).catch(() => null);
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) =>
      a.deletedAt === b.deletedAt ? b.id.localeCompare(a.id) : b.deletedAt.localeCompare(a.deletedAt),
    );
  }

  /** Removes the entry's folder (after a restore, or permanently on purge). False if there was none. */
  async remove(id: string): Promise<boolean> {
    const entryDir = path.join(this.dir, id);
    const exists = await fs.lstat(entryDir).then(
      () => true,
      () => false,
    );
    if (!exists) return false;
    await fs.rm(entryDir, { recursive: true, force: true });
    return true;
  }
}

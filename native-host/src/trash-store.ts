/**
 * Tandem's trash: `<data dir>/trash/<entry id>/` holds the moved entry as `item`
 * and its record as `meta.json` (original path, when, size). Nothing here is
 * deleted except by `purge`, which the extension sends only after the user
 * approved a permanent deletion.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TrashEntry } from '../../shared/protocol/native-host';
import { errnoCode, HostError, toHostError } from './errors';
import { entryTypeOf } from './fs/entry-type';
import { type Identity, sameFile } from './fs/identity';
import { moveEntryNoReplace, PartialMoveError } from './fs/relocate';
import { type Checkpoint, copyEntry, removeOwnTree } from './fs/tree-copy';
import { PinnedDir } from './fs/verified-dir';
import type { PendingTemps } from './pending-temps';

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
  /** The verified folder holding the entry, and the entry's name in it. */
  dir: PinnedDir;
  name: string;
  originalPath: string;
  rootName: string;
  /** How messages name the entry (`<root>/<relative>`). */
  display: string;
}

/** Where a trash entry's item sits: its entry folder, pinned, and the name `item`. */
export interface TrashItem {
  dir: PinnedDir;
  name: 'item';
}

export class TrashStore {
  constructor(
    readonly dir: string,
    private readonly pending?: PendingTemps,
  ) {}

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

  private entryDir(id: string): string {
    return path.join(this.dir, id);
  }

  private async newEntry(source: TrashSource): Promise<{ entry: TrashEntry; isDir: boolean; stats: Stats }> {
    await this.ensure();
    const id = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const stats = await source.dir.lstatChild(source.name);
    await fs.mkdir(this.entryDir(id), { mode: 0o700 });
    const entry: TrashEntry = {
      id,
      originalPath: source.originalPath,
      rootName: source.rootName,
      name: source.name,
      type: entryTypeOf(stats),
      size: stats.isDirectory() ? 0 : stats.size,
      deletedAt: new Date().toISOString(),
    };
    return { entry, isDir: stats.isDirectory(), stats };
  }

  /**
   * Keeps the file at `source` as it is now, leaving it in place: for an
   * overwrite, just before the new content replaces it. A hard link when the
   * trash shares the file system (free, and the rename that follows leaves the
   * trash the only name of the old content), a verified copy otherwise. What is
   * kept must be `expected`, the file the overwrite looked at: a symlink or
   * another file swapped in meanwhile is refused, never kept in its place.
   */
  async keepCopy(source: TrashSource, expected: Identity): Promise<TrashEntry> {
    const { entry, stats } = await this.newEntry(source);
    const entryDir = await PinnedDir.openOwn(this.entryDir(entry.id));
    const changed = () =>
      new HostError('not_allowed', `${source.display} changed while Tandem was keeping its previous content`);
    try {
      if (entry.type !== 'file' || !sameFile(stats, expected)) throw changed();
      await this.writeMeta(entry);
      try {
        await fs.link(source.dir.child(source.name), entryDir.child('item'));
        if (!sameFile(await entryDir.lstatChild('item'), expected)) throw changed();
      } catch (error) {
        const code = errnoCode(error);
        if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') {
          throw error;
        }
        const copied = await copyEntry(source.dir, source.name, entryDir, 'item', source.display);
        if (copied.kind !== 'file' || !sameFile(copied, expected)) throw changed();
      }
      await entryDir.syncQuietly();
    } catch (error) {
      await this.remove(entry.id).catch(() => undefined);
      throw toHostError(error, source.display);
    } finally {
      await entryDir.close();
    }
    return entry;
  }

  /** Moves the entry in. The record is written first, so an interrupted move leaves a findable entry. */
  async put(source: TrashSource, checkpoint?: Checkpoint): Promise<TrashEntry> {
    const { entry, isDir } = await this.newEntry(source);
    const { id } = entry;
    const entryDir = await PinnedDir.openOwn(this.entryDir(id));
    try {
      await this.writeMeta(entry);
      await moveEntryNoReplace(
        source.dir,
        source.name,
        entryDir,
        'item',
        { from: source.display, to: source.display },
        { ...(checkpoint ? { checkpoint } : {}), ...(this.pending ? { pending: this.pending } : {}) },
      );
    } catch (error) {
      // A complete copy whose original could not be fully removed stays: it may be the only copy of some of it.
      if (error instanceof PartialMoveError) {
        throw new HostError('io', `${error.message}; the copy is in the trash as entry ${id}`);
      }
      await this.remove(id).catch(() => undefined);
      throw toHostError(error, source.display);
    } finally {
      await entryDir.close();
    }
    if (isDir) {
      entry.size = await measure(this.itemPath(id));
      await this.writeMeta(entry).catch(() => undefined);
    }
    return entry;
  }

  /** Opens an entry's folder for moving its item out (restore). The caller closes `dir`. */
  async openItem(id: string): Promise<TrashItem> {
    return { dir: await PinnedDir.openOwn(this.entryDir(id)), name: 'item' };
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
    const exists = await fs.lstat(this.entryDir(id)).then(
      () => true,
      () => false,
    );
    if (!exists) return false;
    // By descriptor, making copied read-only folders writable first, so the host can always empty its own trash.
    const trashDir = await PinnedDir.openOwn(this.dir);
    try {
      await removeOwnTree(trashDir, id);
    } finally {
      await trashDir.close();
    }
    return true;
  }
}

/**
 * The runtime's view of local files: the bridge to the host, the allowed folders
 * as the host last reported them, and the trusted-only management the Folders and
 * Trash views use. Changes are announced as ready-to-send runtime messages, which
 * the runtime pushes to every open panel (never to a phone).
 */
import type { BridgeStatus, FolderList, TrashPage } from '../../shared/protocol/files';
import type { AllowedRoot, RootMode, TrashEntry } from '../../shared/protocol/native-host';
import { TRASH_LIST_MAX_LIMIT } from '../../shared/protocol/native-host';
import { BridgeError, type CallOptions, type FileBridge } from './bridge-client';
import type { FolderOf, FolderWritePolicy } from './folder-policy';
import { absoluteOf, displayPath, selfAndAncestors } from './host-paths';
import { type ReadBytesOptions, type ReadBytesResult, readFileBytes } from './transfers';

export type FilesChange =
  | { type: 'bridge'; status: BridgeStatus }
  | ({ type: 'folders' } & FolderList)
  | ({ type: 'trash' } & TrashPage);

/** Bridge failures that say nothing about the path: the host is not there to ask. */
const UNREACHABLE = new Set(['not_installed', 'unavailable', 'timeout', 'cancelled', 'bad_answer']);

export class FileAccess {
  /** The allowed folders, as of the host's last answer. */
  roots: AllowedRoot[] = [];
  private readonly listeners = new Set<(change: FilesChange) => void>();

  constructor(
    readonly bridge: FileBridge,
    private readonly writes: FolderWritePolicy,
  ) {
    bridge.onStatus((status) => {
      this.emit({ type: 'bridge', status });
      const hello = bridge.lastHello;
      if (status.state === 'connected' && hello) {
        this.roots = hello.roots;
        this.emit({ type: 'folders', folders: hello.roots, unavailable: hello.unavailableRoots });
      }
    });
  }

  onChange(listener: (change: FilesChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): BridgeStatus {
    return this.bridge.status;
  }

  /** Reconnects and says hello; the new state is announced if it changed. */
  check(): Promise<BridgeStatus> {
    return this.bridge.check();
  }

  /** `notes/todo.md` for paths in an allowed folder. */
  show(path: string): string {
    return displayPath(this.roots, path);
  }

  async listFolders(options: CallOptions = {}): Promise<FolderList> {
    const hello = await this.bridge.call('hello', {}, options);
    this.roots = hello.roots;
    return { folders: hello.roots, unavailable: hello.unavailableRoots };
  }

  async addFolder(fields: { path: string; mode: RootMode; autoApproveWrites: boolean; name?: string | undefined }) {
    const { root } = await this.bridge.call('roots.add', {
      path: fields.path,
      mode: fields.mode,
      autoApproveWrites: fields.autoApproveWrites,
      ...(fields.name === undefined ? {} : { name: fields.name }),
    });
    // A folder allowed again starts from "ask" even if an old grant for its path survived.
    await this.writes.forgetFolder(root.path);
    await this.announceFolders();
    return root;
  }

  async removeFolder(name: string): Promise<AllowedRoot> {
    const { root } = await this.bridge.call('roots.remove', { name });
    await this.writes.forgetFolder(root.path);
    await this.announceFolders();
    return root;
  }

  async updateFolder(fields: { name: string; mode?: RootMode | undefined; autoApproveWrites?: boolean | undefined }) {
    const { root } = await this.bridge.call('roots.update', {
      name: fields.name,
      ...(fields.mode === undefined ? {} : { mode: fields.mode }),
      ...(fields.autoApproveWrites === undefined ? {} : { autoApproveWrites: fields.autoApproveWrites }),
    });
    await this.announceFolders();
    return root;
  }

  async listTrash(cursor?: string): Promise<TrashPage> {
    return this.bridge.call('trash.list', { limit: 100, ...(cursor === undefined ? {} : { cursor }) });
  }

  async restore(entryId: string, overwrite = false, options: CallOptions = {}) {
    const result = await this.bridge.call('trash.restore', { entryId, overwrite }, options);
    void this.announceTrash();
    return result;
  }

  /** Permanent deletion: only the Trash view calls this, after the user confirmed. */
  async purge(entryIds: string[]) {
    const result = await this.bridge.call('trash.purge', { entryIds });
    void this.announceTrash();
    return result;
  }

  /** A whole file as bytes, read in pipelined chunks (images for the model, benchmarks). */
  readBytes(path: string, options: ReadBytesOptions = {}): Promise<ReadBytesResult> {
    return readFileBytes(this.bridge, path, options);
  }

  /** Every trash entry, newest first (pages through the host's list). */
  async allTrash(options: CallOptions = {}): Promise<TrashEntry[]> {
    const entries: TrashEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bridge.call(
        'trash.list',
        { limit: TRASH_LIST_MAX_LIMIT, ...(cursor === undefined ? {} : { cursor }) },
        options,
      );
      entries.push(...page.entries);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return entries.sort((a, b) => (a.deletedAt < b.deletedAt ? 1 : a.deletedAt > b.deletedAt ? -1 : 0));
  }

  /**
   * The allowed folder a path really leads to, asked of the host: `stat` on the
   * path, or on its nearest existing ancestor for something not created yet.
   * "outside" when the host refuses it; "unknown" when the host cannot be asked.
   */
  async folderOf(path: string, options: CallOptions = {}): Promise<FolderOf> {
    const absolute = absoluteOf(this.roots, path);
    const candidates = selfAndAncestors(absolute ?? path);
    for (const candidate of candidates) {
      try {
        const stat = await this.bridge.call('stat', { path: candidate }, options);
        // The folder's settings as of now (auto-approve may have been switched off from the command line).
        const { folders } = await this.listFolders(options);
        return folders.find((r) => r.name === stat.root) ?? 'unknown';
      } catch (error) {
        if (!(error instanceof BridgeError) || UNREACHABLE.has(error.code)) return 'unknown';
        if (error.code === 'not_found' || error.code === 'wrong_type') continue;
        // not_allowed, bad_request…: the host will refuse the change itself.
        return 'outside';
      }
    }
    return 'outside';
  }

  /** Tells open Trash views that the trash changed (after the agent deleted or restored something). */
  async announceTrash(): Promise<void> {
    try {
      this.emit({ type: 'trash', ...(await this.listTrash()) });
    } catch {
      // The view asks again when it opens.
    }
  }

  private async announceFolders(): Promise<void> {
    try {
      this.emit({ type: 'folders', ...(await this.listFolders()) });
    } catch {
      // The view asks again when it opens.
    }
  }

  private emit(change: FilesChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

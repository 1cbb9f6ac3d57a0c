/**
 * The automatic backup's copy on the computer: typed calls to the file host's `backup.save`,
 * `backup.list` and `backup.load` (shared/protocol/native-host.ts), shaped as a SnapshotStore so
 * AutoBackup writes it beside the browser's own copy. The host keeps it in its own data folder,
 * outside the browser profile, so a browser that deletes its IndexedDB (Chromium's corruption
 * handling after a failed write on a full disk) cannot take it too.
 *
 * Only the extension's own code calls these; no model tool can (EXTENSION_ONLY_OPS).
 */
import { type HostBackup, MAX_HOST_BACKUP_CHARS } from '../../shared/protocol/native-host';
import type { Snapshot, SnapshotStore } from '../storage/auto-backup';
import { base64ToBytes } from './base64';
import type { FileBridge } from './bridge-client';
import { ChunkAssembler } from './chunk-assembler';

/** A save writes up to 20 Mi characters and fsyncs them: give it longer than a file read. */
const SAVE_TIMEOUT_MS = 120_000;
/** Asked when the storage status is refreshed: must not hold it up for long. */
const LIST_TIMEOUT_MS = 5_000;

export interface DiskBackupInfo {
  at: number;
  folder: string;
}

export class HostBackups implements SnapshotStore {
  /** The newest backup on disk as last seen; null: looked, there is none. */
  private known: DiskBackupInfo | null | undefined;

  constructor(private readonly bridge: FileBridge) {}

  /** Without a host there is nothing to ask, and asking would only fail slowly. */
  private get installed(): boolean {
    return this.bridge.status.state !== 'not_installed';
  }

  async set(snapshot: Snapshot): Promise<void> {
    if (!this.installed) return;
    if (snapshot.json.length > MAX_HOST_BACKUP_CHARS) {
      // One request is one frame, and the host reads at most 64 MiB per frame: the browser's copy and
      // the manual export still cover this history.
      throw new Error(`The backup is too large for the computer's backup folder (${snapshot.json.length} characters).`);
    }
    const saved = await this.bridge.call('backup.save', { content: snapshot.json }, { timeoutMs: SAVE_TIMEOUT_MS });
    this.known = { at: saved.backup.savedAt, folder: saved.folder };
  }

  async getAt(): Promise<number | undefined> {
    return (await this.latestInfo())?.at;
  }

  /** The newest backup's time and folder; undefined when there is none or the host cannot be asked. */
  async latestInfo(): Promise<DiskBackupInfo | undefined> {
    if (this.known !== undefined) return this.known ?? undefined;
    if (!this.installed) return undefined;
    const listed = await this.bridge.call('backup.list', {}, { timeoutMs: LIST_TIMEOUT_MS });
    const newest = listed.backups[0];
    this.known = newest ? { at: newest.savedAt, folder: listed.folder } : null;
    return this.known ?? undefined;
  }

  /**
   * The newest backup that loads whole (an unreadable one is skipped for the one before it). Asked
   * even when the host looked absent: a restore is the user's explicit act, and the browser looks the
   * host up again on every connect (it may just have been installed); absent, this says so.
   */
  async get(): Promise<Snapshot | undefined> {
    const { backups } = await this.bridge.call('backup.list', {});
    let lastError: unknown;
    for (const backup of backups) {
      try {
        return { at: backup.savedAt, json: await this.load(backup) };
      } catch (error) {
        lastError = error;
      }
    }
    if (lastError) throw lastError;
    return undefined;
  }

  /** Reads one backup in chunks (each answer stays under the 1 MiB native messaging cap). */
  private async load(backup: HostBackup): Promise<string> {
    const first = await this.bridge.call('backup.load', { name: backup.name, offset: 0 });
    const assembler = new ChunkAssembler(first.size);
    let chunk = first;
    for (;;) {
      assembler.add(chunk.range.start, base64ToBytes(chunk.content), chunk.size);
      if (chunk.eof || chunk.range.end === chunk.range.start) break;
      chunk = await this.bridge.call('backup.load', { name: backup.name, offset: chunk.range.end });
    }
    // Strict: a backup cut short or damaged on disk must not restore as garbage.
    return new TextDecoder('utf-8', { fatal: true }).decode(assembler.bytes());
  }
}

/**
 * An open handle on a folder whose real path was checked after opening. All
 * later file system calls go through `child(name)`, so a folder that is swapped
 * for a symlink between the check and the use cannot redirect them.
 *
 * On Linux `child(name)` is `/proc/self/fd/<fd>/<name>`: the kernel resolves that
 * relative to the very folder the descriptor pins, which gives `openat()`
 * semantics to Node's path-based API. The descriptor's real path is read back
 * from `/proc/self/fd/<fd>` and must equal the path that was checked.
 * Without procfs (macOS) the opened folder's dev/ino is compared with a fresh
 * lstat of the checked path and children are named by path: a narrower,
 * documented check-then-use window remains there (no `openat` in Node).
 */
import { constants, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import {
  type AccessIntent,
  type AccessPolicy,
  decideAccess,
  displayPath,
  isPlainName,
  type PolicyRoot,
} from '../confine';
import { HostError, toHostError } from '../errors';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;

let procFd: Promise<boolean> | null = null;

/** Whether `/proc/self/fd/N` magic links work here (checked once). */
export function procFdAvailable(): Promise<boolean> {
  if (procFd === null) {
    procFd = (async () => {
      if (process.platform !== 'linux') return false;
      let handle: FileHandle | null = null;
      try {
        handle = await fs.open('/', O_RDONLY | O_DIRECTORY);
        return (await fs.readlink(`/proc/self/fd/${handle.fd}`)) === '/';
      } catch {
        return false;
      } finally {
        await handle?.close();
      }
    })();
  }
  return procFd;
}

function changed(): HostError {
  return new HostError(
    'not_allowed',
    'the file or folder changed while Tandem was using it (was it replaced by a symlink?); nothing was done',
  );
}

async function verifyHandle(handle: FileHandle, expected: string, viaProc: boolean): Promise<void> {
  if (viaProc) {
    const actual = await fs.readlink(`/proc/self/fd/${handle.fd}`);
    if (actual !== expected) throw changed();
    return;
  }
  const [opened, named] = await Promise.all([handle.stat(), fs.lstat(expected)]);
  if (opened.dev !== named.dev || opened.ino !== named.ino) throw changed();
}

/**
 * Opens `realPath` as a folder (never through a symlink as its last part) and
 * checks what was opened. Errors from the OS stay raw unless `subject` names
 * the folder, so callers can say which of their entries failed.
 */
async function openDirAt(
  pathToOpen: string,
  realPath: string,
  viaProc: boolean,
  subject?: string,
): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await fs.open(pathToOpen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    throw subject === undefined ? error : toHostError(error, subject);
  }
  try {
    await verifyHandle(handle, realPath, viaProc);
  } catch (error) {
    await handle.close();
    throw subject === undefined ? error : toHostError(error, subject);
  }
  return handle;
}

/**
 * A folder pinned by an open descriptor whose real path was checked after
 * opening. Everything below it is reached through `child(name)`, one plain name
 * at a time, so no symlink anywhere (swapped in before or during the work) can
 * redirect a call. Used as is for the host's own folders (the trash), and
 * through `VerifiedDir` for allowed folders.
 */
export class PinnedDir {
  private closed = false;

  protected constructor(
    readonly handle: FileHandle,
    readonly realPath: string,
    protected readonly viaProc: boolean,
  ) {}

  /**
   * Opens one of the host's own folders (no policy: the protocol never names
   * them; their location is the host's own setting, so symlinks above are fine).
   */
  static async openOwn(folder: string): Promise<PinnedDir> {
    const viaProc = await procFdAvailable();
    const realPath = await fs.realpath(folder);
    return new PinnedDir(await openDirAt(realPath, realPath, viaProc), realPath, viaProc);
  }

  /** A path naming `name` inside exactly this folder. */
  child(name: string): string {
    if (!isPlainName(name)) throw new HostError('bad_request', `not a plain name: ${JSON.stringify(name)}`);
    if (this.closed) throw new HostError('internal', 'folder handle used after close');
    return this.viaProc ? `/proc/self/fd/${this.handle.fd}/${name}` : `${this.self()}/${name}`;
  }

  /** A path naming this folder itself (for readdir). */
  self(): string {
    if (this.viaProc) return `/proc/self/fd/${this.handle.fd}`;
    return this.realPath === '/' ? '' : this.realPath;
  }

  childRealPath(name: string): string {
    return this.realPath === '/' ? `/${name}` : `${this.realPath}/${name}`;
  }

  /**
   * Opens a file in this folder; never follows a symlink in its place. What was
   * opened is checked once more (belt and braces over the pinned folder).
   */
  async openFile(name: string, flags: number, mode?: number): Promise<FileHandle> {
    const file = await fs.open(this.child(name), flags | O_NOFOLLOW, mode);
    try {
      await verifyHandle(file, this.childRealPath(name), this.viaProc);
    } catch (error) {
      await file.close();
      throw error;
    }
    return file;
  }

  lstatChild(name: string): Promise<Stats> {
    return fs.lstat(this.child(name));
  }

  /** Opens a subfolder through this handle (no symlink followed), re-verified like `open`. */
  async openChildDir(name: string): Promise<PinnedDir> {
    const realPath = this.childRealPath(name);
    return new PinnedDir(await openDirAt(this.child(name), realPath, this.viaProc), realPath, this.viaProc);
  }

  /** Makes renames and creations in this folder durable. Some file systems refuse; that is not an error. */
  async syncQuietly(): Promise<void> {
    await this.handle.sync().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }
}

/** A pinned folder inside an allowed folder, checked against the access policy at every open. */
export class VerifiedDir extends PinnedDir {
  private constructor(
    handle: FileHandle,
    realPath: string,
    readonly root: PolicyRoot,
    viaProc: boolean,
  ) {
    super(handle, realPath, viaProc);
  }

  /** Opens `realPath` (no symlink as its last part), checks what was opened, then checks the policy. */
  static async open(policy: AccessPolicy, realPath: string, intent: AccessIntent): Promise<VerifiedDir> {
    const before = decideAccess(policy, realPath, intent);
    if (!before.ok) throw new HostError(before.code, before.message);
    const viaProc = await procFdAvailable();
    const subject = displayPath(before.value, realPath);
    return new VerifiedDir(await openDirAt(realPath, realPath, viaProc, subject), realPath, before.value, viaProc);
  }

  /** Opens a subfolder through this handle, re-verified like `open`. */
  async openSubdir(policy: AccessPolicy, name: string, intent: AccessIntent): Promise<VerifiedDir> {
    const realPath = this.childRealPath(name);
    const decision = decideAccess(policy, realPath, intent);
    if (!decision.ok) throw new HostError(decision.code, decision.message);
    const handle = await openDirAt(this.child(name), realPath, this.viaProc, displayPath(decision.value, realPath));
    return new VerifiedDir(handle, realPath, decision.value, this.viaProc);
  }

  /** Still where it was checked, and still allowed for `intent` under `policy` (a folder can be revoked mid-transfer). */
  async recheck(policy: AccessPolicy, intent: AccessIntent): Promise<void> {
    const decision = decideAccess(policy, this.realPath, intent);
    if (!decision.ok) throw new HostError(decision.code, decision.message);
    await verifyHandle(this.handle, this.realPath, this.viaProc);
  }
}

/** Runs `work` with a verified folder and always closes it. */
export async function withVerifiedDir<T>(
  policy: AccessPolicy,
  realPath: string,
  intent: AccessIntent,
  work: (dir: VerifiedDir) => Promise<T>,
): Promise<T> {
  const dir = await VerifiedDir.open(policy, realPath, intent);
  try {
    return await work(dir);
  } finally {
    await dir.close();
  }
}

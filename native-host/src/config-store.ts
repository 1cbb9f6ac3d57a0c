/**
 * The allowed folders, kept by the host itself in `host-config.json` (see
 * host-dirs.ts). Validated with zod on every load; a file that does not parse
 * means "no folder is allowed" (fail closed) until it is fixed or rewritten.
 * Written atomically (temp file + fsync + rename, mode 0600) so the browser's
 * host and the `tandem-host folders` command can both use it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AllowedRoot, type RootMode, RootName } from '../../shared/protocol/native-host';
import { checkPathSyntax, isInside, normalizeAbsolute } from './confine';
import { errnoCode, HostError, toHostError } from './errors';

export const HostConfig = z.object({
  version: z.literal(1),
  roots: z.array(AllowedRoot),
});
export type HostConfig = z.infer<typeof HostConfig>;

export interface LoadedConfig {
  config: HostConfig;
  /** Why the file could not be used; the config is then empty. */
  error: string | null;
}

export interface NewRoot {
  path: string;
  mode: RootMode;
  autoApproveWrites: boolean;
  name?: string | undefined;
}

const EMPTY: HostConfig = { version: 1, roots: [] };

export class ConfigStore {
  /** Serialises read-modify-write cycles inside this process. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    /** Real paths that may never become allowed folders (the host's own). */
    private readonly denied: () => Promise<readonly string[]>,
  ) {}

  async load(): Promise<LoadedConfig> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { config: EMPTY, error: null };
      return { config: EMPTY, error: `cannot read ${this.file}: ${toHostError(error).message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { config: EMPTY, error: `${this.file} is not valid JSON; no folder is allowed until it is fixed` };
    }
    const parsed = HostConfig.safeParse(json);
    if (!parsed.success) {
      return {
        config: EMPTY,
        error: `${this.file} does not match the expected shape (${parsed.error.issues[0]?.message ?? 'invalid'}); no folder is allowed until it is fixed`,
      };
    }
    return { config: parsed.data, error: null };
  }

  private async save(config: HostConfig): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(config, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(tmp, this.file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
  }

  /** Read, change, write, one at a time. A broken file is kept aside (`.broken-…`) rather than lost. */
  private update<T>(change: (config: HostConfig) => Promise<{ config: HostConfig; value: T }>): Promise<T> {
    const run = this.chain.then(async () => {
      const loaded = await this.load();
      if (loaded.error) {
        await fs.rename(this.file, `${this.file}.broken-${Date.now()}`).catch(() => undefined);
      }
      const { config, value } = await change(structuredClone(loaded.config));
      await this.save(config);
      return value;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  addRoot(request: NewRoot): Promise<AllowedRoot> {
    return this.update(async (config) => {
      if (!request.path.startsWith('/'))
        throw new HostError('bad_request', 'a folder to allow must be an absolute path');
      const syntaxError = checkPathSyntax(request.path);
      if (syntaxError) throw new HostError('bad_request', syntaxError);
      let real: string;
      try {
        real = await fs.realpath(normalizeAbsolute(request.path));
      } catch (error) {
        throw toHostError(error, request.path);
      }
      const stats = await fs.stat(real);
      if (!stats.isDirectory()) throw new HostError('wrong_type', `${request.path} is not a folder`);
      if (real === '/') throw new HostError('bad_request', 'refusing to allow the whole file system');
      for (const denied of await this.denied()) {
        if (isInside(denied, real)) {
          throw new HostError('not_allowed', `${request.path} is inside Tandem's own files and cannot be allowed`);
        }
      }
      if (config.roots.some((r) => r.path === real)) {
        throw new HostError('exists', `${real} is already an allowed folder`);
      }
      let name: string;
      if (request.name !== undefined) {
        if (!RootName.safeParse(request.name).success) throw new HostError('bad_request', 'invalid folder name');
        if (config.roots.some((r) => r.name === request.name)) {
          throw new HostError('exists', `an allowed folder is already called ${request.name}`);
        }
        name = request.name;
      } else {
        name = uniqueName(
          config.roots.map((r) => r.name),
          path.basename(real),
        );
      }
      const root: AllowedRoot = {
        name,
        path: real,
        mode: request.mode,
        autoApproveWrites: request.autoApproveWrites,
        addedAt: new Date().toISOString(),
      };
      config.roots.push(root);
      return { config, value: root };
    });
  }

  removeRoot(name: string): Promise<AllowedRoot> {
    return this.update(async (config) => {
      const root = config.roots.find((r) => r.name === name);
      if (!root) throw new HostError('not_found', `no allowed folder is called ${name}`);
      config.roots = config.roots.filter((r) => r !== root);
      return { config, value: root };
    });
  }

  updateRoot(name: string, patch: { mode?: RootMode | undefined; autoApproveWrites?: boolean | undefined }) {
    return this.update(async (config) => {
      const root = config.roots.find((r) => r.name === name);
      if (!root) throw new HostError('not_found', `no allowed folder is called ${name}`);
      if (patch.mode !== undefined) root.mode = patch.mode;
      if (patch.autoApproveWrites !== undefined) root.autoApproveWrites = patch.autoApproveWrites;
      return { config, value: root };
    });
  }
}

/** `notes`, then `notes-2`, `notes-3`… Names stay within 64 characters and never contain "/". */
export function uniqueName(taken: readonly string[], base: string): string {
  const cleaned = base.replace(/[/\0]/g, '_').slice(0, 56) || 'folder';
  const start = cleaned === '.' || cleaned === '..' ? 'folder' : cleaned;
  if (!taken.includes(start)) return start;
  for (let n = 2; ; n++) {
    const candidate = `${start}-${n}`;
    if (!taken.includes(candidate)) return candidate;
  }
}

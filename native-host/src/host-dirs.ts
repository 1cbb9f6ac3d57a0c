/**
 * Where the host keeps its own files. These folders are never reachable through
 * the protocol, even when an allowed folder contains them: the allowed-folder
 * list lives here, and so does the installed copy of the host the browser runs.
 *
 * - Linux: settings in `$XDG_CONFIG_HOME/tandem` (default `~/.config/tandem`),
 *   data (trash, the extension's backups, installed host) in `$XDG_DATA_HOME/tandem` (default `~/.local/share/tandem`).
 * - macOS: both in `~/Library/Application Support/Tandem`.
 * - `TANDEM_HOST_HOME` replaces both (tests, portable installs).
 *
 * The browsers' native messaging manifest folders are guarded the same way: a
 * manifest names the program a browser starts, so rewriting one in an allowed
 * home folder would make the browser run anything.
 */
import os from 'node:os';
import path from 'node:path';
import { BROWSERS, manifestTargets, SYSTEM_MANIFEST_DIRS } from './manifest-locations';

export interface HostDirs {
  configDir: string;
  configFile: string;
  dataDir: string;
  trashDir: string;
  /** The extension's automatic backups (`backup.save`), kept apart from the browser profile. */
  backupDir: string;
  /** The installed host bundle and its launcher script. */
  installDir: string;
  /** Notes of temp files in flight, swept at start (see pending-temps.ts). */
  pendingDir: string;
  /** Where `install` notes the manifests it wrote (custom profile folders included). */
  installRecord: string;
  /** Every folder where a browser on this platform looks for native messaging manifests. */
  manifestDirs: string[];
  /** Programs the browser ends up running (node, the running host bundle): set by main. */
  programs: string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `HOME` first, so tests (and the installer) can point it at a temp folder. */
export function homeDir(env: Env): string {
  const home = env.HOME;
  return home && path.isAbsolute(home) ? home : os.homedir();
}

function absoluteOr(value: string | undefined, fallback: string): string {
  // The XDG spec says relative values are invalid and must be ignored.
  return value && path.isAbsolute(value) ? value : fallback;
}

export function resolveHostDirs(env: Env, platform: NodeJS.Platform = process.platform): HostDirs {
  const override = env.TANDEM_HOST_HOME;
  let configDir: string;
  let dataDir: string;
  if (override && path.isAbsolute(override)) {
    configDir = override;
    dataDir = override;
  } else if (platform === 'darwin') {
    configDir = path.join(homeDir(env), 'Library', 'Application Support', 'Tandem');
    dataDir = configDir;
  } else {
    const home = homeDir(env);
    configDir = path.join(absoluteOr(env.XDG_CONFIG_HOME, path.join(home, '.config')), 'tandem');
    dataDir = path.join(absoluteOr(env.XDG_DATA_HOME, path.join(home, '.local', 'share')), 'tandem');
  }
  const manifestDirs = [
    ...manifestTargets(platform, homeDir(env), BROWSERS, []).map((t) => path.dirname(t.manifestPath)),
    ...(platform === 'darwin' ? SYSTEM_MANIFEST_DIRS.darwin : SYSTEM_MANIFEST_DIRS.linux),
  ];
  return {
    configDir,
    configFile: path.join(configDir, 'host-config.json'),
    dataDir,
    trashDir: path.join(dataDir, 'trash'),
    backupDir: path.join(dataDir, 'backups'),
    installDir: path.join(dataDir, 'host'),
    installRecord: path.join(dataDir, 'installed-manifests.json'),
    pendingDir: path.join(dataDir, 'pending'),
    manifestDirs,
    programs: [],
  };
}

/**
 * The real file host for end-to-end tests, installed the way a user installs it
 * (native-host/src/install.ts: a copy of the bundle, a launcher script, a manifest
 * per browser), but into the test's sandbox: the browser starts the host through
 * the launcher with its own environment, so the launcher carries
 * TANDEM_HOST_HOME, and the host's settings and trash stay in the sandbox.
 *
 * - Chromium with --user-data-dir=DIR reads DIR/NativeMessagingHosts/NAME.json;
 * - Firefox reads $HOME/.mozilla/native-messaging-hosts/NAME.json (allowed_extensions).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { install } from '../../../native-host/src/install';
import { type BrowserId, manifestTargets } from '../../../native-host/src/manifest-locations';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export interface InstalledHost {
  /** The host's own folder (settings, trash, installed copy): TANDEM_HOST_HOME. */
  hostHome: string;
  /** The manifest files written. */
  manifests: string[];
  /** Removes the manifests (the browser then reports the host as not installed). */
  removeManifests(): void;
}

/** Builds the host from this checkout into the sandbox, so a test never runs a stale bundle. */
export function buildHostInto(root: string): string {
  const outfile = join(root, 'host-build', 'tandem-host.mjs');
  mkdirSync(join(root, 'host-build'), { recursive: true });
  execFileSync(process.execPath, [join(REPO_ROOT, 'native-host', 'build.mjs'), '--outfile', outfile], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
  return outfile;
}

/**
 * Installs the host for a sandboxed browser: `profileDirs` for Chromium profiles,
 * `browsers: ['firefox']` for Firefox (manifest under the sandbox's HOME).
 */
export async function installHost(
  root: string,
  bundle: string,
  where: { profileDirs?: string[]; browsers?: BrowserId[] },
): Promise<InstalledHost> {
  const hostHome = join(root, 'host-home');
  const env = { HOME: join(root, 'home'), TANDEM_HOST_HOME: hostHome };
  const browsers = where.browsers ?? [];
  const profileDirs = where.profileDirs ?? [];
  const out: string[] = [];
  const code = await install({
    env,
    platform: process.platform,
    bundlePath: bundle,
    nodePath: process.execPath,
    browsers,
    profileDirs,
    extraIds: [],
    out: (line) => out.push(line),
  });
  if (code !== 0) throw new Error(`Host install failed:\n${out.join('\n')}`);
  const manifests = manifestTargets(process.platform, env.HOME, browsers, profileDirs).map((t) => t.manifestPath);
  return {
    hostHome,
    manifests,
    removeManifests: () => {
      for (const manifest of manifests) rmSync(manifest, { force: true });
    },
  };
}

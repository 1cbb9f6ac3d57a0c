/**
 * `tandem-host install | uninstall | doctor`.
 *
 * install copies the built host into the host's data folder (out of reach of
 * the allowed folders, so an agent with write access to this repository cannot
 * change the program the browser runs), writes a launcher script that execs
 * the absolute node path (browsers start hosts without a shell PATH), and
 * writes one manifest per browser pointing at that launcher.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CHROME_EXTENSION_ID, GECKO_ID, NATIVE_HOST_NAME } from '../../shared/extension-identity';
import { NativeHostResponse } from '../../shared/protocol/native-host';
import { ConfigStore } from './config-store';
import { encodeFrame, FrameDecoder } from './framing';
import { type Env, type HostDirs, homeDir, resolveHostDirs } from './host-dirs';
import {
  BROWSERS,
  type BrowserId,
  buildManifest,
  chromeOrigin,
  isSupportedPlatform,
  type ManifestTarget,
  manifestTargets,
} from './manifest-locations';
import { buildPolicy, deniedPaths, recordedManifestDirs } from './policy';

export interface InstallerOptions {
  env: Env;
  platform: NodeJS.Platform;
  /** The built host (`dist/tandem-host.mjs`) being run. */
  bundlePath: string;
  /** Absolute path of the node binary to start the host with. */
  nodePath: string;
  browsers: readonly BrowserId[];
  profileDirs: readonly string[];
  /** Development extension ids to allow besides the published ones. */
  extraIds: readonly string[];
  out: (line: string) => void;
}

export const LAUNCHER_NAME = 'tandem-host';
export const INSTALLED_BUNDLE_NAME = 'tandem-host.mjs';

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function launcherScript(nodePath: string, bundlePath: string, env: Readonly<Record<string, string>>): string {
  const lines = [
    '#!/bin/sh',
    '# Tandem native messaging host launcher, written by `tandem-host install`.',
    '# Browsers start native hosts without a login shell PATH, so node is named by its absolute path.',
  ];
  for (const [key, value] of Object.entries(env)) lines.push(`${key}=${shellQuote(value)}; export ${key}`);
  lines.push(`exec ${shellQuote(nodePath)} ${shellQuote(bundlePath)} "$@"`, '');
  return lines.join('\n');
}

async function writeFileAtomic(file: string, content: string | Buffer, mode: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, content, { mode });
  await fs.chmod(tmp, mode);
  await fs.rename(tmp, file);
}

function unsupported(options: InstallerOptions): boolean {
  if (isSupportedPlatform(options.platform)) return false;
  options.out(
    options.platform === 'win32'
      ? 'Windows is not supported yet: native hosts there are registered in the registry, which this installer does not write.'
      : `${options.platform} is not supported yet (Linux and macOS are).`,
  );
  return true;
}

/**
 * Notes every manifest folder written, so the running host keeps them out of
 * reach too (a `--profile-dir` folder is not one it could guess). Kept across
 * installs: a manifest stays where it was written until uninstall.
 */
async function recordManifestDirs(dirs: HostDirs, written: readonly string[]): Promise<void> {
  const known = new Set([...(await recordedManifestDirs(dirs)), ...written.map((d) => path.resolve(d))]);
  await writeFileAtomic(dirs.installRecord, `${JSON.stringify({ manifestDirs: [...known] }, null, 2)}\n`, 0o600);
}

export async function install(options: InstallerOptions): Promise<number> {
  if (unsupported(options)) return 1;
  if (!options.bundlePath.endsWith('.mjs')) {
    options.out('Run the built host (npm run host:build, then native-host/bin/tandem-host.mjs install).');
    return 1;
  }
  const dirs = resolveHostDirs(options.env, options.platform);
  const home = homeDir(options.env);
  const bundleTarget = path.join(dirs.installDir, INSTALLED_BUNDLE_NAME);
  const launcherPath = path.join(dirs.installDir, LAUNCHER_NAME);

  await fs.mkdir(dirs.installDir, { recursive: true, mode: 0o755 });
  if (path.resolve(options.bundlePath) !== bundleTarget) {
    await writeFileAtomic(bundleTarget, await fs.readFile(options.bundlePath), 0o644);
  }
  const launcherEnv: Record<string, string> = {};
  if (options.env.TANDEM_HOST_HOME) launcherEnv.TANDEM_HOST_HOME = options.env.TANDEM_HOST_HOME;
  if (options.extraIds.length > 0) launcherEnv.TANDEM_ALLOWED_EXTENSION_IDS = options.extraIds.join(',');
  await writeFileAtomic(launcherPath, launcherScript(options.nodePath, bundleTarget, launcherEnv), 0o755);
  options.out(`Host installed: ${bundleTarget}`);
  options.out(`Launcher: ${launcherPath} (runs ${options.nodePath})`);

  const targets = manifestTargets(options.platform, home, options.browsers, options.profileDirs);
  for (const target of targets) {
    const manifest = buildManifest(target.kind, launcherPath, options.extraIds);
    await writeFileAtomic(target.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
    options.out(`${target.label}: ${target.manifestPath}`);
  }
  await recordManifestDirs(
    dirs,
    targets.map((t) => path.dirname(t.manifestPath)),
  );
  options.out('Next: allow a folder with `tandem-host folders add PATH [--read-write]`, then reload the extension.');
  return 0;
}

export async function uninstall(options: InstallerOptions): Promise<number> {
  if (unsupported(options)) return 1;
  const dirs = resolveHostDirs(options.env, options.platform);
  const home = homeDir(options.env);
  for (const target of manifestTargets(options.platform, home, BROWSERS, options.profileDirs)) {
    try {
      await fs.unlink(target.manifestPath);
      options.out(`Removed ${target.manifestPath}`);
    } catch {
      // Not installed for this browser.
    }
  }
  for (const name of [LAUNCHER_NAME, INSTALLED_BUNDLE_NAME]) {
    await fs.rm(path.join(dirs.installDir, name), { force: true });
  }
  await fs.rmdir(dirs.installDir).catch(() => undefined);
  options.out(`Removed the installed host from ${dirs.installDir}.`);
  options.out(`Kept your settings (${dirs.configFile}) and Tandem's trash (${dirs.trashDir}).`);
  return 0;
}

interface ManifestCheck {
  target: ManifestTarget;
  launcher: string | null;
  problems: string[];
}

async function checkManifest(target: ManifestTarget): Promise<ManifestCheck | null> {
  let text: string;
  try {
    text = await fs.readFile(target.manifestPath, 'utf8');
  } catch {
    return null;
  }
  const problems: string[] = [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { target, launcher: null, problems: ['the manifest is not valid JSON'] };
  }
  if (typeof json !== 'object' || json === null) return { target, launcher: null, problems: ['not a JSON object'] };
  const manifest = json as Record<string, unknown>;
  if (manifest.name !== NATIVE_HOST_NAME)
    problems.push(`"name" is ${JSON.stringify(manifest.name)}, not ${NATIVE_HOST_NAME}`);
  if (manifest.type !== 'stdio') problems.push('"type" is not "stdio"');
  if (target.kind === 'chromium') {
    const origins = manifest.allowed_origins;
    if (!Array.isArray(origins) || !origins.includes(chromeOrigin(CHROME_EXTENSION_ID))) {
      problems.push(`"allowed_origins" does not list ${chromeOrigin(CHROME_EXTENSION_ID)}`);
    }
  } else {
    const ids = manifest.allowed_extensions;
    if (!Array.isArray(ids) || !ids.includes(GECKO_ID)) problems.push(`"allowed_extensions" does not list ${GECKO_ID}`);
  }
  const launcher = typeof manifest.path === 'string' ? manifest.path : null;
  if (launcher === null || !path.isAbsolute(launcher)) {
    problems.push('"path" must be an absolute path');
    return { target, launcher: null, problems };
  }
  try {
    await fs.access(launcher, constants.X_OK);
  } catch {
    problems.push(`"path" ${launcher} does not exist or is not executable`);
    return { target, launcher: null, problems };
  }
  return { target, launcher, problems };
}

/** Starts the host the way the browser would and sends one `hello`. */
export async function helloThroughLauncher(
  launcher: string,
  args: readonly string[],
  env: Env,
  timeoutMs = 10_000,
): Promise<{ ok: true; hostVersion: string; roots: number } | { ok: false; problem: string }> {
  return new Promise((resolve) => {
    const child = spawn(launcher, [...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env } });
    const decoder = new FrameDecoder();
    let stderr = '';
    let settled = false;
    const settle = (value: Awaited<ReturnType<typeof helloThroughLauncher>>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      resolve(value);
    };
    const timer = setTimeout(() => settle({ ok: false, problem: `no answer within ${timeoutMs} ms` }), timeoutMs);
    child.on('error', (error) => settle({ ok: false, problem: `could not start it: ${error.message}` }));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === 'error') {
          settle({ ok: false, problem: `it answered with a broken frame: ${frame.message}` });
          return;
        }
        const response = NativeHostResponse.safeParse(frame.value);
        if (!response.success)
          settle({ ok: false, problem: 'it answered with something that is not a protocol answer' });
        else if (!response.data.ok) {
          settle({
            ok: false,
            problem: `it refused hello: ${response.data.error.code}: ${response.data.error.message}`,
          });
        } else {
          const result = response.data.result as { hostVersion?: unknown; roots?: unknown };
          settle({
            ok: true,
            hostVersion: String(result.hostVersion),
            roots: Array.isArray(result.roots) ? result.roots.length : 0,
          });
        }
      }
    });
    child.on('exit', (code) => {
      setTimeout(
        () => settle({ ok: false, problem: `it exited (code ${code}) without answering. ${stderr.trim()}` }),
        50,
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(encodeFrame({ id: 'doctor', op: 'hello' }));
  });
}

export async function doctor(options: InstallerOptions): Promise<number> {
  if (unsupported(options)) return 1;
  const dirs = resolveHostDirs(options.env, options.platform);
  const home = homeDir(options.env);
  let broken = false;
  const checks: ManifestCheck[] = [];
  for (const target of manifestTargets(options.platform, home, BROWSERS, options.profileDirs)) {
    const check = await checkManifest(target);
    if (check === null) {
      options.out(`- ${target.label}: no manifest (${target.manifestPath})`);
      continue;
    }
    checks.push(check);
    if (check.problems.length === 0) options.out(`✓ ${target.label}: ${target.manifestPath}`);
    for (const problem of check.problems) {
      broken = true;
      options.out(`✗ ${target.label}: ${problem}`);
    }
  }
  if (checks.length === 0) {
    broken = true;
    options.out('✗ No browser has a Tandem host manifest: run `tandem-host install`.');
  }
  const tried = new Set<string>();
  for (const check of checks) {
    if (check.launcher === null) continue;
    const key = `${check.launcher}\0${check.target.kind}`;
    if (tried.has(key)) continue;
    tried.add(key);
    const args =
      check.target.kind === 'firefox' ? [check.target.manifestPath, GECKO_ID] : [chromeOrigin(CHROME_EXTENSION_ID)];
    const answer = await helloThroughLauncher(check.launcher, args, options.env);
    if (answer.ok) {
      options.out(
        `✓ ${check.launcher} answers hello as ${check.target.kind} (host ${answer.hostVersion}, ${answer.roots} allowed folder(s))`,
      );
    } else {
      broken = true;
      options.out(`✗ ${check.launcher} (${check.target.kind}): ${answer.problem}`);
    }
  }
  const config = await new ConfigStore(dirs.configFile, () => deniedPaths(dirs)).load();
  if (config.error) {
    broken = true;
    options.out(`✗ Settings: ${config.error}`);
  } else {
    const { unavailable } = await buildPolicy(config.config.roots, dirs);
    options.out(`✓ Settings: ${dirs.configFile} (${config.config.roots.length} allowed folder(s))`);
    for (const root of unavailable) options.out(`! Allowed folder ${root.name} (${root.path}): ${root.reason}`);
    if (config.config.roots.length === 0) options.out('! No folder is allowed yet: `tandem-host folders add PATH`.');
  }
  options.out(broken ? 'Something is wrong (see ✗ above).' : 'All good.');
  return broken ? 1 : 0;
}

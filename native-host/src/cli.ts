/** The command line: `tandem-host install|uninstall|doctor|folders …`. */
import { ConfigStore } from './config-store';
import { toHostError } from './errors';
import { type Env, resolveHostDirs } from './host-dirs';
import { doctor, type InstallerOptions, install, uninstall } from './install';
import { BROWSERS, type BrowserId } from './manifest-locations';
import { deniedPaths } from './policy';

export const CLI_COMMANDS: ReadonlySet<string> = new Set([
  'install',
  'uninstall',
  'doctor',
  'folders',
  'help',
  '--help',
  '-h',
  'version',
  '--version',
]);

export const USAGE = `Usage: tandem-host <command>

  install [--browser chrome,chromium,brave,edge,firefox|all] [--profile-dir DIR]... [--extension-id ID]...
      Install the host for your browsers (user level; no root needed).
      --profile-dir DIR also writes DIR/NativeMessagingHosts/ for a Chromium run with --user-data-dir=DIR.
      --extension-id ID also allows a development build's id.
  uninstall [--profile-dir DIR]...   Remove the manifests and the installed host (keeps settings and trash).
  doctor [--profile-dir DIR]...      Check the manifests, start the host once, report what is wrong.
  folders list                       Show the folders Tandem may use.
  folders add PATH [--read-write] [--name NAME] [--auto-approve-writes]
  folders remove PATH|NAME
`;

export interface CliEnvironment {
  env: Env;
  platform: NodeJS.Platform;
  bundlePath: string;
  nodePath: string;
  hostVersion: string;
  out: (line: string) => void;
}

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

const VALUE_FLAGS = new Set(['--browser', '--profile-dir', '--extension-id', '--name']);
const BOOLEAN_FLAGS = new Set(['--read-write', '--auto-approve-writes']);

function parse(args: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      flags.set(flag, [...(flags.get(flag) ?? []), value]);
    } else if (BOOLEAN_FLAGS.has(flag)) {
      flags.set(flag, ['true']);
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

function browsersFrom(values: readonly string[] | undefined): BrowserId[] {
  if (!values || values.length === 0) return [...BROWSERS];
  const out = new Set<BrowserId>();
  for (const name of values.flatMap((v) => v.split(','))) {
    if (name === 'all') for (const b of BROWSERS) out.add(b);
    else if ((BROWSERS as readonly string[]).includes(name)) out.add(name as BrowserId);
    else throw new UsageError(`unknown browser ${name} (known: ${BROWSERS.join(', ')}, all)`);
  }
  return [...out];
}

async function folders(parsed: Parsed, cli: CliEnvironment): Promise<number> {
  const dirs = resolveHostDirs(cli.env, cli.platform);
  const store = new ConfigStore(dirs.configFile, () => deniedPaths(dirs));
  const [, sub, target] = parsed.positional;
  if (sub === 'list' || sub === undefined) {
    const loaded = await store.load();
    if (loaded.error) cli.out(`! ${loaded.error}`);
    if (loaded.config.roots.length === 0) cli.out('No folder is allowed yet.');
    for (const root of loaded.config.roots) {
      cli.out(`${root.name}\t${root.mode}${root.autoApproveWrites ? ' (writes auto-approved)' : ''}\t${root.path}`);
    }
    return loaded.error ? 1 : 0;
  }
  if (target === undefined) throw new UsageError(`folders ${sub} needs a PATH`);
  if (sub === 'add') {
    const root = await store.addRoot({
      path: target.startsWith('/') ? target : `${process.cwd()}/${target}`,
      mode: parsed.flags.has('--read-write') ? 'read-write' : 'read',
      autoApproveWrites: parsed.flags.has('--auto-approve-writes'),
      name: parsed.flags.get('--name')?.[0],
    });
    cli.out(`Allowed ${root.path} as "${root.name}" (${root.mode}).`);
    return 0;
  }
  if (sub === 'remove') {
    const loaded = await store.load();
    const absolute = target.startsWith('/') ? target : `${process.cwd()}/${target}`;
    const root = loaded.config.roots.find((r) => r.name === target || r.path === absolute || r.path === target);
    if (!root) {
      cli.out(`No allowed folder matches ${target}.`);
      return 1;
    }
    await store.removeRoot(root.name);
    cli.out(`Removed ${root.path} ("${root.name}").`);
    return 0;
  }
  throw new UsageError(`unknown folders command ${sub}`);
}

export async function runCli(args: readonly string[], cli: CliEnvironment): Promise<number> {
  try {
    const parsed = parse(args);
    const command = parsed.positional[0];
    const installer: InstallerOptions = {
      env: cli.env,
      platform: cli.platform,
      bundlePath: cli.bundlePath,
      nodePath: cli.nodePath,
      browsers: browsersFrom(parsed.flags.get('--browser')),
      profileDirs: parsed.flags.get('--profile-dir') ?? [],
      extraIds: parsed.flags.get('--extension-id') ?? [],
      out: cli.out,
    };
    switch (command) {
      case 'install':
        return await install(installer);
      case 'uninstall':
        return await uninstall(installer);
      case 'doctor':
        return await doctor(installer);
      case 'folders':
        return await folders(parsed, cli);
      case 'version':
      case '--version':
        cli.out(cli.hostVersion);
        return 0;
      default:
        cli.out(USAGE);
        return command === 'help' || command === '--help' || command === '-h' ? 0 : 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      cli.out(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    cli.out(`Error: ${toHostError(error).message}`);
    return 1;
  }
}

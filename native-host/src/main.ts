/**
 * Entry point of the built host (`dist/tandem-host.mjs`). Started by a browser
 * (argv = caller origin, or manifest path + add-on id) it speaks native
 * messaging on stdio; started by a person with a command it runs the CLI.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnglishErrorMessages } from '../../shared/protocol/error-messages';
import { allowedExtensionIds, identifyCaller, isCallerAllowed } from './caller';
import { CLI_COMMANDS, runCli, USAGE } from './cli';
import { ConfigStore } from './config-store';
import { type HostContext, policyOf } from './context';
import { resolveHostDirs } from './host-dirs';
import { McpServers } from './mcp/mcp-servers';
import { PendingTemps } from './pending-temps';
import { deniedPaths } from './policy';
import { refuseEverything, runSession } from './session';
import { TransferRegistry } from './transfers';
import { TrashStore } from './trash-store';

declare const __TANDEM_HOST_VERSION__: string | undefined;
const HOST_VERSION = typeof __TANDEM_HOST_VERSION__ === 'string' ? __TANDEM_HOST_VERSION__ : '0.0.0-dev';

/**
 * A search answers with what it has after this long: a search over a huge tree
 * must not hold a worker forever. TANDEM_HOST_SEARCH_BUDGET_MS overrides it (tests).
 */
const SEARCH_BUDGET_MS = 20_000;

function searchBudgetMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.TANDEM_HOST_SEARCH_BUDGET_MS);
  return Number.isFinite(value) && value > 0 ? value : SEARCH_BUDGET_MS;
}

/** Exit code for a refused caller (anything non-zero tells the browser the host failed). */
const EXIT_FORBIDDEN_CALLER = 3;

async function runHost(argv: readonly string[]): Promise<number> {
  // stdout carries frames only: a stray console.log would corrupt the stream.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  process.on('unhandledRejection', (reason) => console.error('tandem-host: unhandled rejection', reason));

  // The browser went away mid-answer: nobody is left to serve.
  process.stdout.on('error', () => process.exit(0));
  const io = { input: process.stdin, output: process.stdout };
  const caller = identifyCaller(argv);
  if (caller === null || !isCallerAllowed(caller, allowedExtensionIds(process.env))) {
    if (process.stdin.isTTY) {
      process.stderr.write(USAGE);
      return 2;
    }
    const who = caller ? `extension ${caller.extensionId}` : `arguments ${JSON.stringify(argv).slice(0, 200)}`;
    console.error(`tandem-host: refusing caller (${who})`);
    await refuseEverything(io, `this host only serves the Tandem extension; refused ${who}`);
    return EXIT_FORBIDDEN_CALLER;
  }

  // The node binary and this bundle are what the browser runs: out of reach like the manifests.
  const dirs = { ...resolveHostDirs(process.env), programs: [process.execPath, fileURLToPath(import.meta.url)] };
  const pending = new PendingTemps(dirs.pendingDir, dirs.trashDir);
  const trash = new TrashStore(dirs.trashDir, pending);
  await trash.ensure().catch((error: unknown) => console.error('tandem-host: cannot create the trash folder', error));
  const ctx: HostContext = {
    hostVersion: HOST_VERSION,
    caller,
    dirs,
    config: new ConfigStore(dirs.configFile, () => deniedPaths(dirs)),
    trash,
    transfers: new TransferRegistry(),
    searchBudgetMs: searchBudgetMs(process.env),
    pending,
    mcp: new McpServers(path.join(dirs.dataDir, 'mcp-logs')),
  };
  // Beside the session, not before it: a big leftover must not delay the first answer.
  void policyOf(ctx)
    .then((policy) => pending.sweep(policy))
    .catch((error: unknown) => console.error('tandem-host: sweeping temp files failed', error));
  await runSession(io, ctx);
  return 0;
}

async function main(): Promise<void> {
  loadEnglishErrorMessages();
  const argv = process.argv.slice(2);
  const first = argv[0];
  const code =
    first !== undefined && CLI_COMMANDS.has(first)
      ? await runCli(argv, {
          env: process.env,
          platform: process.platform,
          bundlePath: fileURLToPath(import.meta.url),
          nodePath: process.execPath,
          hostVersion: HOST_VERSION,
          out: (line) => process.stdout.write(`${line}\n`),
        })
      : await runHost(argv);
  process.exitCode = code;
  // Nothing else should keep the process alive once stdio is done.
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error('tandem-host: fatal', error);
  process.exit(70);
});

#!/usr/bin/env node
// Bundles the native host (TypeScript, zod included) into one ESM file that
// node 20 runs directly: native-host/dist/tandem-host.mjs; and the audit log
// verifier beside it: native-host/dist/tandem-audit.mjs (the `tandem-audit` bin).
// Usage: node native-host/build.mjs [--outfile PATH]   (PATH: the host's bundle only)
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUTFILE = path.join(here, 'dist', 'tandem-host.mjs');
export const AUDIT_OUTFILE = path.join(here, 'dist', 'tandem-audit.mjs');

export async function buildHost({ outfile = DEFAULT_OUTFILE } = {}) {
  const pkg = JSON.parse(await readFile(path.join(here, '..', 'package.json'), 'utf8'));
  await build({
    entryPoints: [path.join(here, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    define: { __TANDEM_HOST_VERSION__: JSON.stringify(pkg.version) },
    legalComments: 'none',
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  return outfile;
}

/** `tandem-audit verify FILE`: the shared verifier (shared/audit/) as a command, zod included. */
export async function buildAuditCli({ outfile = AUDIT_OUTFILE } = {}) {
  await build({
    entryPoints: [path.join(here, 'src', 'audit', 'audit-main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const i = process.argv.indexOf('--outfile');
  const outfile = i !== -1 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : DEFAULT_OUTFILE;
  await buildHost({ outfile });
  console.log(`built ${path.relative(process.cwd(), outfile) || outfile}`);
  if (i === -1) {
    await buildAuditCli();
    console.log(`built ${path.relative(process.cwd(), AUDIT_OUTFILE) || AUDIT_OUTFILE}`);
  }
}

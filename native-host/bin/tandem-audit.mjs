#!/usr/bin/env node
// `tandem-audit verify FILE` from a checkout or the installed package.
// Runs the built verifier (native-host/dist/tandem-audit.mjs); build it first with
// `npm run host:build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/tandem-audit.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(`The verifier is not built yet (${bundle} is missing): run npm run host:build\n`);
  process.exit(1);
}
await import(new URL('../dist/tandem-audit.mjs', import.meta.url).href);

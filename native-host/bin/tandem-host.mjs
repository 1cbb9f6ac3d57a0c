#!/usr/bin/env node
// `tandem-host install | uninstall | doctor | folders …` from a checkout.
// Runs the built host (native-host/dist/tandem-host.mjs); build it first with
// `npm run host:build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/tandem-host.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(`The host is not built yet (${bundle} is missing): run npm run host:build\n`);
  process.exit(1);
}
await import(new URL('../dist/tandem-host.mjs', import.meta.url).href);

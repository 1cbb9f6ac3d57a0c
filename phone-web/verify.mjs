#!/usr/bin/env node
/**
 * Checks a deployed phone page against a local build of the same commit:
 *
 *   npm run phone:build && node phone-web/verify.mjs https://phone.example.org/app/
 *
 * Every file listed in the LOCAL phone-web/dist/integrity.json is fetched from the deployment and
 * its SHA-256 compared (the deployment's own integrity.json is not trusted: whoever could change
 * the page could change that too). index.html pins the scripts and styles by Subresource
 * Integrity, so its hash alone identifies the page the phone runs. Exit code 0 when all match.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const base = process.argv[2];
if (!base) {
  console.error('usage: node phone-web/verify.mjs <deployed phone page URL>');
  process.exit(2);
}
const { files } = JSON.parse(readFileSync(join(import.meta.dirname, 'dist', 'integrity.json'), 'utf8'));
let mismatches = 0;
for (const [path, expected] of Object.entries(files)) {
  const response = await fetch(new URL(path, base.endsWith('/') ? base : `${base}/`), { cache: 'no-store' });
  const actual = response.ok
    ? `sha256-${createHash('sha256')
        .update(Buffer.from(await response.arrayBuffer()))
        .digest('base64')}`
    : `HTTP ${response.status}`;
  const ok = actual === expected;
  if (!ok) mismatches += 1;
  console.log(`${ok ? 'ok      ' : 'MISMATCH'} ${path} ${ok ? expected : `expected ${expected}, got ${actual}`}`);
}
console.log(
  mismatches === 0
    ? `The deployed page is this build (index.html ${files['index.html']}).`
    : `${mismatches} file(s) differ.`,
);
process.exit(mismatches === 0 ? 0 : 1);

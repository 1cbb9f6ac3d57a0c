#!/usr/bin/env node
/**
 * `npm test`: every check CI runs, in order — types, lint, builds (both browsers
 * and the native host), then all tests (unit and end-to-end in real browsers).
 * Ends with one summary line "tests: N passed, N failed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureBrowsers, ensureDependencies, ensureRigTools, root, step } from './setup.mjs';

// A fresh machine has neither the npm dependencies nor the browsers the end-to-end tests drive.
ensureDependencies();
ensureBrowsers(['chromium', 'firefox-esr']);
// The [reach] rig's coturn, nftables and iproute2 (as root; its tests skip with the reason otherwise).
ensureRigTools();

const only = process.argv.slice(2);
step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
step('lint', 'npx', ['biome', 'check', '.']);
step('build', 'npm', ['run', 'build']);

mkdirSync(resolve(root, '.tmp'), { recursive: true });
const report = resolve(root, '.tmp/vitest-report.json');
console.log('\n▶ tests');
const tests = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...only],
  { cwd: root, stdio: 'inherit', env: process.env },
);
if (existsSync(report)) {
  const { numPassedTests = 0, numFailedTests = 0, numPendingTests = 0 } = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`\ntests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests} skipped`);
}
process.exit(tests.status ?? 1);

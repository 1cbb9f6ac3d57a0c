#!/usr/bin/env node
/**
 * `npm run bench -- [runtime|web|files|phone|context ...]`: runs benchmark groups; JSON lines last.
 * Builds first what the requested groups drive (the extension, the native host, the phone page)
 * when it is missing or older than its sources, so a fresh clone benchmarks without a manual build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBrowsers, ensureDependencies, ensureRigTools, step } from './setup.mjs';

const root = resolve(import.meta.dirname, '..');

/** What each build produces and the sources it is made from. */
const BUILDS = {
  extension: {
    output: '.output/chrome-mv3/manifest.json',
    sources: ['extension', 'shared', 'public', 'wxt.config.ts'],
    run: ['run', 'build:chrome'],
  },
  host: {
    output: 'native-host/dist/tandem-host.mjs',
    sources: ['native-host/src', 'shared'],
    run: ['run', 'host:build'],
  },
  phone: { output: 'phone-web/dist/index.html', sources: ['phone-web', 'shared'], run: ['run', 'phone:build'] },
};

/** The builds each group needs; groups not listed run in Node alone. */
const NEEDS = {
  runtime: ['extension'],
  agent: ['extension'],
  web: ['extension'],
  files: ['extension', 'host'],
  phone: ['extension', 'phone'],
  push: ['extension'],
  schedule: ['extension'],
  reach: ['extension', 'phone'],
};

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function isStale({ output, sources }) {
  const built = join(root, output);
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return sources.some((source) => newestMtime(join(root, source)) > builtAt);
}

const requested = process.argv.slice(2);
const groups = requested.length > 0 ? requested : ['runtime', 'web', 'files', 'phone', 'context'];
const builds = [...new Set(groups.flatMap((group) => NEEDS[group] ?? []))];
ensureDependencies();
if (builds.length > 0) ensureBrowsers(['chromium']);
if (groups.includes('reach')) ensureRigTools();
for (const name of builds) {
  const build = BUILDS[name];
  if (isStale(build)) step(`build ${name} for the benchmarks`, 'npm', build.run);
}

const result = spawnSync('npx', ['tsx', 'bench/index.ts', ...requested], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);

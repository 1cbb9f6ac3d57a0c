#!/usr/bin/env node
/** `npm run bench -- [runtime|web|files|phone ...]`: runs benchmark groups; JSON lines last. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const result = spawnSync('npx', ['tsx', 'bench/index.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);

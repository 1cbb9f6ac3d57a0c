/**
 * The store archives: `npm run zip` makes the Chrome and Firefox packages and the sources archive
 * AMO asks for, and `web-ext lint` on the Firefox package finds no errors and no warnings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, '.output');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface LintMessage {
  code: string;
  file?: string;
  message: string;
}

describe('store archives', () => {
  it('zips Chrome, Firefox and the sources, and the Firefox build lints clean', () => {
    const archives = ['chrome', 'firefox', 'sources'].map((kind) => join(OUT, `tandem-agent-${VERSION}-${kind}.zip`));
    for (const file of archives) rmSync(file, { force: true });
    // As from a user's shell: vitest's NODE_ENV=test would make Vite pick the libraries' development builds.
    const { NODE_ENV: _vitest, ...env } = process.env;
    const zip = spawnSync('npm', ['run', 'zip'], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
    expect(zip.status, `${zip.stdout}\n${zip.stderr}`).toBe(0);
    for (const file of archives) expect(existsSync(file), file).toBe(true);

    const list = spawnSync('unzip', ['-Z1', join(OUT, `tandem-agent-${VERSION}-sources.zip`)], { encoding: 'utf8' });
    const sources = list.stdout.split('\n');
    expect(sources).toContain('package.json');
    expect(sources).toContain('wxt.config.ts');
    expect(sources.some((name) => name.startsWith('node_modules/') || name.startsWith('.output/'))).toBe(false);

    const manifest = JSON.parse(readFileSync(join(OUT, 'firefox-mv3', 'manifest.json'), 'utf8'));
    expect(manifest.browser_specific_settings.gecko.data_collection_permissions.required.length).toBeGreaterThan(0);

    const lint = spawnSync('npx', ['web-ext', 'lint', '--source-dir', join(OUT, 'firefox-mv3'), '--output', 'json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    });
    const report = JSON.parse(lint.stdout) as { errors: LintMessage[]; warnings: LintMessage[] };
    const describe = (m: LintMessage) => `${m.code} ${m.file ?? ''}: ${m.message}`;
    expect(report.errors.map(describe)).toEqual([]);
    // Not even the libraries' innerHTML (Lit's template, DOMPurify's fallback, Readability): see
    // packaging/inert-markup.ts.
    expect(report.warnings.map(describe)).toEqual([]);
  });
});

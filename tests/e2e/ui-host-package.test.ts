/**
 * The file host as an npm package: packed from this checkout, installed into a fresh folder that
 * has nothing of Tandem in it, then `npx tandem-host install` and `doctor` as a user runs them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS, linkRows } from '../../shared/audit/audit-chain';
import { buildAuditExport } from '../../shared/audit/audit-export';
import { NATIVE_HOST_NAME } from '../../shared/extension-identity';
import { makeSandbox } from './support/chromium';

const HOST_DIR = resolve(import.meta.dirname, '../../native-host');
const sandbox = makeSandbox('host-package');
afterAll(() => sandbox.cleanup());

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      HOME: join(sandbox.root, 'home'),
      TMPDIR: join(sandbox.root, 'tmp'),
      npm_config_cache: join(sandbox.root, 'npm-cache'),
      XDG_CONFIG_HOME: join(sandbox.root, 'home', '.config'),
      XDG_DATA_HOME: join(sandbox.root, 'home', '.local', 'share'),
      ...env,
    },
    timeout: 120_000,
  });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

describe('tandem-host npm package', () => {
  it('installs from a packed tarball in a fresh folder and `npx tandem-host install` sets the host up', () => {
    const packs = join(sandbox.root, 'packs');
    mkdirSync(packs);
    const pack = run('npm', ['pack', '--pack-destination', packs], HOST_DIR);
    expect(pack.status, pack.out).toBe(0);
    const tarball = readdirSync(packs).find((name) => name.endsWith('.tgz'));
    expect(tarball, pack.out).toMatch(/^tandem-host-\d+\.\d+\.\d+\.tgz$/);

    const app = join(sandbox.root, 'fresh');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh', version: '1.0.0', private: true }));
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(packs, tarball ?? '')], app);
    expect(install.status, install.out).toBe(0);
    // Nothing but the host itself came along: the bundle carries its own dependencies.
    expect(readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['tandem-host']);

    const profile = join(sandbox.root, 'profile');
    const setUp = run(
      'npx',
      ['--offline', 'tandem-host', 'install', '--browser', 'chromium', '--profile-dir', profile],
      app,
    );
    expect(setUp.status, setUp.out).toBe(0);
    const manifestPath = join(profile, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`);
    expect(existsSync(manifestPath), setUp.out).toBe(true);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { path: string; name: string };
    expect(manifest.name).toBe(NATIVE_HOST_NAME);
    expect(existsSync(manifest.path)).toBe(true);
    // Installed outside the package folder, so removing node_modules does not break the browser's host.
    expect(manifest.path.startsWith(app)).toBe(false);

    const doctor = run('npx', ['--offline', 'tandem-host', 'doctor', '--profile-dir', profile], app);
    expect(doctor.status, doctor.out).toBe(0);
    expect(doctor.out).toContain('✓');

    // The same package carries the audit log verifier.
    const rows = linkRows([{ id: 1, tool: 'get_time', decision: 'auto', outcome: 'ok' }], GENESIS);
    const exported = buildAuditExport(rows, { extensionVersion: '0.1.0', exportedAt: new Date() });
    const file = join(sandbox.root, 'audit.jsonl');
    writeFileSync(file, exported.text);
    const verify = run('npx', ['--offline', 'tandem-audit', 'verify', file], app);
    expect(verify.status, verify.out).toBe(0);
    expect(verify.out).toContain(`OK: 1 row, chain head ${exported.head}`);
  });
});

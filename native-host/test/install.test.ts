/**
 * The installer in a temp HOME: manifests for every browser, a launcher that
 * works without PATH (as browsers start hosts), doctor, folders, uninstall.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_EXTENSION_ID, GECKO_ID, NATIVE_HOST_NAME } from '../../shared/extension-identity';
import { decideAccess } from '../src/confine';
import { resolveHostDirs } from '../src/host-dirs';
import { helloThroughLauncher, install } from '../src/install';
import { manifestTargets } from '../src/manifest-locations';
import { deniedPaths } from '../src/policy';
import { type Answer, CHROME_ORIGIN, HostProcess, REPO_ROOT, removeScratch, tempDir } from './helpers/host-process';

const BIN = path.join(REPO_ROOT, 'native-host', 'bin', 'tandem-host.mjs');
const LINUX_MANIFEST_DIRS = [
  '.config/google-chrome/NativeMessagingHosts',
  '.config/chromium/NativeMessagingHosts',
  '.config/BraveSoftware/Brave-Browser/NativeMessagingHosts',
  '.config/microsoft-edge/NativeMessagingHosts',
  '.mozilla/native-messaging-hosts',
];

let home: string;
let profile: string;

/** Runs the CLI the way a person would, with only HOME and PATH set. */
function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    env: { HOME: home, PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

beforeAll(() => {
  // The bin script runs the default build output, as `npm run host:build` makes it.
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'native-host', 'build.mjs')], { cwd: REPO_ROOT });
  home = tempDir('install-home');
  profile = tempDir('chromium-profile');
});

describe('tandem-host install', () => {
  it('writes a manifest per browser and for a custom profile, pointing at an executable launcher', () => {
    const run = cli(['install', '--profile-dir', profile]);
    expect(run.code, run.out).toBe(0);
    const launcher = path.join(home, '.local/share/tandem/host/tandem-host');
    expect(fs.statSync(launcher).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(launcher, 'utf8')).toContain(`exec '${process.execPath}'`);
    for (const dir of [
      ...LINUX_MANIFEST_DIRS.map((d) => path.join(home, d)),
      path.join(profile, 'NativeMessagingHosts'),
    ]) {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, `${NATIVE_HOST_NAME}.json`), 'utf8'));
      expect(manifest).toMatchObject({ name: NATIVE_HOST_NAME, type: 'stdio', path: launcher });
      if (dir.includes('mozilla')) expect(manifest.allowed_extensions).toEqual([GECKO_ID]);
      else expect(manifest.allowed_origins).toEqual([`chrome-extension://${CHROME_EXTENSION_ID}/`]);
    }
  });

  it('the launcher starts the host without any PATH, as a browser would, for Chrome and Firefox', async () => {
    const launcher = path.join(home, '.local/share/tandem/host/tandem-host');
    const chrome = await helloThroughLauncher(launcher, [CHROME_ORIGIN], { HOME: home });
    expect(chrome).toMatchObject({ ok: true, hostVersion: expect.any(String) });
    const firefoxManifest = path.join(home, '.mozilla/native-messaging-hosts', `${NATIVE_HOST_NAME}.json`);
    const firefox = await helloThroughLauncher(launcher, [firefoxManifest, GECKO_ID], { HOME: home });
    expect(firefox.ok).toBe(true);
    const stranger = await helloThroughLauncher(launcher, ['chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/'], {
      HOME: home,
    });
    expect(stranger).toMatchObject({ ok: false, problem: expect.stringContaining('forbidden_caller') });
  });

  it('manages allowed folders from the command line, and the host sees them', async () => {
    const folder = tempDir('cli-folder');
    expect(cli(['folders', 'add', folder, '--read-write', '--name', 'proj']).code).toBe(0);
    const list = cli(['folders', 'list']);
    expect(list.out).toContain(`proj\tread-write\t${folder}`);
    const launcher = path.join(home, '.local/share/tandem/host/tandem-host');
    expect(await helloThroughLauncher(launcher, [CHROME_ORIGIN], { HOME: home })).toMatchObject({ roots: 1 });
    expect(cli(['folders', 'add', folder]).code).toBe(1);
    expect(cli(['folders', 'remove', folder]).code).toBe(0);
    expect(cli(['folders', 'list']).out).toContain('No folder is allowed yet.');
  });

  it('doctor says all is well, then names a broken manifest and exits non-zero', () => {
    const good = cli(['doctor', '--profile-dir', profile]);
    expect(good.code, good.out).toBe(0);
    expect(good.out).toContain('answers hello as chromium');
    expect(good.out).toContain('answers hello as firefox');

    const chromeManifest = path.join(home, LINUX_MANIFEST_DIRS[0] as string, `${NATIVE_HOST_NAME}.json`);
    const saved = fs.readFileSync(chromeManifest, 'utf8');
    fs.writeFileSync(chromeManifest, '{ not json');
    const broken = cli(['doctor']);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/✗ Google Chrome: the manifest is not valid JSON/);

    fs.writeFileSync(chromeManifest, saved.replace(CHROME_EXTENSION_ID, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
    expect(cli(['doctor']).out).toMatch(/allowed_origins" does not list/);
    fs.writeFileSync(chromeManifest, saved);

    const launcher = path.join(home, '.local/share/tandem/host/tandem-host');
    fs.chmodSync(launcher, 0o644);
    const notExecutable = cli(['doctor']);
    expect(notExecutable.code).toBe(1);
    expect(notExecutable.out).toMatch(/not executable/);
    fs.chmodSync(launcher, 0o755);
    expect(cli(['doctor']).code).toBe(0);
  });

  it('uninstall removes manifests and the host but keeps settings and trash; doctor then fails', () => {
    const run = cli(['uninstall', '--profile-dir', profile]);
    expect(run.code, run.out).toBe(0);
    for (const dir of LINUX_MANIFEST_DIRS)
      expect(fs.existsSync(path.join(home, dir, `${NATIVE_HOST_NAME}.json`))).toBe(false);
    expect(fs.existsSync(path.join(profile, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`))).toBe(false);
    expect(fs.existsSync(path.join(home, '.local/share/tandem/host'))).toBe(false);
    expect(fs.existsSync(path.join(home, '.config/tandem/host-config.json'))).toBe(true);
    const doctor = cli(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.out).toContain('No browser has a Tandem host manifest');
  });

  it('unknown commands and options print usage', () => {
    expect(cli(['install', '--bogus']).code).toBe(2);
    expect(cli(['help']).out).toContain('Usage: tandem-host');
  });
});

describe('other platforms', () => {
  it('knows the macOS manifest folders', () => {
    const targets = manifestTargets('darwin', '/Users/me', ['chrome', 'chromium', 'brave', 'edge', 'firefox'], []);
    expect(targets.map((t) => path.dirname(t.manifestPath))).toEqual([
      '/Users/me/Library/Application Support/Google/Chrome/NativeMessagingHosts',
      '/Users/me/Library/Application Support/Chromium/NativeMessagingHosts',
      '/Users/me/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts',
      '/Users/me/Library/Application Support/Microsoft Edge/NativeMessagingHosts',
      '/Users/me/Library/Application Support/Mozilla/NativeMessagingHosts',
    ]);
  });

  it('installs on macOS into Library/Application Support (host home included)', async () => {
    const macHome = tempDir('mac-home');
    const lines: string[] = [];
    const code = await install({
      env: { HOME: macHome },
      platform: 'darwin',
      bundlePath: path.join(REPO_ROOT, 'native-host', 'dist', 'tandem-host.mjs'),
      nodePath: process.execPath,
      browsers: ['chrome', 'firefox'],
      profileDirs: [],
      extraIds: [],
      out: (line) => lines.push(line),
    });
    expect(code).toBe(0);
    const support = path.join(macHome, 'Library', 'Application Support');
    expect(fs.existsSync(path.join(support, 'Tandem', 'host', 'tandem-host'))).toBe(true);
    expect(fs.existsSync(path.join(support, 'Mozilla', 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`))).toBe(true);
  });

  it('says Windows is not supported yet', async () => {
    const lines: string[] = [];
    const code = await install({
      env: { HOME: tempDir('win-home') },
      platform: 'win32',
      bundlePath: 'x.mjs',
      nodePath: process.execPath,
      browsers: ['chrome'],
      profileDirs: [],
      extraIds: [],
      out: (line) => lines.push(line),
    });
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/Windows is not supported yet/);
  });
});

afterAll(() => {
  removeScratch();
});

describe('what the browsers run is out of the agent reach', () => {
  it('guards the system-wide manifest folders too (decided without touching them)', async () => {
    for (const [platform, dir] of [
      ['linux', '/etc/chromium/native-messaging-hosts'],
      ['linux', '/usr/lib/mozilla/native-messaging-hosts'],
      ['darwin', '/Library/Google/Chrome/NativeMessagingHosts'],
    ] as const) {
      const denied = await deniedPaths(resolveHostDirs({ HOME: '/home/someone' }, platform));
      const top = `/${dir.split('/')[1]}`;
      const policy = { roots: [{ name: 'top', path: top, mode: 'read-write' as const }], denied };
      expect(decideAccess(policy, `${dir}/${NATIVE_HOST_NAME}.json`, 'write').ok).toBe(false);
      expect(decideAccess(policy, `${top}/elsewhere.txt`, 'write').ok).toBe(true);
    }
  });

  it('refuses to write, edit, move or trash any manifest location, the launcher or the host', async () => {
    const userHome = tempDir('agent-home');
    const profileDir = tempDir('agent-profile');
    const run = spawnSync(process.execPath, [BIN, 'install', '--profile-dir', profileDir], {
      env: { HOME: userHome, PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    // Edge is not installed here: its manifest folder must be refused before it exists, too.
    fs.rmSync(path.join(userHome, '.config/microsoft-edge'), { recursive: true, force: true });
    const host = new HostProcess(path.join(REPO_ROOT, 'native-host', 'dist', 'tandem-host.mjs'), userHome, {
      env: { TANDEM_HOST_HOME: '' },
    });
    try {
      await host.ok('roots.add', { path: userHome, mode: 'read-write', name: 'home' });
      await host.ok('roots.add', { path: profileDir, mode: 'read-write', name: 'profile' });
      const manifest = `${NATIVE_HOST_NAME}.json`;
      const dirs = [...LINUX_MANIFEST_DIRS.map((d) => `home/${d}`), 'profile/NativeMessagingHosts'];
      const attempts: [string, Promise<Answer>][] = [];
      for (const dir of dirs) {
        attempts.push(
          [
            `overwrite ${dir}`,
            host.call('write_file', {
              path: `${dir}/${manifest}`,
              content: '{}',
              overwrite: true,
              createParents: true,
            }),
          ],
          [
            `new ${dir}`,
            host.call('write_file', { path: `${dir}/evil.host.json`, content: '{}', createParents: true }),
          ],
          [`edit ${dir}`, host.call('edit_file', { path: `${dir}/${manifest}`, oldText: 'stdio', newText: 'x' })],
          [`trash ${dir}`, host.call('trash', { paths: [`${dir}/${manifest}`] })],
          [`trash folder ${dir}`, host.call('trash', { paths: [dir] })],
          [`move folder ${dir}`, host.call('move', { from: dir, to: 'home/moved-away' })],
          [`move parent ${dir}`, host.call('move', { from: path.posix.dirname(dir), to: 'home/moved-away' })],
          [`mkdir ${dir}`, host.call('make_dir', { path: `${dir}/sub`, recursive: true })],
        );
      }
      const launcher = 'home/.local/share/tandem/host/tandem-host';
      attempts.push(['launcher', host.call('write_file', { path: launcher, content: '#!/bin/sh', overwrite: true })]);
      attempts.push([
        'bundle',
        host.call('write_file', {
          path: 'home/.local/share/tandem/host/tandem-host.mjs',
          content: '',
          overwrite: true,
        }),
      ]);
      const allowedThrough: string[] = [];
      for (const [what, pending] of attempts) {
        const answer = await pending;
        // Moving `profile/…`'s parent is moving an allowed folder itself: refused as a bad request.
        const expected = what === 'move parent profile/NativeMessagingHosts' ? 'bad_request' : 'not_allowed';
        if (answer.ok || answer.error.code !== expected) {
          allowedThrough.push(`${what}: ${answer.ok ? 'ok' : answer.error.code}`);
        }
      }
      expect(allowedThrough).toEqual([]);
      expect(fs.existsSync(path.join(userHome, '.config/microsoft-edge'))).toBe(false);
      expect(fs.readdirSync(path.join(profileDir, 'NativeMessagingHosts'))).toEqual([manifest]);
      // The rest of the home folder is still usable.
      await host.ok('write_file', { path: 'home/.config/notes.txt', content: 'fine' });
    } finally {
      await host.close();
    }
  });
});

/**
 * Where each browser looks for a user-level native messaging host manifest.
 *
 * Linux (Chrome docs; BROWSER-TESTING.md):
 *   Chrome   ~/.config/google-chrome/NativeMessagingHosts/
 *   Chromium ~/.config/chromium/NativeMessagingHosts/
 *   Brave    ~/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/
 *   Edge     ~/.config/microsoft-edge/NativeMessagingHosts/
 *   Firefox  ~/.mozilla/native-messaging-hosts/
 * macOS (Chrome and MDN "Native manifests" docs; Brave and Edge keep their
 * profile folders beside Chrome's, as their installers and KeePassXC/browserpass do):
 *   Chrome   ~/Library/Application Support/Google/Chrome/NativeMessagingHosts/
 *   Chromium ~/Library/Application Support/Chromium/NativeMessagingHosts/
 *   Brave    ~/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/
 *   Edge     ~/Library/Application Support/Microsoft Edge/NativeMessagingHosts/
 *   Firefox  ~/Library/Application Support/Mozilla/NativeMessagingHosts/
 * A Chromium started with `--user-data-dir=DIR` reads `DIR/NativeMessagingHosts/`
 * instead (measured), hence `--profile-dir`.
 * Windows uses registry keys instead of folders and is not supported yet.
 */
import path from 'node:path';
import { CHROME_EXTENSION_ID, GECKO_ID, NATIVE_HOST_NAME } from '../../shared/extension-identity';

export type BrowserId = 'chrome' | 'chromium' | 'brave' | 'edge' | 'firefox';
export const BROWSERS: readonly BrowserId[] = ['chrome', 'chromium', 'brave', 'edge', 'firefox'];

export interface ManifestTarget {
  /** A browser, or `profile` for a --profile-dir folder. */
  id: BrowserId | 'profile';
  label: string;
  kind: 'chromium' | 'firefox';
  manifestPath: string;
}

const LINUX: Record<BrowserId, string[]> = {
  chrome: ['.config', 'google-chrome', 'NativeMessagingHosts'],
  chromium: ['.config', 'chromium', 'NativeMessagingHosts'],
  brave: ['.config', 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'],
  edge: ['.config', 'microsoft-edge', 'NativeMessagingHosts'],
  firefox: ['.mozilla', 'native-messaging-hosts'],
};

const MAC_SUPPORT = ['Library', 'Application Support'];
const MACOS: Record<BrowserId, string[]> = {
  chrome: [...MAC_SUPPORT, 'Google', 'Chrome', 'NativeMessagingHosts'],
  chromium: [...MAC_SUPPORT, 'Chromium', 'NativeMessagingHosts'],
  brave: [...MAC_SUPPORT, 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'],
  edge: [...MAC_SUPPORT, 'Microsoft Edge', 'NativeMessagingHosts'],
  firefox: [...MAC_SUPPORT, 'Mozilla', 'NativeMessagingHosts'],
};

const LABELS: Record<BrowserId, string> = {
  chrome: 'Google Chrome',
  chromium: 'Chromium',
  brave: 'Brave',
  edge: 'Microsoft Edge',
  firefox: 'Firefox',
};

/**
 * System-wide manifest folders (Chrome docs, MDN "Native manifests"). The
 * installer never writes there, but they name programs browsers start just the
 * same, so the host guards them too: a host with rights there (run as root, an
 * allowed `/etc`) must not be the way to rewrite one.
 */
export const SYSTEM_MANIFEST_DIRS: Readonly<Record<'linux' | 'darwin', readonly string[]>> = {
  linux: [
    '/etc/opt/chrome/native-messaging-hosts',
    '/etc/chromium/native-messaging-hosts',
    '/etc/opt/edge/native-messaging-hosts',
    '/usr/lib/mozilla/native-messaging-hosts',
    '/usr/lib64/mozilla/native-messaging-hosts',
  ],
  darwin: [
    '/Library/Google/Chrome/NativeMessagingHosts',
    '/Library/Application Support/Chromium/NativeMessagingHosts',
    '/Library/Microsoft/Edge/NativeMessagingHosts',
    '/Library/Application Support/Mozilla/NativeMessagingHosts',
  ],
};

export function isSupportedPlatform(platform: NodeJS.Platform): boolean {
  return platform === 'linux' || platform === 'darwin';
}

export function manifestTargets(
  platform: NodeJS.Platform,
  home: string,
  browsers: readonly BrowserId[],
  profileDirs: readonly string[],
): ManifestTarget[] {
  const table = platform === 'darwin' ? MACOS : LINUX;
  const file = `${NATIVE_HOST_NAME}.json`;
  const targets: ManifestTarget[] = browsers.map((id) => ({
    id,
    label: LABELS[id],
    kind: id === 'firefox' ? 'firefox' : 'chromium',
    manifestPath: path.join(home, ...table[id], file),
  }));
  for (const dir of profileDirs) {
    targets.push({
      id: 'profile',
      label: `Chromium profile ${dir}`,
      kind: 'chromium',
      manifestPath: path.join(path.resolve(dir), 'NativeMessagingHosts', file),
    });
  }
  return targets;
}

export interface ChromiumManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_origins: string[];
}

export interface FirefoxManifest {
  name: string;
  description: string;
  path: string;
  type: 'stdio';
  allowed_extensions: string[];
}

const DESCRIPTION = 'Tandem local files: reads and writes only the folders you allowed';

export function chromeOrigin(extensionId: string): string {
  return `chrome-extension://${extensionId}/`;
}

/** Extra ids (development builds) are listed after the published one. */
export function buildManifest(
  kind: 'chromium' | 'firefox',
  launcherPath: string,
  extraIds: readonly string[],
): ChromiumManifest | FirefoxManifest {
  if (kind === 'firefox') {
    const geckoIds = extraIds.filter((id) => id.includes('@') || id.startsWith('{'));
    return {
      name: NATIVE_HOST_NAME,
      description: DESCRIPTION,
      path: launcherPath,
      type: 'stdio',
      allowed_extensions: [GECKO_ID, ...geckoIds],
    };
  }
  const chromeIds = extraIds.filter((id) => /^[a-p]{32}$/.test(id));
  return {
    name: NATIVE_HOST_NAME,
    description: DESCRIPTION,
    path: launcherPath,
    type: 'stdio',
    allowed_origins: [CHROME_EXTENSION_ID, ...chromeIds].map(chromeOrigin),
  };
}

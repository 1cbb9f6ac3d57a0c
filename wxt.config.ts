import { resolve } from 'node:path';
import { defineConfig } from 'wxt';
import { GECKO_ID, MANIFEST_KEY } from './shared/extension-identity';

// The API key is never part of the build: it lives only in the user's profile storage.
export default defineConfig({
  srcDir: 'extension',
  publicDir: resolve(import.meta.dirname, 'public'),
  outDir: '.output',
  manifest: ({ browser }) => ({
    name: 'Tandem',
    description: 'A Claude browser agent with site allowlists, a local file bridge and a paired phone.',
    version: '0.1.0',
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: { id: GECKO_ID, strict_min_version: '128.0' },
          },
        }
      : { key: MANIFEST_KEY, minimum_chrome_version: '116' }),
    permissions: ['storage', 'unlimitedStorage', 'alarms', 'notifications', 'sidePanel', 'offscreen', 'nativeMessaging', 'tabs'],
    action: { default_title: 'Open Tandem' },
  }),
});

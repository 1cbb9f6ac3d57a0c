import { resolve } from 'node:path';
import { defineConfig } from 'wxt';
import { inertMarkup } from './packaging/inert-markup';
import { markedWithoutDefaultInstance } from './packaging/marked-without-default-instance';
import { noElementHighlighting } from './packaging/no-element-highlighting';
import { noFunctionConstructor } from './packaging/no-function-constructor';
import { GECKO_ID, MANIFEST_KEY } from './shared/extension-identity';

// The API key is never part of the build: it lives only in the user's profile storage.
export default defineConfig({
  srcDir: 'extension',
  publicDir: resolve(import.meta.dirname, 'public'),
  outDir: '.output',
  vite: () => ({
    plugins: [noFunctionConstructor(), inertMarkup(), noElementHighlighting(), markedWithoutDefaultInstance()],
  }),
  // `wxt zip -b firefox` also packs the sources AMO reviewers rebuild from (the bundles are minified).
  zip: {
    artifactTemplate: '{{name}}-{{version}}-{{browser}}.zip',
    sourcesTemplate: '{{name}}-{{version}}-sources.zip',
    excludeSources: ['.tmp/**', 'phone-web/dist/**', 'native-host/dist/**', '**/.output/**'],
  },
  manifest: ({ browser }) => ({
    name: 'Tandem',
    description: 'A Claude browser agent with site allowlists, a local file bridge and a paired phone.',
    version: '0.1.0',
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: GECKO_ID,
              // 140 (the current ESR): the first to read data_collection_permissions.
              strict_min_version: '140.0',
              // What leaves the browser (Mozilla's categories): the pages Tandem reads and the
              // conversation go to the model API on the user's own key. Nothing goes to us.
              data_collection_permissions: { required: ['websiteContent', 'personalCommunications'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : { key: MANIFEST_KEY, minimum_chrome_version: '116' }),
    // Firefox's default MV3 policy for extension pages adds `upgrade-insecure-requests`, which turns the
    // phone link's ws:// signaling on a LAN (npm start) into wss:// and fails. Scripts stay 'self' only.
    ...(browser === 'firefox'
      ? { content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'" } }
      : {}),
    permissions: [
      'storage',
      'unlimitedStorage',
      'alarms',
      'notifications',
      'nativeMessaging',
      'tabs',
      // Web access (docs/ARCHITECTURE.md, "Web access"): page tools, agent-tab navigation rules,
      // reading redirect targets of the agent's own fetches.
      'scripting',
      'webNavigation',
      'webRequest',
      'declarativeNetRequest',
      // Connectors: a remote MCP server's OAuth consent page (identity.launchWebAuthFlow).
      'identity',
      // Firefox has a sidebar instead of a side panel, and WebRTC in its background page.
      ...(browser === 'firefox' ? [] : ['sidePanel', 'offscreen', 'tabGroups']),
      // Keep the computer awake while a task runs (platform/keep-awake.ts); Firefox has no power API.
      ...(browser === 'firefox' ? [] : ['power']),
      // Trusted keys and clicks in agent tabs (web/trusted-input.ts; cost in docs/ARCHITECTURE.md, "Web access").
      ...(browser === 'firefox' ? [] : ['debugger']),
    ],
    // The Anthropic API itself; other base URLs (a proxy, the demo model) are reached with CORS like the real API.
    // <all_urls>: web access needs host access at the moment of action on any site the user allows;
    // the site policy in code is the gate (see docs/ARCHITECTURE.md, "Web access").
    host_permissions: ['https://api.anthropic.com/*', '<all_urls>'],
    action: { default_title: 'Open Tandem' },
    icons: { 16: 'icon/16.png', 32: 'icon/32.png', 48: 'icon/48.png', 128: 'icon/128.png' },
  }),
});

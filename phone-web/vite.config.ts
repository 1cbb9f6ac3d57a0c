/**
 * The phone page build: a static folder (phone-web/dist) deployable to any HTTPS host. Relative
 * asset paths, so it works from any sub-path. `npm run phone:dev` serves it on the LAN.
 *
 * Integrity: every script and stylesheet index.html loads gets a Subresource Integrity hash, so
 * index.html's own SHA-256 pins the whole page; the build writes dist/integrity.json (SHA-256 of
 * every file) and prints index.html's hash. A deployed page can be checked against a build of the
 * same commit with `node phone-web/verify.mjs <url>` (see phone-web/README.md).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { collapsedLitHtml } from '../packaging/collapsed-lit-html.ts';
import { markedWithoutDefaultInstance } from '../packaging/marked-without-default-instance.ts';
import { minifiedLitCss } from '../packaging/minified-lit-css.ts';
import { minifiedServiceWorker } from '../packaging/minified-service-worker.ts';

const outDir = resolve(import.meta.dirname, 'dist');

function sha(algorithm: 'sha256' | 'sha384', bytes: string | Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('base64');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Chunks loaded by `import()` (the QR decoder) are not in a tag that can carry `integrity`: an
 * import map's `integrity` table pins them instead (Chrome 127, Firefox 138, Safari 18), so
 * index.html's hash still covers every script. The map is inline, so the CSP admits it by its hash.
 */
function pinLazyChunks(html: string): string {
  const lazy = filesUnder(join(outDir, 'assets'))
    .map((file) => relative(outDir, file))
    .filter((path) => path.endsWith('.js') && !html.includes(`"./${path}"`))
    .sort();
  if (lazy.length === 0) return html;
  const map = JSON.stringify({
    integrity: Object.fromEntries(
      lazy.map((path) => [`./${path}`, `sha384-${sha('sha384', readFileSync(join(outDir, path)))}`]),
    ),
  });
  const withMap = html.replace(/<script type="module"/, `<script type="importmap">${map}</script>\n    $&`);
  const policy = /script-src 'self'/;
  if (withMap === html || !policy.test(withMap))
    throw new Error('index.html: no module script or script-src to pin to.');
  return withMap.replace(policy, `$& 'sha256-${sha('sha256', map)}'`);
}

function integrity(): Plugin {
  return {
    name: 'tandem-integrity',
    apply: 'build',
    closeBundle() {
      // Hashed from the files as written (the bundle's code can still change after the HTML hooks).
      const indexPath = join(outDir, 'index.html');
      const html = readFileSync(indexPath, 'utf8').replace(
        /<(script|link)\b([^>]*?)\s(src|href)="\.\/(assets\/[^"]+\.(?:js|css))"([^>]*)>/g,
        (tag, name: string, before: string, attr: string, path: string, after: string) =>
          tag.includes('integrity=')
            ? tag
            : `<${name}${before} ${attr}="./${path}" integrity="sha384-${sha('sha384', readFileSync(join(outDir, path)))}"${after}>`,
      );
      writeFileSync(indexPath, pinLazyChunks(html));
      const files: Record<string, string> = {};
      for (const file of filesUnder(outDir).sort()) {
        const path = relative(outDir, file);
        if (path === 'integrity.json') continue;
        files[path] = `sha256-${sha('sha256', readFileSync(file))}`;
      }
      writeFileSync(join(outDir, 'integrity.json'), `${JSON.stringify({ files }, null, 2)}\n`);
      console.log(`phone page: index.html ${files['index.html']}`);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  publicDir: resolve(import.meta.dirname, 'public'),
  plugins: [markedWithoutDefaultInstance(), minifiedLitCss(), collapsedLitHtml(), minifiedServiceWorker(), integrity()],
  resolve: {
    alias: [
      // PeerJS's browser shims for WebRTC from before 2019, replaced by the browser detection it reads.
      { find: /^webrtc-adapter$/, replacement: resolve(import.meta.dirname, 'src/webrtc-browser-details.ts') },
      // PeerJS's "binary" serialization; the link uses 'raw' only.
      { find: /^peerjs-js-binarypack$/, replacement: resolve(import.meta.dirname, 'src/binarypack-unused.ts') },
    ],
  },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // No inlined data: URLs for scripts or styles (the page's CSP allows only 'self').
    assetsInlineLimit: 0,
    // No modulepreload polyfill: every browser that honours the import map's integrity (Chrome 127,
    // Firefox 138, Safari 18) has <link rel="modulepreload"> natively.
    modulePreload: { polyfill: false },
  },
  server: { host: true },
  preview: { host: true },
});

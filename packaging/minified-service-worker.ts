/**
 * A Vite plugin for the phone page build: the service worker (phone-web/public/sw.js, plain JS
 * copied as is, so `npm run phone:dev` serves it too) is minified in the built folder.
 *
 * Every phone downloads it at start, and as written it is half comments (2.2 KB gzip, 1.3 minified).
 * esbuild minifies it as a classic script, so its top-level names stay as written. It runs when the
 * bundle is written, before the integrity step (closeBundle) hashes the folder, so index.html's
 * and integrity.json's hashes are the minified file's. A build without the file fails: the page
 * registers `./sw.js`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import type { Plugin } from 'vite';

const SERVICE_WORKER = 'sw.js';

/** The script minified; throws on a syntax error, so a broken worker fails the build. */
export function minifyServiceWorker(source: string): string {
  return transformSync(source, { loader: 'js', minify: true, target: 'es2022', logLevel: 'silent' }).code;
}

export function minifiedServiceWorker(): Plugin {
  return {
    name: 'tandem:minified-service-worker',
    apply: 'build',
    writeBundle(options) {
      const path = join(options.dir ?? '', SERVICE_WORKER);
      if (!options.dir || !existsSync(path)) this.error(`minified-service-worker: no ${SERVICE_WORKER} in the build`);
      try {
        writeFileSync(path, minifyServiceWorker(readFileSync(path, 'utf8')));
      } catch (error) {
        this.error(`minified-service-worker: ${(error as Error).message}`);
      }
    },
  };
}

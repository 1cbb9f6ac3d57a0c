/**
 * The phone page build: a static folder (phone-web/dist) deployable to any HTTPS host. Relative
 * asset paths, so it works from any sub-path. `npm run phone:dev` serves it on the LAN.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  publicDir: resolve(import.meta.dirname, 'public'),
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: { host: true },
  preview: { host: true },
});

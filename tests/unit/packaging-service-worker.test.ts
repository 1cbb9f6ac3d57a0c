import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { minifiedServiceWorker, minifyServiceWorker } from '../../packaging/minified-service-worker';
import { type PluginErrorContext, recordingPluginContext } from './support/plugin-context';

const source = readFileSync(resolve(__dirname, '../../phone-web/public/sw.js'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sw-minify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { context, errors } = recordingPluginContext();
const writeBundle = minifiedServiceWorker().writeBundle as (
  this: PluginErrorContext,
  options: { dir?: string },
) => void;

describe("the phone page's service worker, minified", () => {
  it('keeps every listener and its cache name, in well under its written size', () => {
    const minified = minifyServiceWorker(source);
    expect(minified.length).toBeLessThan(source.length * 0.6);
    for (const event of ['install', 'activate', 'fetch', 'push', 'notificationclick'])
      expect(minified).toContain(`self.addEventListener("${event}"`);
    expect(minified).toContain('CACHE="tandem-shell-v1"');
    expect(() => new Function(minified)).not.toThrow();
  });

  it('rewrites the built copy in place, and fails the build when it is missing or broken', () => {
    writeFileSync(join(dir, 'sw.js'), source);
    writeBundle.call(context, { dir });
    expect(readFileSync(join(dir, 'sw.js'), 'utf8')).toBe(minifyServiceWorker(source));

    expect(() => writeBundle.call(context, { dir: join(dir, 'nowhere') })).toThrow();
    expect(errors.at(-1)).toContain('no sw.js in the build');
    writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", (event) => {');
    expect(() => writeBundle.call(context, { dir })).toThrow();
    expect(errors.at(-1)).toMatch(/minified-service-worker: [\s\S]*Unexpected end of file/);
  });
});

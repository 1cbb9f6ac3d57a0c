/**
 * phone_page_js_gzip_kb: the phone page's JavaScript as a phone downloads it, gzipped at level 9 as
 * a static host would serve it, in KiB, split into what normal use loads and what only a rare
 * action or a particular content loads. The rule, counted from the build's files:
 * - At start: every script of the static build (the service worker included) except the on-demand
 *   chunks below. A lazily loaded chunk not named here counts at start: loading lazily alone does
 *   not take code out of normal use. The highlighter's core chunk counts at start (a session that
 *   shows any code loads it), and so does its LARGEST language chunk (such a session loads at least
 *   one language; counting the largest keeps the figure an upper bound whichever it is).
 * - On demand: the in-page QR decoder (only when "Scan the QR code" is tapped), the Schedules screen
 *   (only when "Schedules" or "Save as shortcut" is tapped) and every other
 *   language chunk (each only when a fence in that language is on screen).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LANGUAGE_LOADERS } from '../shared/ui/code-languages';

/** The summary printed with the metric. */
export const PHONE_PAGE_SIZE_RULE =
  'phone_page_js_gzip_kb counts every script the page loads at start, the highlighter core and its largest ' +
  'language chunk included (a session showing code loads them); phone_page_on_demand_js_gzip_kb is the QR ' +
  'decoder (fetched when the in-page scanner opens), the Schedules screen (when it is opened) and the other language chunks (each fetched when a code ' +
  'block in that language is on screen).';

/** The QR decoder ("Scan the QR code") and the Schedules screen ("Schedules", "Save as shortcut"). */
const RARE_ACTION_CHUNKS = [/^jsQR-/, /^tandem-schedules-view-/];

/** A language chunk as Vite names it: the highlight.js language module's name, a dash, an 8-character hash. */
const LANGUAGE_CHUNK = new RegExp(`^(?:${Object.keys(LANGUAGE_LOADERS).join('|')})-[\\w-]{8}\\.js$`);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const gzipBytes = (file: string) => gzipSync(readFileSync(file), { level: 9 }).byteLength;

/** The scripts index.html's import map pins, i.e. the chunks loaded by `import()`. */
function lazyChunks(dist: string): string[] {
  const map = readFileSync(join(dist, 'index.html'), 'utf8').match(/<script type="importmap">(.*?)<\/script>/s)?.[1];
  const pinned = map ? (JSON.parse(map) as { integrity?: Record<string, string> }).integrity : undefined;
  return Object.keys(pinned ?? {}).map((path) => join(dist, path));
}

/** The scripts fetched only on demand, by the rule above. */
function onDemandScripts(dist: string): Set<string> {
  const lazy = lazyChunks(dist);
  const rare = lazy.filter((path) => RARE_ACTION_CHUNKS.some((name) => name.test(basename(path))));
  const languages = lazy
    .filter((path) => LANGUAGE_CHUNK.test(basename(path)))
    .map((path) => ({ path, bytes: gzipBytes(path) }))
    .sort((a, b) => b.bytes - a.bytes);
  return new Set([...rare, ...languages.slice(1).map(({ path }) => path)]);
}

const gzippedKb = (files: readonly string[]) => files.reduce((sum, file) => sum + gzipBytes(file), 0) / 1024;

/** The page's JavaScript as a phone downloads it, gzipped: at start (the service worker included), and on demand. */
export function phonePageJsGzipKb(dist: string): { atStart: number; onDemand: number } {
  const scripts = filesUnder(dist).filter((file) => file.endsWith('.js'));
  const onDemand = onDemandScripts(dist);
  return {
    atStart: gzippedKb(scripts.filter((file) => !onDemand.has(file))),
    onDemand: gzippedKb(scripts.filter((file) => onDemand.has(file))),
  };
}

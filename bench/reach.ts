/**
 * [reach] benchmarks (`npm run bench -- reach`).
 *
 * - phone_page_js_gzip_kb: every JavaScript file of the phone page's static build, gzipped at
 *   level 9 as a static host would serve it, summed, in KiB (goal ≤ 110).
 *
 * Not measured yet (they need the network-namespace rig with browsers inside it, which is not
 * finished): connect_ms_direct, connect_ms_turn, network_change_recover_ms, relay_delivered_ratio.
 * bench/phone.ts still reports pair_ms on loopback, the nearest existing number.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildPhonePage, PHONE_DIST } from '../tests/e2e/support/phone';
import type { Metric } from './index';
import { round } from './stats';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The page's JavaScript as a phone downloads it: gzipped, every script (the service worker included). */
export function phonePageJsGzipKb(dist: string): number {
  const bytes = filesUnder(dist)
    .filter((file) => file.endsWith('.js'))
    .reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).byteLength, 0);
  return bytes / 1024;
}

export async function runReachBench(): Promise<Metric[]> {
  buildPhonePage();
  return [{ metric: 'phone_page_js_gzip_kb', value: round(phonePageJsGzipKb(PHONE_DIST)), unit: 'KiB' }];
}

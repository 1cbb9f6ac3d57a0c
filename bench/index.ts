/**
 * Benchmarks: each group measures Tandem and, where it makes sense, a baseline in
 * the same run (ratios, not absolute times: these machines are shared and noisy).
 * Prints one JSON line per metric, last.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Metric {
  metric: string;
  value: number;
  unit: string;
}

type Group = () => Promise<Metric[]>;

const GROUPS: Record<string, () => Promise<Group>> = {
  runtime: async () => (await import('./runtime')).runRuntimeBench,
  context: async () => (await import('./context')).runContextBench,
};
for (const [name, file, fn] of [
  ['web', './web', 'runWebBench'],
  ['files', './files', 'runFilesBench'],
  ['phone', './phone', 'runPhoneBench'],
  ['agent', './agent', 'runAgentBench'],
  ['push', './push', 'runPushBench'],
  ['schedule', './schedule', 'runScheduleBench'],
  ['connect', './connect', 'runConnectBench'],
  ['reach', './reach', 'runReachBench'],
  ['audit', './audit', 'runAuditBench'],
  ['search', './search', 'runSearchBench'],
] as const) {
  if (existsSync(resolve(import.meta.dirname, `${file}.ts`))) {
    GROUPS[name] = async () => (await import(file))[fn] as Group;
  }
}

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(GROUPS);
const metrics: Metric[] = [];
for (const name of names) {
  const load = GROUPS[name];
  if (!load) {
    console.error(`Unknown benchmark group "${name}". Known: ${Object.keys(GROUPS).join(', ')}`);
    process.exit(2);
  }
  console.error(`▶ bench ${name}`);
  metrics.push(...(await (await load())()));
}
for (const metric of metrics) console.log(JSON.stringify(metric));
process.exit(0);

/**
 * The MCP conformance suite (`@modelcontextprotocol/conformance`, client mode) against Tandem's client
 * code (tests/fixtures/mcp-conformance/client.ts): initialisation, tool calls, SSE reconnection and the
 * OAuth scenarios (metadata discovery, dynamic registration, PKCE, scopes, step-up, pre-registration).
 * The suite's servers listen on every interface, so it runs in a network namespace of its own that
 * has only loopback (`unshare -n`, root only; skipped with a message otherwise).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..', '..');
const suite = path.join(
  path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')),
  'dist',
  'index.js',
);
const client = `${path.join(root, 'node_modules', '.bin', 'tsx')} ${path.join(root, 'tests', 'fixtures', 'mcp-conformance', 'client.ts')}`;
const hooks = path.join(root, 'tests', 'fixtures', 'mcp-conformance', 'register.mjs');

const isRoot = process.getuid?.() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-n', 'true']).status === 0;
if (!canUnshare) console.warn('connect-conformance: skipped (needs root for a loopback-only network namespace)');

const SCENARIOS = [
  'initialize',
  'tools_call',
  'sse-retry',
  'auth/metadata-default',
  'auth/metadata-var3',
  'auth/scope-step-up',
  'auth/token-endpoint-auth-basic',
  'auth/pre-registration',
  'auth/2025-03-26-oauth-endpoint-fallback',
];

/** The suite colours its report; the escape character is built, not written in a regex literal (lint). */
const ANSI_COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function run(scenario: string): string {
  const script = `ip link set lo up && exec "${process.execPath}" --import "${hooks}" "${suite}" client --timeout 20000 --command "${client}" --scenario ${scenario}`;
  // The suite prints its report on both streams: read them together.
  const result = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', cwd: root, timeout: 60_000 });
  return `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
}

describe.skipIf(!canUnshare)('MCP conformance, client mode', () => {
  for (const scenario of SCENARIOS)
    it(`passes ${scenario}`, () => {
      const out = run(scenario).replace(ANSI_COLOURS, '');
      const passed = out.match(/Passed: (\d+)\/(\d+), (\d+) failed/);
      expect(passed, out.slice(-2000)).not.toBeNull();
      expect(Number(passed?.[3]), out.slice(-2000)).toBe(0);
      expect(out).toContain('OVERALL: PASSED');
    }, 90_000);
});

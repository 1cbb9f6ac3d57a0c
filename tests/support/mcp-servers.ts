/** The reference MCP servers from npm, as launch specs a connector config can hold. */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { StdioSpec } from '../../extension/connectors/connector-config';

const require = createRequire(import.meta.url);

export function serverEntry(pkg: 'server-everything' | 'server-memory' | 'server-filesystem'): string {
  return path.join(path.dirname(require.resolve(`@modelcontextprotocol/${pkg}/package.json`)), 'dist', 'index.js');
}

export function stdioSpec(
  pkg: 'server-everything' | 'server-memory' | 'server-filesystem',
  args: string[] = [],
  env: Record<string, string> = {},
): StdioSpec {
  return { kind: 'stdio', command: process.execPath, args: [serverEntry(pkg), ...args], env };
}

/**
 * The permission room sits below everything that asks it: sites, folders, tools,
 * connectors and the engine import it, never the other way round, so a policy can
 * be read and tested without the engine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const permissions = join(root, 'extension/permissions');
const FORBIDDEN = ['runtime', 'web', 'files', 'tools', 'link', 'connectors', 'client', 'entrypoints'];

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) =>
    relative(join(root, 'extension'), resolve(dirname(file), match[1] ?? '')),
  );
}

describe('extension/permissions', () => {
  const files = readdirSync(permissions).filter((name) => name.endsWith('.ts'));

  it('holds the gate, the grant policy, the grant store and the untrusted-content wrapper', () => {
    expect(files).toEqual(
      expect.arrayContaining(['permission-gate.ts', 'grant-policy.ts', 'grant-store.ts', 'untrusted-content.ts']),
    );
  });

  it('imports nothing from the rooms that depend on it', () => {
    const upward = files.flatMap((name) =>
      importsOf(join(permissions, name))
        .filter((target) => FORBIDDEN.includes(target.split('/')[0] ?? ''))
        .map((target) => `${name} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });
});

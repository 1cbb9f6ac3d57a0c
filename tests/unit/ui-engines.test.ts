import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

type Version = [number, number, number];

function parse(text: string): Version {
  const [major = 0, minor = 0, patch = 0] = text.trim().split('.').map(Number);
  return [major, minor, patch];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` satisfies an npm engines range of the shapes packages use (>=, ^, ||). */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+(?=[<>^~=])/)
      .every((comparator) => {
        const match = /^(>=|>|\^|~|=)?\s*v?([\d.]+)/.exec(comparator.trim());
        if (!match?.[2]) return true;
        const floor = parse(match[2]);
        const op = match[1] ?? '=';
        if (op === '>=') return compare(version, floor) >= 0;
        if (op === '>') return compare(version, floor) > 0;
        if (op === '^') return version[0] === floor[0] && compare(version, floor) >= 0;
        if (op === '~') return version[0] === floor[0] && version[1] === floor[1] && compare(version, floor) >= 0;
        return compare(version, floor) === 0;
      }),
  );
}

/** The lowest Node version our own `engines` allows. */
function ourFloor(): Version {
  const match = /^>=\s*([\d.]+)$/.exec(manifest.engines.node.trim());
  if (!match?.[1]) throw new Error(`engines.node should be ">=X.Y.Z", is "${manifest.engines.node}"`);
  return parse(match[1]);
}

describe('Node requirement', () => {
  it('is one the dependencies themselves accept (no EBADENGINE on the stated minimum)', () => {
    const floor = ourFloor();
    const refusing: string[] = [];
    for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]) {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        engines?: { node?: string };
      };
      const range = pkg.engines?.node;
      if (range && !satisfies(floor, range)) refusing.push(`${name} wants node ${range}`);
    }
    expect(refusing).toEqual([]);
  });

  it('is what the README says', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const stated = /Node\.js ≥ ([\d.]+)/.exec(readme)?.[1];
    expect(stated).toBeDefined();
    expect(compare(parse(stated ?? '0'), ourFloor())).toBe(0);
  });
});

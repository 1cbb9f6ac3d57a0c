import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { phonePageJsGzipKb } from '../../bench/phone-page-size';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A phone build's layout: the entry in a script tag, the lazily loaded chunks pinned by the import map. */
function fakeBuild(sizes: Record<string, number>): { dist: string; kb: (name: string) => number } {
  const dist = mkdtempSync(join(tmpdir(), 'phone-dist-'));
  dirs.push(dist);
  mkdirSync(join(dist, 'assets'));
  const kb: Record<string, number> = {};
  for (const [name, size] of Object.entries(sizes)) {
    // Random bytes as hex: gzip cannot shrink them much, so sizes stay apart.
    const body = `export default "${randomBytes(size).toString('hex')}";`;
    writeFileSync(join(dist, name === 'sw.js' ? name : join('assets', name)), body);
    kb[name] = gzipSync(body, { level: 9 }).byteLength / 1024;
  }
  const lazy = Object.keys(sizes).filter((name) => name !== 'sw.js' && !name.startsWith('index-'));
  const map = { integrity: Object.fromEntries(lazy.map((name) => [`./assets/${name}`, 'sha384-x'])) };
  writeFileSync(
    join(dist, 'index.html'),
    `<script type="importmap">${JSON.stringify(map)}</script>\n<script type="module" src="./assets/index-Ab12Cd34.js"></script>`,
  );
  return { dist, kb: (name) => kb[name] ?? Number.NaN };
}

describe('phone_page_js_gzip_kb counting', () => {
  it('counts the entry, the highlighter core and the largest language chunk at start; the other languages and the QR decoder on demand', () => {
    const { dist, kb } = fakeBuild({
      'index-Ab12Cd34.js': 4000,
      'sw.js': 300,
      'highlighter-core-Zz99Yy88.js': 1500,
      'css-D5l_8KUR.js': 900,
      'bash-BqpFWvKu.js': 400,
      'c-CVYb4e6m.js': 200,
      'jsQR-DMwB-lcQ.js': 2000,
    });
    const size = phonePageJsGzipKb(dist);
    const sum = (names: string[]) => names.reduce((total, name) => total + kb(name), 0);
    expect(size.atStart).toBeCloseTo(
      sum(['index-Ab12Cd34.js', 'sw.js', 'highlighter-core-Zz99Yy88.js', 'css-D5l_8KUR.js']),
      6,
    );
    expect(size.onDemand).toBeCloseTo(sum(['bash-BqpFWvKu.js', 'c-CVYb4e6m.js', 'jsQR-DMwB-lcQ.js']), 6);
  });

  it('counts a lazily loaded chunk it does not know at start', () => {
    const { dist, kb } = fakeBuild({ 'index-Ab12Cd34.js': 1000, 'settings-Qq11Ww22.js': 500 });
    expect(phonePageJsGzipKb(dist).atStart).toBeCloseTo(kb('index-Ab12Cd34.js') + kb('settings-Qq11Ww22.js'), 6);
  });
});

/**
 * `tandem-audit verify FILE`: the real bundle (built by build.mjs), spawned as a person runs it,
 * against exported audit logs, untouched and tampered with.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS, linkRows } from '../../shared/audit/audit-chain';
import { buildAuditExport } from '../../shared/audit/audit-export';

let scratch: string;
let bundle: string;

beforeAll(async () => {
  scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-audit-cli-')));
  const buildScript = path.resolve(import.meta.dirname, '../build.mjs');
  const { buildAuditCli } = (await import(buildScript)) as { buildAuditCli(o: { outfile: string }): Promise<string> };
  bundle = await buildAuditCli({ outfile: path.join(scratch, 'tandem-audit.mjs') });
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const rows = linkRows(
  [1, 2, 3].map((id) => ({
    id,
    threadId: 't1',
    taskId: 'k',
    toolUseId: `toolu_${id}`,
    at: 1_000 + id,
    tool: 'write_file',
    input: { path: `/notes/${id}.md` },
    decision: 'allowed',
    decidedBy: 'panel',
    outcome: 'ok',
  })),
  GENESIS,
);
const good = buildAuditExport(rows, { extensionVersion: '0.1.0', exportedAt: new Date(0) });

function writeFile(name: string, text: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  return file;
}

function verify(...args: string[]) {
  const result = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tandem-audit verify', () => {
  it('prints the row count and chain head of an untouched export and exits 0', () => {
    const result = verify('verify', writeFile('good.jsonl', good.text));
    expect(result).toMatchObject({ status: 0, stdout: `OK: 3 rows, chain head ${good.head}\n` });
  });

  it('names the first bad line of an edited export and exits 1', () => {
    const edited = good.text.replace('"/notes/2.md"', '"/notes/other.md"');
    expect(edited).not.toBe(good.text);
    const result = verify('verify', writeFile('edited.jsonl', edited));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('FAIL: line 3: this row was changed (its hash does not match its content).\n');
  });

  it('checks a chain head noted earlier', () => {
    const file = writeFile('noted.jsonl', good.text);
    const noted = verify('verify', file, '--head', rows[1]?.hash as string);
    expect(noted.status).toBe(0);
    expect(noted.stdout).toContain('the head you noted is row 2');
    const other = verify('verify', file, '--head', 'a'.repeat(64));
    expect(other.status).toBe(1);
    expect(other.stdout).toMatch(/^FAIL: line 5: the chain head you noted .* is not in this file/);
  });

  it('exits 1 for a missing file and 2 for a wrong command line', () => {
    expect(verify('verify', path.join(scratch, 'nope.jsonl'))).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('cannot read'),
    });
    expect(verify()).toMatchObject({ status: 2, stderr: expect.stringContaining('Usage: tandem-audit verify FILE') });
    expect(verify('check', 'x')).toMatchObject({ status: 2 });
    expect(verify('verify', 'x', '--head', 'short')).toMatchObject({ status: 2 });
  });
});

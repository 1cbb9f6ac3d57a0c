/**
 * The audit log's export and its verifier (shared/audit): a valid export verifies, and every kind of
 * tampering a person could do in a text editor is caught at the line where it happened.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS, hashWithoutHash, linkRows } from '../../shared/audit/audit-chain';
import { buildAuditExport } from '../../shared/audit/audit-export';
import { canonicalJson } from '../../shared/audit/canonical-json';
import { verifyAuditExport } from '../../shared/audit/verify-audit-export';

function entry(id: number, tool: string, decision: 'auto' | 'allowed' | 'denied' = 'auto') {
  return {
    id,
    threadId: 't1',
    taskId: 'k1',
    toolUseId: `toolu_${id}`,
    at: 1_700_000_000_000 + id,
    tool,
    input: { path: `/notes/${id}.md`, text: 'héllo ✓', n: id / 3 },
    decision,
    ...(decision === 'auto' ? {} : { decidedBy: 'panel' }),
    outcome: decision === 'denied' ? 'denied' : 'ok',
  };
}

const ROWS = linkRows(
  [entry(1, 'get_time'), entry(2, 'write_file', 'allowed'), entry(3, 'fetch', 'denied'), entry(4, 'notify_user')],
  GENESIS,
);

function exported(rows = ROWS) {
  return buildAuditExport(rows, { extensionVersion: '0.1.0', exportedAt: new Date('2026-12-01T10:00:00Z') });
}

function lines(text: string): string[] {
  return text.trimEnd().split('\n');
}

function joined(parts: string[]): string {
  return `${parts.join('\n')}\n`;
}

/** Line `index` (0-based) parsed, changed by `edit`, written back (without fixing any hash). */
function editLine(text: string, index: number, edit: (value: Record<string, unknown>) => void): string {
  const all = lines(text);
  const value = JSON.parse(all[index] as string) as Record<string, unknown>;
  edit(value);
  all[index] = JSON.stringify(value);
  return joined(all);
}

describe('canonical JSON', () => {
  it('sorts keys by code unit, drops whitespace and undefined members, writes numbers as JSON does', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: undefined, B: 2.5 }], é: 'ü', Z: -0, e: 1e21 })).toBe(
      '{"Z":0,"a":[true,null,{"B":2.5,"d":"x"}],"b":1,"e":1e+21,"é":"ü"}',
    );
  });

  it('hashes the UTF-8 bytes of the canonical form with SHA-256 (as node:crypto computes it)', () => {
    const row = { prev: GENESIS, tool: 'write_file', input: { text: 'héllo ✓ 😀' } };
    const expected = createHash('sha256')
      .update(Buffer.from(canonicalJson(row), 'utf8'))
      .digest('hex');
    expect(hashWithoutHash({ ...row, hash: 'ignored' })).toBe(expected);
  });
});

describe('audit log export', () => {
  it('verifies an untouched export: row count and chain head', () => {
    const file = exported();
    expect(lines(file.text)).toHaveLength(ROWS.length + 2);
    expect(verifyAuditExport(file.text)).toMatchObject({ ok: true, rows: 4, head: ROWS[3]?.hash });
    expect(file.head).toBe(ROWS[3]?.hash);
    expect(JSON.parse(lines(file.text)[0] as string)).toMatchObject({
      format: 'tandem-audit-log',
      version: 1,
      extensionVersion: '0.1.0',
      exportedAt: '2026-12-01T10:00:00.000Z',
      rows: 4,
      algorithm: 'SHA-256',
      canonicalization: 'RFC8785',
    });
  });

  it('verifies an empty log, and a reformatted file (whitespace is not content)', () => {
    expect(verifyAuditExport(exported([]).text)).toMatchObject({ ok: true, rows: 0, head: GENESIS });
    // Whitespace is not content: a line reformatted by an editor still verifies (CRLF included).
    const spaced = lines(exported().text)
      .map((line) => JSON.stringify(JSON.parse(line), null, 0).replace(/,"/g, ', "'))
      .join('\r\n');
    expect(verifyAuditExport(spaced).ok).toBe(true);
  });

  it('catches an edited row at its line', () => {
    const text = editLine(exported().text, 2, (row) => {
      row.decision = 'auto';
    });
    expect(verifyAuditExport(text)).toEqual({ ok: false, line: 3, reason: expect.stringContaining('was changed') });
  });

  it('catches an edited row whose hash was recomputed, at the next row', () => {
    const text = editLine(exported().text, 2, (row) => {
      row.outcome = 'error';
      row.hash = hashWithoutHash(row);
    });
    expect(verifyAuditExport(text)).toEqual({ ok: false, line: 4, reason: expect.stringContaining('does not follow') });
  });

  it('catches a deleted row in the middle and a deleted first row', () => {
    const all = lines(exported().text);
    expect(verifyAuditExport(joined([...all.slice(0, 2), ...all.slice(3)]))).toMatchObject({ ok: false, line: 3 });
    expect(verifyAuditExport(joined([all[0] as string, ...all.slice(2)]))).toEqual({
      ok: false,
      line: 2,
      reason: expect.stringContaining('rows before it were removed'),
    });
  });

  it('catches two rows swapped', () => {
    const all = lines(exported().text);
    const swapped = [all[0], all[1], all[3], all[2], ...all.slice(4)] as string[];
    expect(verifyAuditExport(joined(swapped))).toMatchObject({ ok: false, line: 3 });
  });

  it('catches a file cut short, with or without its end line', () => {
    const all = lines(exported().text);
    expect(verifyAuditExport(joined(all.slice(0, -2)))).toEqual({
      ok: false,
      line: all.length - 1,
      reason: expect.stringContaining('cut short'),
    });
    // The last row removed but the end line kept: the end records a head the chain never reaches.
    expect(verifyAuditExport(joined([...all.slice(0, -2), all.at(-1) as string]))).toEqual({
      ok: false,
      line: all.length - 1,
      reason: expect.stringContaining('rows were removed'),
    });
  });

  it('catches header tampering, with its hash fixed or not', () => {
    const file = exported().text;
    expect(verifyAuditExport(editLine(file, 0, (h) => (h.extensionVersion = '9.9.9')))).toMatchObject({
      ok: false,
      line: 1,
    });
    const rehashed = editLine(file, 0, (h) => {
      h.exportedAt = '2020-01-01T00:00:00.000Z';
      h.hash = hashWithoutHash(h);
    });
    expect(verifyAuditExport(rehashed)).toEqual({
      ok: false,
      line: 6,
      reason: expect.stringContaining('different header'),
    });
    expect(verifyAuditExport(editLine(file, 0, (h) => (h.version = 2)))).toEqual({
      ok: false,
      line: 1,
      reason: expect.stringContaining('version 2'),
    });
  });

  it('rejects what is not an audit log, and lines after the end', () => {
    expect(verifyAuditExport('')).toMatchObject({ ok: false, line: 1 });
    expect(verifyAuditExport('{"hello":1}\n')).toMatchObject({ ok: false, line: 1 });
    expect(verifyAuditExport(`${exported().text}not json\n`)).toMatchObject({ ok: false, line: 7 });
    expect(verifyAuditExport(`${exported().text}{"x":1}\n`)).toMatchObject({ ok: false, line: 7 });
  });

  it('a whole rewrite passes on its own, and fails against a chain head noted before', () => {
    const noted = ROWS[1]?.hash as string;
    expect(verifyAuditExport(exported().text, { notedHead: noted })).toMatchObject({ ok: true, notedHeadRow: 2 });
    // Someone rewrites row 2 and re-links every row after it: a consistent file, a different history.
    const forged = linkRows(
      ROWS.map((row, i) => (i === 1 ? { ...row, decision: 'denied' as const } : row)),
      GENESIS,
    );
    const text = exported(forged).text;
    expect(verifyAuditExport(text).ok).toBe(true);
    expect(verifyAuditExport(text, { notedHead: noted })).toEqual({
      ok: false,
      line: 6,
      reason: expect.stringContaining('is not in this file'),
    });
  });
});

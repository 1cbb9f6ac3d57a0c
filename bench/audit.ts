/**
 * Audit log benchmarks, in Node (fake-indexeddb, so the numbers show the chain's own cost, not a
 * browser's disk):
 * - audit_append_chained_ms_per_row: one audit row per transaction through `appendAuditRows` (read the
 *   last row, hash, add); baseline audit_append_plain_ms_per_row: the plain `add` it replaced, same
 *   database engine, same run; audit_append_ratio = chained / plain.
 * - audit_export_ms / audit_verify_ms: building and verifying the JSON Lines file of 10,000 rows;
 *   audit_verify_rows_per_s.
 */
import 'fake-indexeddb/auto';
import { AuditLog, appendAuditRows } from '../extension/storage/audit-log';
import { TandemDatabase } from '../extension/storage/db';
import { verifyAuditExport } from '../shared/audit/verify-audit-export';
import type { AuditEntry } from '../shared/protocol';
import type { Metric } from './index';
import { median, round } from './stats';

const APPENDS = 1_000;
const EXPORT_ROWS = 10_000;

function entry(n: number): AuditEntry {
  return {
    threadId: `t${n % 7}`,
    taskId: 'task',
    toolUseId: `toolu_${n}`,
    at: 1_700_000_000_000 + n,
    tool: 'write_file',
    input: { path: `/notes/${n}.md`, text: 'A line of notes written by the agent. '.repeat(4) },
    decision: 'allowed',
    decidedBy: 'panel',
    outcome: 'ok',
  };
}

async function timeAppends(append: (db: TandemDatabase, row: AuditEntry) => Promise<unknown>): Promise<number> {
  const db = new TandemDatabase(`bench-audit-${Math.random()}`);
  await db.open();
  const started = performance.now();
  for (let n = 1; n <= APPENDS; n++) await append(db, entry(n));
  const elapsed = performance.now() - started;
  db.close();
  return elapsed / APPENDS;
}

export async function runAuditBench(): Promise<Metric[]> {
  const chained: number[] = [];
  const plain: number[] = [];
  for (let round = 0; round < 3; round++) {
    // Interleaved, so a noisy neighbour slows both alike.
    plain.push(await timeAppends((db, row) => db.audit.add(row as never)));
    chained.push(await timeAppends((db, row) => appendAuditRows(db, [row])));
  }

  const db = new TandemDatabase(`bench-audit-export-${Math.random()}`);
  await db.open();
  for (let start = 0; start < EXPORT_ROWS; start += 1_000) {
    await appendAuditRows(
      db,
      Array.from({ length: 1_000 }, (_, i) => entry(start + i)),
    );
  }
  const audit = new AuditLog(db, 'bench');
  let started = performance.now();
  const file = await audit.exportJsonLines();
  const exportMs = performance.now() - started;
  started = performance.now();
  const verdict = verifyAuditExport(file.text);
  const verifyMs = performance.now() - started;
  db.close();
  if (!verdict.ok || verdict.rows !== EXPORT_ROWS)
    throw new Error(`bench export did not verify: ${JSON.stringify(verdict)}`);

  const chainedMs = median(chained);
  const plainMs = median(plain);
  return [
    { metric: 'audit_append_chained_ms_per_row', value: round(chainedMs, 3), unit: 'ms' },
    { metric: 'audit_append_plain_ms_per_row', value: round(plainMs, 3), unit: 'ms' },
    { metric: 'audit_append_ratio', value: round(chainedMs / plainMs), unit: 'x' },
    { metric: 'audit_export_ms', value: round(exportMs), unit: 'ms' },
    { metric: 'audit_verify_ms', value: round(verifyMs), unit: 'ms' },
    { metric: 'audit_verify_rows_per_s', value: Math.round(EXPORT_ROWS / (verifyMs / 1_000)), unit: 'rows/s' },
    { metric: 'audit_export_bytes_per_row', value: Math.round(file.text.length / EXPORT_ROWS), unit: 'B' },
  ];
}

/**
 * The audit log as a file: JSON Lines, one canonical JSON object per line.
 *
 *   line 1        header: format, version, extension version, export time, row count, algorithm,
 *                 canonicalization, genesis, and `hash` over the header itself
 *   lines 2..N+1  the audit rows exactly as stored, each with the `prev` and `hash` it got when it
 *                 was written (see audit-chain.ts): the export repeats the chain, it does not make one
 *   last line     end: the row count, the chain head (last row's hash), the header's hash, and `hash`
 *                 over the end line itself; a file cut short has no end line
 *
 * What it proves is written down in docs/ARCHITECTURE.md ("The audit log"): edits, removals,
 * insertions and moves inside the file are caught; a rewrite of the whole file is caught only
 * against a chain head noted elsewhere (Settings shows the current one).
 */
import { z } from 'zod/mini';
import { type ChainLinks, GENESIS, HASH_ALGORITHM, HASH_PATTERN, hashWithoutHash } from './audit-chain';
import { canonicalJson } from './canonical-json';

export const AUDIT_EXPORT_FORMAT = 'tandem-audit-log';
export const AUDIT_EXPORT_VERSION = 1;
export const CANONICALIZATION = 'RFC8785';

const Hash = z.string().check(z.regex(HASH_PATTERN, 'a lower-case hex SHA-256'));

export const AuditExportHeader = z.object({
  format: z.literal(AUDIT_EXPORT_FORMAT),
  version: z.literal(AUDIT_EXPORT_VERSION),
  extensionVersion: z.string(),
  exportedAt: z.string(),
  rows: z.int().check(z.gte(0)),
  algorithm: z.literal(HASH_ALGORITHM),
  canonicalization: z.literal(CANONICALIZATION),
  genesis: Hash,
  hash: Hash,
});
export type AuditExportHeader = z.infer<typeof AuditExportHeader>;

export const AuditExportEnd = z.object({
  end: z.literal(AUDIT_EXPORT_FORMAT),
  rows: z.int().check(z.gte(0)),
  head: Hash,
  header: Hash,
  hash: Hash,
});
export type AuditExportEnd = z.infer<typeof AuditExportEnd>;

/** A row of the file: whatever the audit entry holds, plus its links. */
export const ChainedRow = z.looseObject({ prev: Hash, hash: Hash });

export interface AuditExport {
  text: string;
  rows: number;
  head: string;
  fileName: string;
}

function sealed<T extends object>(value: T): T & { hash: string } {
  return { ...value, hash: hashWithoutHash(value) };
}

/** The file for `rows` (oldest first, as chained). */
export function buildAuditExport(
  rows: readonly (object & ChainLinks)[],
  meta: { extensionVersion: string; exportedAt: Date },
): AuditExport {
  const header = sealed({
    format: AUDIT_EXPORT_FORMAT,
    version: AUDIT_EXPORT_VERSION,
    extensionVersion: meta.extensionVersion,
    exportedAt: meta.exportedAt.toISOString(),
    rows: rows.length,
    algorithm: HASH_ALGORITHM,
    canonicalization: CANONICALIZATION,
    genesis: GENESIS,
  });
  const head = rows.at(-1)?.hash ?? GENESIS;
  const end = sealed({ end: AUDIT_EXPORT_FORMAT, rows: rows.length, head, header: header.hash });
  const lines = [header, ...rows, end].map((value) => canonicalJson(value));
  const stamp = header.exportedAt.replace(/[:.]/g, '-');
  return { text: `${lines.join('\n')}\n`, rows: rows.length, head, fileName: `tandem-audit-${stamp}.jsonl` };
}

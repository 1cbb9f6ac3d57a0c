/**
 * Checks an exported audit log (audit-export.ts) line by line and names the first line that is wrong
 * and why. Pure and synchronous: the CLI (`tandem-audit verify`) and the Settings page run this same
 * function.
 */
import { GENESIS, hashWithoutHash } from './audit-chain';
import {
  AUDIT_EXPORT_FORMAT,
  AUDIT_EXPORT_VERSION,
  AuditExportEnd,
  AuditExportHeader,
  ChainedRow,
} from './audit-export';

export type AuditVerdict =
  | {
      ok: true;
      rows: number;
      head: string;
      header: AuditExportHeader;
      /** With `notedHead`: the row (1-based) whose hash it is, 0 for an empty chain's genesis. */
      notedHeadRow?: number;
    }
  | { ok: false; line: number; reason: string };

export interface VerifyOptions {
  /** A chain head the user noted earlier (Settings shows it): the file must contain it. */
  notedHead?: string;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseLine(line: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch {
    return { ok: false };
  }
}

function isEndLine(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'end' in value;
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

export function verifyAuditExport(text: string, options: VerifyOptions = {}): AuditVerdict {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.at(-1) === '') lines.pop();
  const fail = (line: number, reason: string): AuditVerdict => ({ ok: false, line, reason });
  if (lines.length === 0) return fail(1, 'the file is empty.');

  const first = parseLine(lines[0] as string);
  if (!first.ok) return fail(1, 'the header is not JSON.');
  const format = (first.value as { format?: unknown } | null)?.format;
  const version = (first.value as { version?: unknown } | null)?.version;
  if (format !== AUDIT_EXPORT_FORMAT)
    return fail(1, `this is not a Tandem audit log (no "${AUDIT_EXPORT_FORMAT}" header).`);
  if (version !== AUDIT_EXPORT_VERSION) {
    return fail(
      1,
      `format version ${String(version)} is not one this verifier knows (it reads ${AUDIT_EXPORT_VERSION}).`,
    );
  }
  const header = AuditExportHeader.safeParse(first.value);
  if (!header.success) {
    const issue = header.error.issues[0];
    return fail(1, `the header is malformed (${issue?.path.join('.') || 'header'}: ${issue?.message}).`);
  }
  if (hashWithoutHash(first.value as object) !== header.data.hash) {
    return fail(1, 'the header was changed after export (its hash does not match its content).');
  }
  if (header.data.genesis !== GENESIS) return fail(1, 'the header names a different chain start than this format.');

  let head = GENESIS;
  let rows = 0;
  let notedHeadRow = options.notedHead === GENESIS ? 0 : undefined;
  for (let index = 1; index < lines.length; index++) {
    const lineNo = index + 1;
    const parsed = parseLine(lines[index] as string);
    if (!parsed.ok) return fail(lineNo, 'this line is not JSON.');

    if (isEndLine(parsed.value)) {
      const end = AuditExportEnd.safeParse(parsed.value);
      if (!end.success) return fail(lineNo, 'the end line is malformed.');
      if (hashWithoutHash(parsed.value as object) !== end.data.hash) {
        return fail(lineNo, 'the end line was changed after export (its hash does not match its content).');
      }
      if (end.data.header !== header.data.hash) {
        return fail(lineNo, 'the end line belongs to a different header (the header was replaced).');
      }
      if (end.data.head !== head) {
        return fail(
          lineNo,
          `the chain ends at ${short(head)} but the end line records ${short(end.data.head)}: rows were removed or added before it.`,
        );
      }
      if (end.data.rows !== rows || header.data.rows !== rows) {
        return fail(
          lineNo,
          `the file has ${rows} rows but its header and end line count ${header.data.rows} and ${end.data.rows}.`,
        );
      }
      if (index !== lines.length - 1) return fail(lineNo + 1, 'there are lines after the end line.');
      if (options.notedHead !== undefined && notedHeadRow === undefined) {
        return fail(
          lineNo,
          `the chain head you noted (${short(options.notedHead)}) is not in this file: the log was rewritten, or the head is from another browser.`,
        );
      }
      return { ok: true, rows, head, header: header.data, ...(notedHeadRow !== undefined ? { notedHeadRow } : {}) };
    }

    const row = ChainedRow.safeParse(parsed.value);
    if (!row.success) return fail(lineNo, 'this row has no valid prev and hash.');
    if (hashWithoutHash(parsed.value as object) !== row.data.hash) {
      return fail(lineNo, 'this row was changed (its hash does not match its content).');
    }
    if (row.data.prev !== head) {
      return fail(
        lineNo,
        rows === 0
          ? 'the first row does not start the chain: rows before it were removed.'
          : `this row does not follow the row on line ${lineNo - 1}: a row was removed, inserted or moved here.`,
      );
    }
    head = row.data.hash;
    rows += 1;
    if (options.notedHead === head) notedHeadRow = rows;
  }
  return fail(lines.length + 1, `the file ends after line ${lines.length} without its end line: it was cut short.`);
}

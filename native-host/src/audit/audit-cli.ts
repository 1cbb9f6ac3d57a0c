/**
 * `tandem-audit verify FILE [--head HASH]`: checks an audit log exported from Tandem's Settings
 * (Activity → Audit log) with the same verifier the page uses (shared/audit/verify-audit-export.ts).
 * Exit codes: 0 the file verifies, 1 it does not (or cannot be read), 2 the command line is wrong.
 */
import { HASH_PATTERN } from '../../../shared/audit/audit-chain';
import { verifyAuditExport } from '../../../shared/audit/verify-audit-export';

export const AUDIT_USAGE = `Usage: tandem-audit verify FILE [--head HASH]

  Checks a Tandem audit log (JSON Lines, exported from Settings → Activity) and prints
  "OK: N rows, chain head HASH", or the first line that is wrong and why.
  --head HASH   a chain head you noted earlier (Settings shows the current one): the file
                must contain it, so a log rewritten since then is caught.
`;

export interface AuditCliIo {
  readText(path: string): Promise<string>;
  out(line: string): void;
  err(line: string): void;
}

export async function runAuditCli(args: readonly string[], io: AuditCliIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? io.err : io.out)(AUDIT_USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'verify') {
    io.err(`Unknown command "${command}".\n\n${AUDIT_USAGE}`);
    return 2;
  }
  let file: string | undefined;
  let notedHead: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--head') {
      notedHead = rest[++i]?.toLowerCase();
      if (!notedHead || !HASH_PATTERN.test(notedHead)) {
        io.err('--head needs a chain head: 64 hexadecimal characters, as Settings shows it.');
        return 2;
      }
    } else if (file === undefined && !arg.startsWith('--')) {
      file = arg;
    } else {
      io.err(`Unexpected argument "${arg}".\n\n${AUDIT_USAGE}`);
      return 2;
    }
  }
  if (file === undefined) {
    io.err(`Which file? ${AUDIT_USAGE}`);
    return 2;
  }

  let text: string;
  try {
    text = await io.readText(file);
  } catch (error) {
    io.err(`FAIL: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const verdict = verifyAuditExport(text, notedHead ? { notedHead } : {});
  if (!verdict.ok) {
    io.out(`FAIL: line ${verdict.line}: ${verdict.reason}`);
    return 1;
  }
  const noted =
    verdict.notedHeadRow !== undefined
      ? ` (the head you noted is row ${verdict.notedHeadRow}: rows up to it are unchanged)`
      : '';
  io.out(`OK: ${verdict.rows} ${verdict.rows === 1 ? 'row' : 'rows'}, chain head ${verdict.head}${noted}`);
  return 0;
}

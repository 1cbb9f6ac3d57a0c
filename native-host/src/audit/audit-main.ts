/** Entry point of the built verifier (`dist/tandem-audit.mjs`, the package's `tandem-audit` bin). */
import { readFile } from 'node:fs/promises';
import { loadEnglishErrorMessages } from '../../../shared/protocol/error-messages';
import { runAuditCli } from './audit-cli';

loadEnglishErrorMessages();
process.exitCode = await runAuditCli(process.argv.slice(2), {
  readText: (path) => readFile(path, 'utf8'),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});

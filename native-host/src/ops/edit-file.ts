/**
 * `edit_file`: exact text replacement, answered with a unified diff. The file
 * keeps its encoding, BOM and permissions; the new content replaces the old
 * atomically, and only if the file did not change since it was read.
 */
import { constants } from 'node:fs';
import path from 'node:path';
import {
  MAX_EDIT_FILE_BYTES,
  type NativeHostRequestOf,
  type NativeHostResultOf,
} from '../../../shared/protocol/native-host';
import { type HostContext, policyOf } from '../context';
import { HostError, toHostError } from '../errors';
import { commitTempFile, createTempFile, discardTempFile } from '../fs/atomic-write';
import { resolveExisting } from '../fs/resolve';
import { withVerifiedDir } from '../fs/verified-dir';
import { decodeText, detectEncoding, encodeText, fitsLatin1 } from '../text/encoding';
import { findOccurrences, unifiedDiff } from '../text/unified-diff';
import { keepPreviousIn } from './move';

const { O_RDONLY, O_NONBLOCK } = constants;
/** Escaped JSON can be up to 6x the characters; this keeps the answer far below the 1 MiB cap. */
const MAX_DIFF_CHARS = 128 * 1024;

export async function editFile(
  request: NativeHostRequestOf<'edit_file'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'edit_file'>> {
  const policy = await policyOf(ctx);
  const target = await resolveExisting(policy, request.path, 'write');
  const name = path.posix.basename(target.realPath);
  return withVerifiedDir(policy, path.posix.dirname(target.realPath), 'write', async (dir) => {
    const file = await dir.openFile(name, O_RDONLY | O_NONBLOCK).catch((error: unknown) => {
      throw toHostError(error, target.display);
    });
    let before: Awaited<ReturnType<typeof file.stat>>;
    let bytes: Buffer;
    try {
      before = await file.stat();
      if (before.isDirectory()) throw new HostError('wrong_type', `${target.display} is a folder`);
      if (!before.isFile()) throw new HostError('wrong_type', `${target.display} is not a regular file`);
      if (before.size > MAX_EDIT_FILE_BYTES) {
        throw new HostError(
          'too_large',
          `${target.display} is over ${MAX_EDIT_FILE_BYTES} bytes; edit_file is for text files`,
        );
      }
      bytes = await file.readFile();
    } finally {
      await file.close();
    }
    const detection = detectEncoding(bytes, true);
    if (detection.kind === 'binary')
      throw new HostError('wrong_type', `${target.display} looks binary; not editing it`);
    const oldText = decodeText(bytes.subarray(detection.bomBytes), detection.encoding);
    const positions = findOccurrences(oldText, request.oldText);
    if (positions.length !== request.expectedOccurrences) {
      const crlfHint =
        positions.length === 0 && oldText.includes('\r\n') && !request.oldText.includes('\r')
          ? ' (the file uses CRLF line endings; oldText must match them exactly)'
          : '';
      throw new HostError(
        'edit_mismatch',
        `oldText occurs ${positions.length} time(s) in ${target.display}, expected ${request.expectedOccurrences}; nothing was changed${crlfHint}`,
      );
    }
    const newText = oldText.split(request.oldText).join(request.newText);
    if (detection.encoding === 'latin1' && !fitsLatin1(newText)) {
      throw new HostError(
        'bad_request',
        `${target.display} is latin1 text and newText has characters latin1 cannot hold`,
      );
    }
    const encoded = encodeText(newText, detection.encoding, detection.bomBytes > 0);

    const temp = await createTempFile(dir, before.mode & 0o7777, ctx.pending);
    try {
      await temp.file.writeFile(encoded);
      // Refuse if someone else changed the file while we worked on it.
      const now = await dir.lstatChild(name);
      if (now.ino !== before.ino || now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
        throw new HostError('io', `${target.display} changed while it was being edited; nothing was changed`);
      }
    } catch (error) {
      await discardTempFile(dir, temp);
      throw toHostError(error, target.display);
    }
    const replaced = await commitTempFile(dir, temp, name, true, target.display, keepPreviousIn(ctx.trash));
    const fullDiff = unifiedDiff(
      target.display,
      oldText,
      newText,
      positions.map((at) => ({ at, oldLength: request.oldText.length, newLength: request.newText.length })),
    );
    // The edit is done at this point: a huge diff is cut rather than turning success into `too_large`.
    const diff =
      fullDiff.length > MAX_DIFF_CHARS
        ? `${fullDiff.slice(0, MAX_DIFF_CHARS)}\n… diff cut at ${MAX_DIFF_CHARS} characters\n`
        : fullDiff;
    return { path: target.realPath, occurrences: positions.length, size: encoded.length, diff, replaced };
  });
}

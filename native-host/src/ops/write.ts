/**
 * Writes: `write_file` (one shot) and the chunked `write.begin` → `write.chunk`…
 * → `write.commit` / `write.abort`. Both write a temp file in the target's own
 * folder (opened through a verified handle) and move it into place atomically;
 * an existing file is replaced only with `overwrite: true`.
 */
import { createHash } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import {
  MAX_WRITE_CHUNK_BYTES,
  type NativeHostRequestOf,
  type NativeHostResultOf,
  TRANSFER_CHUNK_BYTES,
} from '../../../shared/protocol/native-host';
import type { AccessPolicy } from '../confine';
import { type HostContext, policyOf } from '../context';
import { errnoCode, HostError, toHostError } from '../errors';
import { commitTempFile, createTempFile, discardTempFile } from '../fs/atomic-write';
import { resolveForWrite } from '../fs/resolve';
import { VerifiedDir } from '../fs/verified-dir';
import type { WriteTransfer } from '../transfers';
import { keepPreviousIn } from './move';

export interface PreparedTarget {
  dir: VerifiedDir;
  name: string;
  display: string;
  realPath: string;
  /** Permission bits of the file being replaced, kept on the new one. */
  mode: number | null;
  created: boolean;
}

/** Resolves and opens the target's folder (creating missing parents if asked). The caller closes `dir`. */
export async function prepareWriteTarget(
  policy: AccessPolicy,
  requested: string,
  options: { overwrite: boolean; createParents: boolean },
): Promise<PreparedTarget> {
  const target = await resolveForWrite(policy, requested, { createParents: options.createParents });
  if (target.existing === 'dir') throw new HostError('wrong_type', `${target.display} is a folder`);
  if (target.existing === 'other') throw new HostError('wrong_type', `${target.display} is not a regular file`);
  if (target.existing === 'file' && !options.overwrite) {
    throw new HostError('exists', `${target.display} already exists (set overwrite to replace it)`);
  }
  let dir = await VerifiedDir.open(policy, target.dirReal, 'write');
  try {
    for (const name of target.missingDirs) {
      await fs.mkdir(dir.child(name)).catch((error: unknown) => {
        if (errnoCode(error) !== 'EEXIST') throw toHostError(error, target.display);
      });
      const next = await dir.openSubdir(policy, name, 'write');
      await dir.close();
      dir = next;
    }
    // Look again through the verified handle: what is there now is what counts.
    const now = await dir.lstatChild(target.name).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return null;
      throw toHostError(error, target.display);
    });
    if (now?.isSymbolicLink())
      throw new HostError('not_allowed', `${target.display} became a symlink; not following it`);
    if (now?.isDirectory()) throw new HostError('wrong_type', `${target.display} is a folder`);
    if (now && !now.isFile()) throw new HostError('wrong_type', `${target.display} is not a regular file`);
    if (now && !options.overwrite) {
      throw new HostError('exists', `${target.display} already exists (set overwrite to replace it)`);
    }
    return {
      dir,
      name: target.name,
      display: target.display,
      realPath: dir.childRealPath(target.name),
      mode: now ? now.mode & 0o7777 : null,
      created: now === null,
    };
  } catch (error) {
    await dir.close();
    throw error;
  }
}

function decodeContent(content: string, encoding: 'utf8' | 'base64'): Buffer {
  return encoding === 'utf8' ? Buffer.from(content, 'utf8') : Buffer.from(content, 'base64');
}

async function writeAll(file: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await file.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
}

export async function writeFile(
  request: NativeHostRequestOf<'write_file'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'write_file'>> {
  if (request.encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(request.content)) {
    throw new HostError('bad_request', 'content is not valid base64');
  }
  const data = decodeContent(request.content, request.encoding);
  if (data.length > MAX_WRITE_CHUNK_BYTES) {
    throw new HostError('too_large', `write_file takes up to ${MAX_WRITE_CHUNK_BYTES} bytes; use write.begin for more`);
  }
  const policy = await policyOf(ctx);
  const target = await prepareWriteTarget(policy, request.path, request);
  try {
    const temp = await createTempFile(target.dir, target.mode, ctx.pending);
    try {
      await writeAll(temp.file, data, 0);
    } catch (error) {
      await discardTempFile(target.dir, temp);
      throw toHostError(error, target.display);
    }
    const replaced = await commitTempFile(
      target.dir,
      temp,
      target.name,
      request.overwrite,
      target.display,
      keepPreviousIn(ctx.trash),
    );
    return {
      path: target.realPath,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      created: target.created,
      replaced,
    };
  } finally {
    await target.dir.close();
  }
}

export async function writeBegin(
  request: NativeHostRequestOf<'write.begin'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'write.begin'>> {
  ctx.transfers.reserveSlot();
  const policy = await policyOf(ctx);
  const target = await prepareWriteTarget(policy, request.path, request);
  let temp: Awaited<ReturnType<typeof createTempFile>>;
  try {
    temp = await createTempFile(target.dir, target.mode, ctx.pending);
  } catch (error) {
    await target.dir.close();
    throw toHostError(error, target.display);
  }
  const transfer: WriteTransfer = {
    id: ctx.transfers.newId(),
    dir: target.dir,
    temp,
    name: target.name,
    display: target.display,
    realPath: target.realPath,
    overwrite: request.overwrite,
    created: target.created,
    expectedSize: request.size,
    received: 0,
    hash: createHash('sha256'),
    lastActivity: Date.now(),
    chain: Promise.resolve(),
  };
  try {
    ctx.transfers.addWrite(transfer);
  } catch (error) {
    await discardTempFile(target.dir, temp);
    await target.dir.close();
    throw error;
  }
  return { transferId: transfer.id, chunkBytes: TRANSFER_CHUNK_BYTES, maxChunkBytes: MAX_WRITE_CHUNK_BYTES };
}

/**
 * The folder must still be allowed for writing, and still be where it was
 * checked: a folder removed or made read-only after `write.begin` must stop the
 * transfer at once, not after it lands. On refusal the transfer is abandoned.
 */
async function recheckTransfer(transfer: WriteTransfer, ctx: HostContext): Promise<void> {
  try {
    await transfer.dir.recheck(await policyOf(ctx), 'write');
  } catch (error) {
    await ctx.transfers.endWrite(transfer, 'failed');
    const hostError = toHostError(error, transfer.display);
    throw new HostError(hostError.code, `${hostError.message}; the transfer was abandoned`);
  }
}

export async function writeChunk(
  request: NativeHostRequestOf<'write.chunk'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'write.chunk'>> {
  const transfer = ctx.transfers.getWrite(request.transferId);
  return ctx.transfers.exclusive(transfer, async () => {
    ctx.transfers.getWrite(request.transferId); // cancelled while queued?
    transfer.lastActivity = Date.now();
    if (request.offset !== transfer.received) {
      throw new HostError(
        'bad_request',
        `chunk offset ${request.offset} does not follow the ${transfer.received} bytes received; send chunks in order`,
      );
    }
    await recheckTransfer(transfer, ctx);
    const data = Buffer.from(request.data, 'base64');
    if (data.length > MAX_WRITE_CHUNK_BYTES) throw new HostError('too_large', 'chunk too large');
    if (transfer.expectedSize !== undefined && transfer.received + data.length > transfer.expectedSize) {
      throw new HostError('too_large', `the chunks exceed the announced size of ${transfer.expectedSize} bytes`);
    }
    try {
      await writeAll(transfer.temp.file, data, transfer.received);
    } catch (error) {
      const hostError = toHostError(error, transfer.display);
      await ctx.transfers.endWrite(transfer, 'failed');
      throw new HostError(hostError.code, `${hostError.message}; the transfer was abandoned`);
    }
    transfer.hash.update(data);
    transfer.received += data.length;
    return { transferId: transfer.id, received: transfer.received };
  });
}

export async function writeCommit(
  request: NativeHostRequestOf<'write.commit'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'write.commit'>> {
  const transfer = ctx.transfers.getWrite(request.transferId);
  return ctx.transfers.exclusive(transfer, async () => {
    ctx.transfers.getWrite(request.transferId);
    if (transfer.expectedSize !== undefined && transfer.received !== transfer.expectedSize) {
      throw new HostError(
        'bad_request',
        `received ${transfer.received} of the ${transfer.expectedSize} bytes announced; send the rest or abort`,
      );
    }
    await recheckTransfer(transfer, ctx);
    const sha256 = transfer.hash.copy().digest('hex');
    if (request.sha256 !== undefined && request.sha256 !== sha256) {
      await ctx.transfers.endWrite(transfer, 'failed');
      throw new HostError('bad_request', 'the sha256 of the received bytes does not match; nothing was written');
    }
    let replaced: Awaited<ReturnType<typeof commitTempFile>>;
    try {
      replaced = await commitTempFile(
        transfer.dir,
        transfer.temp,
        transfer.name,
        transfer.overwrite,
        transfer.display,
        keepPreviousIn(ctx.trash),
      );
    } catch (error) {
      await ctx.transfers.endWrite(transfer, 'failed');
      throw error;
    }
    await ctx.transfers.endWrite(transfer, 'committed');
    return { path: transfer.realPath, size: transfer.received, sha256, created: transfer.created, replaced };
  });
}

export async function writeAbort(
  request: NativeHostRequestOf<'write.abort'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'write.abort'>> {
  const transfer = ctx.transfers.getWrite(request.transferId);
  await ctx.transfers.exclusive(transfer, () => ctx.transfers.endWrite(transfer, 'aborted'));
  return { transferId: transfer.id, aborted: true };
}

export async function cancel(
  request: NativeHostRequestOf<'cancel'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'cancel'>> {
  return { transferId: request.transferId, cancelled: await ctx.transfers.cancel(request.transferId) };
}

/** `hello` and the allowed-folder operations. */
import {
  MAX_EDIT_FILE_BYTES,
  MAX_HOST_MESSAGE_BYTES,
  MAX_OPEN_TRANSFERS,
  MAX_WRITE_CHUNK_BYTES,
  NATIVE_HOST_PROTOCOL_VERSION,
  type NativeHostRequestOf,
  type NativeHostResultOf,
  TRANSFER_CHUNK_BYTES,
} from '../../../shared/protocol/native-host';
import { currentPolicy, type HostContext } from '../context';

export async function hello(
  _request: NativeHostRequestOf<'hello'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'hello'>> {
  const current = await currentPolicy(ctx);
  return {
    protocolVersion: NATIVE_HOST_PROTOCOL_VERSION,
    hostVersion: ctx.hostVersion,
    platform: process.platform,
    caller: ctx.caller,
    roots: current.roots,
    limits: {
      maxMessageBytes: MAX_HOST_MESSAGE_BYTES,
      transferChunkBytes: TRANSFER_CHUNK_BYTES,
      maxWriteChunkBytes: MAX_WRITE_CHUNK_BYTES,
      maxEditFileBytes: MAX_EDIT_FILE_BYTES,
      maxOpenTransfers: MAX_OPEN_TRANSFERS,
    },
    unavailableRoots: current.unavailable,
    configError: current.configError,
  };
}

export async function listRoots(
  _request: NativeHostRequestOf<'roots.list'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'roots.list'>> {
  return { roots: (await currentPolicy(ctx)).roots };
}

export async function addRoot(
  request: NativeHostRequestOf<'roots.add'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'roots.add'>> {
  const root = await ctx.config.addRoot({
    path: request.path,
    mode: request.mode,
    autoApproveWrites: request.autoApproveWrites,
    name: request.name,
  });
  return { root };
}

export async function removeRoot(
  request: NativeHostRequestOf<'roots.remove'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'roots.remove'>> {
  return { root: await ctx.config.removeRoot(request.name) };
}

export async function updateRoot(
  request: NativeHostRequestOf<'roots.update'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'roots.update'>> {
  return {
    root: await ctx.config.updateRoot(request.name, {
      mode: request.mode,
      autoApproveWrites: request.autoApproveWrites,
    }),
  };
}

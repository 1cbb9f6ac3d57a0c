/** The `mcp.*` ops (shared/protocol/native-host.ts): start, relay, poll, stop, read the log. */
import fs from 'node:fs';
import type { NativeHostRequestOf, NativeHostResultOf } from '../../../shared/protocol/native-host';
import type { HostContext } from '../context';
import { HostError } from '../errors';

/** The end of the log the user reads in Settings: recent lines matter, and the answer must stay small. */
const LOG_TAIL_CHARS = 64 * 1024;

export async function mcpStart(
  request: NativeHostRequestOf<'mcp.start'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'mcp.start'>> {
  return ctx.mcp.start(request.connectorId, {
    command: request.command,
    args: request.args,
    env: request.env,
    ...(request.cwd ? { cwd: request.cwd } : {}),
  });
}

export async function mcpSend(
  request: NativeHostRequestOf<'mcp.send'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'mcp.send'>> {
  const server = ctx.mcp.get(request.connectorId);
  if (server.exited) throw new HostError('not_found', `connector ${request.connectorId} has stopped`);
  server.send(request.message);
  return { sent: true };
}

export async function mcpRecv(
  request: NativeHostRequestOf<'mcp.recv'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'mcp.recv'>> {
  return ctx.mcp.get(request.connectorId).receive(request.waitMs);
}

export async function mcpStop(
  request: NativeHostRequestOf<'mcp.stop'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'mcp.stop'>> {
  return { stopped: await ctx.mcp.stop(request.connectorId) };
}

export async function mcpLog(
  request: NativeHostRequestOf<'mcp.log'>,
  ctx: HostContext,
): Promise<NativeHostResultOf<'mcp.log'>> {
  // The log outlives the process (a crash is exactly when the user wants to read it).
  let text = '';
  try {
    text = fs.readFileSync(ctx.mcp.logFile(request.connectorId), 'utf8');
  } catch {
    text = '';
  }
  return { text: text.slice(-LOG_TAIL_CHARS) };
}

/**
 * The runtime's answers to the trusted-only file commands (the Folders and Trash
 * views). Adding a folder widens what the agent can touch, and purging destroys
 * files for good, so these come only from the extension's own pages: the runtime
 * refuses them from a phone (TRUSTED_ONLY_COMMANDS), and no model tool maps to
 * them. The host keeps its own folder list, so even these only ask it.
 */
import type { ClientCommand, ErrorCode, FILE_COMMAND_TYPES, RuntimeMessage } from '../../shared/protocol';
import { BridgeError } from './bridge-client';
import type { FileAccess } from './file-access';

export type FileCommandType = (typeof FILE_COMMAND_TYPES)[number];
export type FileCommand = Extract<ClientCommand, { type: FileCommandType }>;

export interface FileCommandFailure {
  code: ErrorCode;
  message: string;
}

const UNREACHABLE = new Set(['not_installed', 'unavailable', 'timeout', 'cancelled']);

export function commandFailureOf(error: unknown): FileCommandFailure {
  if (error instanceof BridgeError) {
    if (UNREACHABLE.has(error.code)) return { code: 'unavailable', message: error.message };
    if (error.code === 'internal' || error.code === 'bad_answer') return { code: 'internal', message: error.message };
    // The host refused (not a folder, already allowed, not found…): its words are meant for people.
    return { code: 'invalid_command', message: error.message };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** Applies a file command, sending its data message to `reply`; resolves to a failure to report, if any. */
export async function applyFileCommand(
  files: FileAccess,
  command: FileCommand,
  reply: (message: RuntimeMessage) => void,
): Promise<FileCommandFailure | undefined> {
  try {
    switch (command.type) {
      case 'bridge.status':
        // Never tried since the runtime started: try now rather than show "unknown".
        reply({
          type: 'bridge',
          status: command.retry || files.status().state === 'unknown' ? await files.check() : files.status(),
        });
        return undefined;
      case 'folders.list':
        reply({ type: 'folders', ...(await files.listFolders()) });
        return undefined;
      case 'folders.add':
        await files.addFolder(command);
        return undefined;
      case 'folders.remove':
        await files.removeFolder(command.name);
        return undefined;
      case 'folders.update':
        await files.updateFolder(command);
        return undefined;
      case 'trash.list':
        reply({ type: 'trash', ...(await files.listTrash(command.cursor)) });
        return undefined;
      case 'trash.restore':
        await files.restore(command.entryId, command.overwrite);
        return undefined;
      case 'trash.purge':
        await files.purge(command.entryIds);
        return undefined;
    }
  } catch (error) {
    const failure = commandFailureOf(error);
    // A view that failed because the host is gone should show why right away.
    if (failure.code === 'unavailable') reply({ type: 'bridge', status: files.status() });
    return failure;
  }
}

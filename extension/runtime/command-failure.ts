/**
 * The one failure type for commands: whatever goes wrong while applying a command becomes a
 * `CommandFailure` with a protocol error code and words a person can act on.
 */
import type { ErrorCode } from '../../shared/protocol';
import { LinkCommandError } from '../link/link-service';
import { BackupError } from '../storage/backup';
import { UnknownThreadError } from '../storage/event-log';
import { isStorageError, storageFailureFrom } from '../storage/storage-guard';
import { DecisionError } from './thread-runner';

export class CommandFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

export function toCommandFailure(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  if (error instanceof UnknownThreadError) return new CommandFailure('unknown_thread', error.message);
  if (error instanceof DecisionError) return new CommandFailure(error.code, error.message);
  if (error instanceof BackupError) return new CommandFailure('invalid_command', error.message);
  if (error instanceof LinkCommandError) return new CommandFailure(error.code, error.message);
  if (isStorageError(error)) return new CommandFailure('storage', storageFailureFrom(error).message);
  return new CommandFailure('internal', error instanceof Error ? error.message : String(error));
}

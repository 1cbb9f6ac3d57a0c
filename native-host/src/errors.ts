/**
 * Typed host errors. Every failure the extension sees is one of the protocol's
 * error codes with a message a person could act on; raw errno strings stay here.
 */
import type { NativeHostError, NativeHostErrorCode } from '../../shared/protocol/native-host';

export class HostError extends Error {
  constructor(
    readonly code: NativeHostErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }

  toWire(): NativeHostError {
    return { code: this.code, message: this.message };
  }
}

export function errnoCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

/**
 * Turns anything thrown into a HostError. `subject` names what was being
 * worked on ("notes/a.md") so the message says which file failed.
 */
export function toHostError(error: unknown, subject?: string): HostError {
  if (error instanceof HostError) return error;
  const code = errnoCode(error);
  const what = subject ? `${subject}: ` : '';
  switch (code) {
    case 'ENOENT':
      return new HostError('not_found', `${what}no such file or folder`);
    case 'EEXIST':
      return new HostError('exists', `${what}already exists`);
    case 'ENOTEMPTY':
      return new HostError('exists', `${what}the destination folder exists and is not empty`);
    case 'ENOTDIR':
      return new HostError('wrong_type', `${what}a part of the path is not a folder`);
    case 'EISDIR':
      return new HostError('wrong_type', `${what}is a folder`);
    case 'ELOOP':
      return new HostError(
        'not_allowed',
        `${what}a symlink was met where Tandem does not follow one (or a symlink loop)`,
      );
    case 'ENAMETOOLONG':
      return new HostError('bad_request', `${what}the path or a name in it is too long`);
    case 'EINVAL':
      return new HostError('bad_request', `${what}invalid argument`);
    case 'EACCES':
    case 'EPERM':
      return new HostError('io', `${what}permission denied by the operating system`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new HostError('io', `${what}the disk is full`);
    case 'EROFS':
      return new HostError('io', `${what}the file system is mounted read-only`);
    case 'EFBIG':
      return new HostError('io', `${what}the file is too large for the file system (or a size limit)`);
    case 'EXDEV':
      return new HostError('io', `${what}cannot move across file systems`);
    case null:
      return new HostError('internal', `${what}${error instanceof Error ? error.message : String(error)}`);
    default:
      // Node's own message names the paths it was given (/proc/self/fd/…, real paths): keep it to stderr.
      console.error('tandem-host:', error instanceof Error ? error.message : String(error));
      return new HostError('io', `${what}the operating system refused (${code})`);
  }
}

/**
 * Where a client keeps the commands it has sent but not yet seen answered, beyond its own memory:
 * the phone keeps them in the page's storage, so a message written while the computer is
 * unreachable survives the tab being closed or killed and is sent when the link returns. Each keeps
 * its command id, which the runtime applies once.
 */
import type { ClientCommand } from '../protocol/commands';

export interface CommandOutbox {
  /** Commands kept from earlier (a previous load of the page), oldest first. */
  load(): ClientCommand[];
  /**
   * Keeps it; a promise that rejects (with a `code` and a message for the user) when it could not
   * be stored: the client then hands the command back unless it is already on its way.
   */
  keep(command: ClientCommand): void | Promise<void>;
  /** Answered (ack or error): forget it. */
  drop(commandId: string): void;
  /**
   * What is kept now, oldest first, read again from the storage: another tab of the page shares it
   * and may have been closed with commands waiting. Read on each 'open' so this client sends those too.
   */
  stored?(): Promise<ClientCommand[]>;
  /** Forgets everything kept, by any tab (the pairing was forgotten). Without it, each pending command is dropped. */
  clear?(): void;
}

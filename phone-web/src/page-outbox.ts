/**
 * The phone's durable outbox (shared/client/command-outbox.ts) in the page's localStorage: what the
 * user sent while the computer was unreachable survives a closed or killed tab and goes out, once,
 * when the link returns. Read back through the protocol's own schema, so a damaged or foreign entry
 * is dropped rather than sent. Holds commands only, never keys: the pairing store keeps those.
 */
import { z } from 'zod/mini';
import type { CommandOutbox } from '../../shared/client/command-outbox';
import { ClientCommand } from '../../shared/protocol/commands';

const KEY = 'tandem.outbox.v1';
/** A phone offline for a long time must not fill the page's storage (about 5 MB per origin). */
const MAX_COMMANDS = 100;

export class PageOutbox implements CommandOutbox {
  constructor(private readonly storage: Storage) {}

  load(): ClientCommand[] {
    let raw: unknown;
    try {
      raw = JSON.parse(this.storage.getItem(KEY) ?? '[]');
    } catch {
      raw = [];
    }
    const list = z.array(z.unknown()).safeParse(raw);
    if (!list.success) return [];
    return list.data.flatMap((entry) => {
      const parsed = ClientCommand.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  keep(command: ClientCommand): void {
    const commands = this.load().filter((kept) => kept.id !== command.id);
    commands.push(command);
    this.save(commands.slice(-MAX_COMMANDS));
  }

  drop(commandId: string): void {
    const commands = this.load();
    const left = commands.filter((kept) => kept.id !== commandId);
    if (left.length !== commands.length) this.save(left);
  }

  private save(commands: ClientCommand[]): void {
    try {
      if (commands.length === 0) this.storage.removeItem(KEY);
      else this.storage.setItem(KEY, JSON.stringify(commands));
    } catch {
      // Storage full or blocked: the command still waits in memory for this page's life.
    }
  }
}

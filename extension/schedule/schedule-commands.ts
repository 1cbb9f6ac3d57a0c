/**
 * The runtime's handlers for the schedule and shortcut commands (the rest of the command table is
 * in runtime/runtime-commands.ts, which spreads these in). Every change is applied through
 * `call.atomic`, so a command re-sent after a dropped link is applied once.
 */
import type { CommandType } from '../../shared/protocol';
import { CommandFailure, toCommandFailure } from '../runtime/command-failure';
import type { CommandCall, CommandEnv, CommandHandlers } from '../runtime/runtime-commands';
import { ScheduleBusy, ScheduleNotFound, type ScheduleService } from './schedule-service';
import type { ShortcutStore } from './shortcut-store';

export type ScheduleCommandType = Extract<CommandType, `schedule.${string}` | `shortcut${string}`>;

export interface ScheduleParts {
  service: ScheduleService;
  shortcuts: ShortcutStore;
}

function failureOf(error: unknown): CommandFailure {
  if (error instanceof ScheduleNotFound) return new CommandFailure('invalid_command', error.message);
  if (error instanceof ScheduleBusy) return new CommandFailure('busy', error.message);
  if (error instanceof RangeError) return new CommandFailure('invalid_command', error.message);
  return toCommandFailure(error);
}

export function scheduleHandlers(
  env: CommandEnv,
  liveThread: (threadId: string) => Promise<unknown>,
): Pick<CommandHandlers, ScheduleCommandType> {
  const parts = (): ScheduleParts => {
    if (!env.schedules) throw new CommandFailure('unavailable', 'Schedules are not available in this runtime.');
    return env.schedules;
  };
  /** Applies a change to one schedule once per command id; the ack names its thread. */
  const change = async (
    call: CommandCall,
    scheduleId: string,
    apply: (service: ScheduleService) => Promise<unknown>,
  ) => {
    const { service } = parts();
    const schedule = await service.get(scheduleId);
    if (!schedule) throw new CommandFailure('invalid_command', `No schedule with id ${scheduleId}.`);
    try {
      await call.atomic(() => apply(service));
    } catch (error) {
      throw failureOf(error);
    }
    backupSoon();
    return schedule.threadId;
  };
  const sendShortcuts = async () => env.hub.broadcast({ type: 'shortcuts', shortcuts: await parts().shortcuts.list() });
  /**
   * Schedules and shortcuts are in the automatic backup; without this it would wait for the next
   * task to end (auto-backup.ts spaces snapshots out, so a burst of edits costs one export).
   */
  const backupSoon = () => void env.autoBackup?.snapshotSoon().catch(() => {});

  return {
    'schedule.create': async (command, call) => {
      await liveThread(command.threadId);
      try {
        await call.atomic(() => parts().service.create(command.threadId, command.schedule, 'user'));
      } catch (error) {
        throw failureOf(error);
      }
      backupSoon();
      return command.threadId;
    },
    'schedule.update': (command, call) =>
      change(call, command.scheduleId, (s) => s.update(command.scheduleId, command.patch)),
    'schedule.pause': (command, call) => change(call, command.scheduleId, (s) => s.pause(command.scheduleId)),
    'schedule.resume': (command, call) => change(call, command.scheduleId, (s) => s.resume(command.scheduleId)),
    'schedule.delete': (command, call) => change(call, command.scheduleId, (s) => s.remove(command.scheduleId)),
    // The run's message is appended once per run id, outside the command's transaction (it goes
    // through the thread's runner); the command is recorded right after, as file commands are.
    'schedule.runNow': async (command) => {
      const { service } = parts();
      try {
        const run = await service.runNow(command.scheduleId);
        return run.threadId;
      } catch (error) {
        throw failureOf(error);
      }
    },
    'schedule.list': async (_command, { client }) => {
      client.send({ type: 'schedules', schedules: await parts().service.list() });
      return undefined;
    },
    'shortcuts.list': async (_command, { client }) => {
      client.send({ type: 'shortcuts', shortcuts: await parts().shortcuts.list() });
      return undefined;
    },
    'shortcut.save': async (command, call) => {
      await call.atomic(() => parts().shortcuts.save(command.shortcut));
      await sendShortcuts();
      backupSoon();
      return undefined;
    },
    'shortcut.delete': async (command, call) => {
      const removed = await call.atomic(() => parts().shortcuts.remove(command.name));
      if (!removed) throw new CommandFailure('invalid_command', `No shortcut named /${command.name}.`);
      await sendShortcuts();
      backupSoon();
      return undefined;
    },
  };
}

/**
 * The runtime's command table: one handler per command type (a missing one is a type error), beside
 * the protocol's COMMAND_RULES (schema, mutating, trustedOnly). A handler returns the thread its ack
 * names, if any; it reports failures by throwing (see command-failure.ts).
 *
 * Mutating commands whose effect is in the database apply it through `call.atomic`, which writes the
 * command's record in the same IndexedDB transaction, so a command re-sent after the worker died can
 * never be applied twice. Effects outside the database (the file host, the link host, site rules that
 * also rewrite browser rules) are recorded right after; applying those twice gives the same result.
 */
import { ZERO_USAGE } from '../../shared/pricing';
import type { Actor, CommandOf, CommandType, ThreadSummary } from '../../shared/protocol';
import { connectorHandlers } from '../connectors/connector-commands';
import type { ConnectorService } from '../connectors/connector-service';
import type { FileAccess } from '../files/file-access';
import { applyFileCommand, commandFailureOf, type FileCommand } from '../files/file-commands';
import type { LinkCommands } from '../link/link-service';
import { PushRefusal, type PushService } from '../push/push-service';
import { type ScheduleParts, scheduleHandlers } from '../schedule/schedule-commands';
import type { AuditLog } from '../storage/audit-log';
import type { AutoBackup } from '../storage/auto-backup';
import type { Backup } from '../storage/backup';
import type { TandemDatabase, ThreadRecord } from '../storage/db';
import type { EventLog } from '../storage/event-log';
import { MessageSearch } from '../storage/message-search';
import { publicSettings, type Settings, type SettingsStore } from '../storage/settings-store';
import type { TabIndicator } from '../web/platform';
import type { SiteDirectory } from '../web/site-policy';
import { admitAttachments } from './attachment-intake';
import type { ClientConnection, ClientHub } from './client-hub';
import { CommandFailure, toCommandFailure } from './command-failure';
import { lastOnBranch } from './conversation-state';
import type { ImageResizer } from './images/image-fit';
import { ModelCatalog } from './model-catalog';
import { withinPageBudget } from './page-budget';
import type { ThreadRunner } from './thread-runner';

export const DEFAULT_TITLE = 'New conversation';

/** What handlers reach in the runtime. */
export interface CommandEnv {
  db: TandemDatabase;
  log: EventLog;
  settings: SettingsStore;
  audit: AuditLog;
  hub: ClientHub;
  files: FileAccess | undefined;
  connectors: ConnectorService | undefined;
  sites: SiteDirectory | undefined;
  /** The browser side of "Show tab"; absent, `tab.show` fails. */
  indicator: TabIndicator | undefined;
  link: LinkCommands | undefined;
  /** Web Push to paired phones; absent, the `push.*` commands fail. */
  push: PushService | undefined;
  /** Schedules and shortcuts (extension/schedule/); absent, those commands fail. */
  schedules: ScheduleParts | undefined;
  backup: Backup;
  autoBackup: AutoBackup | undefined;
  /** Scales attached images that a client sent too large (absent: they are kept only if they fit). */
  images: ImageResizer | undefined;
  /** After a restore: forget in-memory state, tell every client, re-check the storage status. */
  afterRestore(): Promise<void>;
  now(): number;
  newId(): string;
  checkKey(settings: Settings): Promise<{ ok: boolean; message: string }>;
  runner(threadId: string): ThreadRunner;
  /** Starts a thread's loop, carrying on if a failed write had paused it. */
  resumeThread(threadId: string): void;
  /** Stops a thread's loop (if any) and forgets its in-memory state. */
  dropRunner(threadId: string): Promise<void>;
  listThreads(includeArchived: boolean): Promise<ThreadSummary[]>;
  trashedThreads(): Promise<ThreadSummary[]>;
  broadcastThreads(opts?: { emptiedByUser?: boolean }): Promise<void>;
}

/** One command being applied, for one client. */
export interface CommandCall {
  client: ClientConnection;
  actor: Actor;
  /** The command's record key (scoped by client identity); set for mutating commands. */
  key: string | undefined;
  /** Runs database work and writes the command's record in the same transaction. */
  atomic<R>(work: () => Promise<R>, threadId?: (result: R) => string | undefined): Promise<R>;
  /** The handler recorded the command itself (through EventLog.appendOnce). */
  markRecorded(): void;
}

type Handler<T extends CommandType> = (command: CommandOf<T>, call: CommandCall) => Promise<string | undefined>;
export type CommandHandlers = { [T in CommandType]: Handler<T> };

async function liveThread(env: CommandEnv, threadId: string): Promise<ThreadRecord> {
  const thread = await env.db.threads.get(threadId);
  // A thread in the trash is gone for every command but restore and delete.
  if (!thread || thread.trashedAt !== undefined) {
    throw new CommandFailure('unknown_thread', `No thread with id ${threadId}.`);
  }
  return thread;
}

async function linkCommand<T>(env: CommandEnv, run: (link: LinkCommands) => Promise<T>): Promise<T> {
  if (!env.link) throw new CommandFailure('internal', 'The phone link is not available in this runtime.');
  try {
    return await run(env.link);
  } catch (error) {
    throw toCommandFailure(error);
  }
}

async function pushCommand<T>(env: CommandEnv, run: (push: PushService) => Promise<T>): Promise<T> {
  if (!env.push) throw new CommandFailure('unavailable', 'Notifications are not available in this runtime.');
  try {
    return await run(env.push);
  } catch (error) {
    if (error instanceof PushRefusal) throw new CommandFailure('invalid_command', error.message);
    throw toCommandFailure(error);
  }
}

/** The paired device a phone client is (its command scope, see client-identity.ts); push is per device. */
function phoneDeviceId(client: ClientConnection): string {
  const deviceId = client.kind === 'phone' && client.scope.startsWith('phone:') ? client.scope.slice(6) : '';
  if (!deviceId) throw new CommandFailure('invalid_command', 'Only a paired phone can turn on notifications.');
  return deviceId;
}

function siteDirectory(env: CommandEnv): SiteDirectory {
  if (!env.sites) throw new CommandFailure('internal', 'Site rules are not available in this runtime.');
  return env.sites;
}

async function fileCommand(env: CommandEnv, client: ClientConnection, command: FileCommand): Promise<undefined> {
  if (!env.files) throw new CommandFailure('unavailable', 'Local files are not available in this runtime.');
  const failure = await applyFileCommand(env.files, command, (message) => client.send(message));
  if (failure) throw new CommandFailure(failure.code, failure.message);
  return undefined;
}

const onlyPanels = (c: ClientConnection) => c.kind === 'panel';

export function commandHandlers(env: CommandEnv): CommandHandlers {
  const file = (command: FileCommand, call: CommandCall) => fileCommand(env, call.client, command);
  const messageSearch = new MessageSearch(env.db);
  const models = new ModelCatalog(() => env.settings.get(), env.now);

  /** A thread row changed inside a command's transaction (read and written together, never a stale copy). */
  const updateThread = async (threadId: string, call: CommandCall, change: (thread: ThreadRecord) => void) => {
    await call.atomic(async () => {
      const thread = await liveThread(env, threadId);
      change(thread);
      await env.db.threads.put(thread);
    });
    await env.broadcastThreads();
    return threadId;
  };

  return {
    ...scheduleHandlers(env, (threadId) => liveThread(env, threadId)),
    'threads.list': async (command, { client }) => {
      client.send({ type: 'threads', threads: await env.listThreads(command.includeArchived) });
      return undefined;
    },
    'thread.create': async (command, call) => {
      const at = env.now();
      const thread: ThreadRecord = {
        id: env.newId(),
        title: command.title ?? DEFAULT_TITLE,
        createdAt: at,
        updatedAt: at,
        archived: false,
        lastSeq: 0,
        status: 'idle',
        pendingDecisions: 0,
        usage: ZERO_USAGE,
        costUsd: 0,
      };
      await call.atomic(
        () => env.db.threads.add(thread),
        () => thread.id,
      );
      await env.broadcastThreads();
      return thread.id;
    },
    'thread.rename': (command, call) =>
      updateThread(command.threadId, call, (thread) => {
        thread.title = command.title;
      }),
    'thread.archive': (command, call) =>
      updateThread(command.threadId, call, (thread) => {
        thread.archived = command.archived;
      }),
    'thread.delete': async (command, call) => {
      const existing = await env.db.threads.get(command.threadId);
      const inTrash = existing?.trashedAt !== undefined;
      // A phone cannot destroy conversations: its delete moves the thread to a trash only the computer sees.
      if (!existing || (inTrash && call.client.kind !== 'panel')) {
        throw new CommandFailure('unknown_thread', `No thread with id ${command.threadId}.`);
      }
      await env.dropRunner(command.threadId);
      if (call.client.kind === 'panel') {
        await call.atomic(
          () => env.log.deleteThread(command.threadId),
          () => command.threadId,
        );
        await env.schedules?.service.forgetThread(command.threadId);
      } else {
        await call.atomic(
          async () => {
            const thread = await liveThread(env, command.threadId);
            thread.trashedAt = env.now();
            await env.db.threads.put(thread);
          },
          () => command.threadId,
        );
      }
      env.hub.forgetThread(command.threadId);
      env.hub.broadcast({ type: 'thread.deleted', threadId: command.threadId });
      await env.broadcastThreads({ emptiedByUser: call.client.kind === 'panel' });
      if (!inTrash && call.client.kind !== 'panel') {
        env.hub.broadcast({ type: 'threads.trashed', threads: await env.trashedThreads() }, onlyPanels);
      }
      return command.threadId;
    },
    'threads.trash': async (_command, { client }) => {
      client.send({ type: 'threads.trashed', threads: await env.trashedThreads() });
      return undefined;
    },
    'thread.restore': async (command, call) => {
      await call.atomic(async () => {
        const thread = await env.db.threads.get(command.threadId);
        if (!thread || thread.trashedAt === undefined) {
          throw new CommandFailure('unknown_thread', 'That conversation is not in the trash.');
        }
        delete thread.trashedAt;
        await env.db.threads.put(thread);
      });
      await env.broadcastThreads();
      env.hub.broadcast({ type: 'threads.trashed', threads: await env.trashedThreads() }, onlyPanels);
      return command.threadId;
    },
    'thread.subscribe': async (command, { client }) => {
      await liveThread(env, command.threadId);
      await env.hub.subscribe(client.id, command.threadId, {
        tail: command.tail,
        ...(command.afterSeq === undefined ? {} : { afterSeq: command.afterSeq }),
      });
      return command.threadId;
    },
    'thread.unsubscribe': async (command, { client }) => {
      env.hub.unsubscribe(client.id, command.threadId);
      return command.threadId;
    },
    'thread.history': async (command, { client }) => {
      await liveThread(env, command.threadId);
      const events = withinPageBudget(
        await env.log.before(command.threadId, command.beforeSeq, command.limit),
        'newest',
      );
      const first = events[0];
      client.send({
        type: 'thread.page',
        threadId: command.threadId,
        reason: 'history',
        events,
        hasOlder: first !== undefined && first.seq > 1,
      });
      return command.threadId;
    },
    'message.send': async (command, call) => {
      const thread = await liveThread(env, command.threadId);
      const runner = env.runner(command.threadId);
      const key = call.key ?? command.id;
      // `/name …` sends a saved prompt (a shortcut), for the panel and the phone alike.
      const text = (await env.schedules?.shortcuts.expand(command.text)) ?? command.text;
      const attachments = command.attachments?.length
        ? await admitAttachments(command.attachments, thread.model ?? (await env.settings.get()).model, env.images)
        : [];
      const events = await runner.appendForCommand(
        key,
        [
          {
            kind: 'user_message',
            text,
            by: call.actor,
            commandId: command.id,
            ...(attachments.length ? { attachments } : {}),
          },
        ],
        (row) => {
          // Name a new thread after its first message, as people expect.
          if (row.title === DEFAULT_TITLE && thread.lastSeq === 0)
            row.title = titleFrom(text || attachments.map((a) => a.name).join(', '));
        },
      );
      call.markRecorded();
      // A new message is also a retry of a task a full disk had paused.
      if (events) env.resumeThread(command.threadId);
      return command.threadId;
    },
    'message.edit': async (command, call) => {
      const thread = await liveThread(env, command.threadId);
      const runner = env.runner(command.threadId);
      const state = await runner.loadState();
      if (state.task || state.queued.length > 0) {
        throw new CommandFailure('busy', 'Wait for the current answer to finish (or stop it) before editing.');
      }
      if (!lastOnBranch(state, command.replaces)) {
        throw new CommandFailure('invalid_command', 'Only the last message can be edited or regenerated now.');
      }
      const text = (await env.schedules?.shortcuts.expand(command.text)) ?? command.text;
      const attachments = command.attachments?.length
        ? await admitAttachments(command.attachments, thread.model ?? (await env.settings.get()).model, env.images)
        : [];
      const events = await runner.appendForCommand(call.key ?? command.id, [
        {
          kind: 'user_message',
          text,
          by: call.actor,
          commandId: command.id,
          replaces: command.replaces,
          ...(attachments.length ? { attachments } : {}),
        },
      ]);
      call.markRecorded();
      if (events) env.resumeThread(command.threadId);
      return command.threadId;
    },
    'task.stop': async (command, call) => {
      await liveThread(env, command.threadId);
      await env.runner(command.threadId).stop(call.actor);
      return command.threadId;
    },
    'tab.show': async (command) => {
      await liveThread(env, command.threadId);
      // Only the tab the log says the task acts in: a client cannot name another tab to bring forward.
      const tab = (await env.runner(command.threadId).loadState()).task?.actingTab;
      if (!tab) throw new CommandFailure('invalid_command', 'Tandem is not acting in a tab in this thread now.');
      if (!env.indicator) throw new CommandFailure('unavailable', 'Tabs are not available in this runtime.');
      if (!(await env.indicator.show(tab.tabId))) throw new CommandFailure('unavailable', 'That tab was closed.');
      return command.threadId;
    },
    'task.resume': async (command) => {
      await liveThread(env, command.threadId);
      env.resumeThread(command.threadId);
      return command.threadId;
    },
    'task.retryNow': async (command) => {
      await liveThread(env, command.threadId);
      env.runner(command.threadId).retryNow();
      return command.threadId;
    },
    'decision.answer': async (command, call) => {
      await liveThread(env, command.threadId);
      await env.runner(command.threadId).answer(command.decisionId, command.optionId, call.actor, {
        trusted: call.client.kind === 'panel',
        ...(call.key ? { commandKey: call.key } : {}),
        ...(command.secret ? { secret: command.secret } : {}),
      });
      call.markRecorded();
      return command.threadId;
    },
    'settings.get': async (_command, { client }) => {
      client.send({ type: 'settings', settings: publicSettings(await env.settings.get()) });
      return undefined;
    },
    'settings.update': async (command, call) => {
      const settings = await call.atomic(() => env.settings.update(command.patch));
      env.hub.broadcast({ type: 'settings', settings: publicSettings(settings) }, onlyPanels);
      return undefined;
    },
    'settings.checkKey': async (_command, { client }) => {
      client.send({ type: 'key.checked', ...(await env.checkKey(await env.settings.get())) });
      return undefined;
    },
    'backup.export': async (command, { client }) => {
      const backup = await env.backup.export({ includeApiKey: command.includeApiKey });
      client.send({ type: 'backup', fileName: backup.fileName, json: backup.json });
      return undefined;
    },
    'backup.import': async (command, call) => {
      await call.atomic(() => env.backup.import(command.json));
      await env.afterRestore();
      return undefined;
    },
    'backup.restoreAuto': async (_command, call) => {
      const snapshot = await env.autoBackup?.latest();
      if (!snapshot) throw new CommandFailure('invalid_command', 'There is no automatic backup to restore.');
      await call.atomic(() => env.backup.import(snapshot.json));
      await env.afterRestore();
      return undefined;
    },
    'backup.restoreFromHost': async (_command, call) => {
      if (!env.files) throw new CommandFailure('unavailable', 'The file host is not set up in this browser.');
      let snapshot: Awaited<ReturnType<AutoBackup['latestOnDisk']>>;
      try {
        snapshot = await env.autoBackup?.latestOnDisk();
      } catch (error) {
        // The host not installed or not answering, or a damaged backup: its words are meant for people.
        const failure = commandFailureOf(error);
        throw new CommandFailure(failure.code, failure.message);
      }
      if (!snapshot) {
        throw new CommandFailure('invalid_command', "There is no backup in the computer's backup folder to restore.");
      }
      await call.atomic(() => env.backup.import(snapshot.json));
      await env.afterRestore();
      return undefined;
    },
    'bridge.status': file,
    'folders.list': file,
    'folders.add': file,
    'folders.remove': file,
    'folders.update': file,
    'trash.list': file,
    'trash.restore': file,
    'trash.purge': file,
    'pairing.start': async (_command, { client }) => {
      client.send(await linkCommand(env, (link) => link.startPairing(client.id)));
      return undefined;
    },
    'pairing.cancel': async (command) => {
      await linkCommand(env, (link) => link.cancelPairing(command.secretId));
      return undefined;
    },
    'devices.list': async (_command, { client }) => {
      client.send({ type: 'devices', devices: await linkCommand(env, (link) => link.devices()) });
      return undefined;
    },
    'devices.revoke': async (command) => {
      if (!(await linkCommand(env, (link) => link.revoke(command.deviceId)))) {
        throw new CommandFailure('invalid_command', 'No paired phone with this id.');
      }
      return undefined;
    },
    'link.settings.get': async (_command, { client }) => {
      const settings = await linkCommand(env, (link) => link.settings());
      client.send({ type: 'link.settings', settings });
      client.send({ type: 'link.status', status: await linkCommand(env, async (link) => link.status()) });
      return undefined;
    },
    'link.settings.update': async (command) => {
      const settings = await linkCommand(env, (link) => link.updateSettings(command.patch));
      env.hub.broadcast({ type: 'link.settings', settings }, onlyPanels);
      return undefined;
    },
    'push.status': async (_command, { client }) => {
      const status = await pushCommand(env, (push) => push.status(phoneDeviceId(client)));
      client.send({ type: 'push.status', status });
      return undefined;
    },
    'push.subscribe': async (command, { client }) => {
      const status = await pushCommand(env, (push) => push.subscribe(phoneDeviceId(client), command.subscription));
      client.send({ type: 'push.status', status });
      return undefined;
    },
    'push.unsubscribe': async (_command, { client }) => {
      const status = await pushCommand(env, (push) => push.unsubscribe(phoneDeviceId(client)));
      client.send({ type: 'push.status', status });
      return undefined;
    },
    'push.settings.get': async (_command, { client }) => {
      client.send({ type: 'push.settings', settings: await pushCommand(env, (push) => push.settings()) });
      return undefined;
    },
    'push.settings.update': async (command) => {
      const settings = await pushCommand(env, (push) => push.updateSettings(command.patch));
      env.hub.broadcast({ type: 'push.settings', settings }, onlyPanels);
      return undefined;
    },
    'audit.list': async (command, { client }) => {
      client.send({ type: 'audit', entries: await env.audit.list(command.threadId, command.limit) });
      return undefined;
    },
    'audit.export': async (_command, { client }) => {
      const file = await env.audit.exportJsonLines();
      client.send({
        type: 'audit.export',
        fileName: file.fileName,
        jsonl: file.text,
        rows: file.rows,
        head: file.head,
      });
      return undefined;
    },
    'audit.head': async (_command, { client }) => {
      client.send({ type: 'audit.head', ...(await env.audit.head()) });
      return undefined;
    },
    'sites.list': async (_command, { client }) => {
      client.send({ type: 'sites', sites: await siteDirectory(env).list(env.now()) });
      return undefined;
    },
    'sites.set': async (command) => {
      const result = await siteDirectory(env).setRule(command.pattern, command.effect, env.now());
      if (!result.ok) throw new CommandFailure('invalid_command', result.message);
      return undefined;
    },
    'sites.remove': async (command) => {
      const result = await siteDirectory(env).removeRule(command.pattern, env.now());
      if (!result.ok) throw new CommandFailure('invalid_command', result.message);
      return undefined;
    },
    ...connectorHandlers(env),
    'threads.search': async (command, { client }) => {
      const { hits, more } = await messageSearch.search(command.query, command.limit);
      client.send({ type: 'threads.found', query: command.query, hits, more });
      return undefined;
    },
    'models.list': async (command, { client }) => {
      client.send({ type: 'models', ...(await models.list(command.refresh)) });
      return undefined;
    },
    'thread.setModel': async (command, call) => {
      const { model } = command;
      // A phone cannot change the spending cap, so it may pick only models whose price Tandem
      // knows: an unpriced one is estimated at a fallback price that might be too low.
      if (model !== null && call.client.kind !== 'panel') {
        const listed = models.known.find((m) => m.id === model);
        if (!listed?.price && model !== (await env.settings.get()).model) {
          throw new CommandFailure(
            'not_allowed',
            `Tandem has no price for ${model}, so its cost cannot be kept under the spending cap. Choose it on the computer.`,
          );
        }
      }
      return updateThread(command.threadId, call, (thread) => {
        if (model === null) delete thread.model;
        else thread.model = model;
      });
    },
  };
}

export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || DEFAULT_TITLE;
}

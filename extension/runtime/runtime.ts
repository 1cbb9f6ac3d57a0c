/**
 * The conversation engine: owns every thread, answers every client command.
 * The side panel and the phone are both `ClientConnection`s here; nothing is
 * specific to either. Every command is validated, answered exactly once (ack or
 * error), and a mutating command re-sent with the same id is applied once.
 */

import { ZERO_USAGE } from '../../shared/pricing';
import {
  ClientCommand,
  type CommandOf,
  type ErrorCode,
  MAX_COMMAND_BYTES,
  PROTOCOL_VERSION,
  type ThreadSummary,
  TRUSTED_ONLY_COMMANDS,
} from '../../shared/protocol';
import type { FileAccess } from '../files/file-access';
import { applyFileCommand, type FileCommand } from '../files/file-commands';
import { LinkCommandError, type LinkCommands } from '../link/link-service';
import type { AuditLog } from '../storage/audit-log';
import type { AppliedCommand, TandemDatabase, ThreadRecord } from '../storage/db';
import { type EventLog, UnknownThreadError } from '../storage/event-log';
import { publicSettings, type SettingsStore } from '../storage/settings-store';
import type { ToolRegistry } from '../tools/registry';
import type { SiteDirectory } from '../web/site-policy';
import { type ClientConnection, ClientHub } from './client-hub';
import type { ImageResizer } from './images/image-fit';
import type { ModelClient } from './model-client';
import type { PermissionGate } from './permission-gate';
import { DecisionError, type RunnerDeps, ThreadRunner } from './thread-runner';

export interface RuntimeDeps {
  db: TandemDatabase;
  log: EventLog;
  settings: SettingsStore;
  audit: AuditLog;
  tools: ToolRegistry;
  gate: PermissionGate;
  model: ModelClient;
  systemPrompt(): string;
  now?(): number;
  newId?(): string;
  keepAlive?(): () => void;
  taskFinished?(thread: ThreadSummary, outcome: string): void;
  checkKey?(): Promise<{ ok: boolean; message: string }>;
  /** Local files (Folders and Trash views); absent, the `folders.*`, `trash.*` and `bridge.status` commands fail. */
  files?: FileAccess;
  /** Site rules for the Sites view (web access); absent, the `sites.*` commands fail. */
  sites?: SiteDirectory;
  /** The phone link (pairing, devices, link settings); absent, those commands fail. */
  link?: LinkCommands;
  /** Scales images from tools before they are stored for the model; absent, oversized ones become notes. */
  images?: ImageResizer;
}

class CommandFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MUTATING = new Set<ClientCommand['type']>([
  'thread.create',
  'thread.rename',
  'thread.archive',
  'thread.delete',
  'task.stop',
  'decision.answer',
  'settings.update',
  'folders.add',
  'folders.remove',
  'folders.update',
  'trash.restore',
  'trash.purge',
  'sites.set',
  'sites.remove',
  'pairing.cancel',
  'devices.revoke',
  'link.settings.update',
]);

const DEFAULT_TITLE = 'New conversation';
const THREADS_BROADCAST_MS = 100;
/** Applied-command records older than this are pruned; a client re-sends within seconds, not days. */
const COMMAND_MEMORY_MS = 7 * 24 * 3_600_000;

function commandIdOf(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string' && raw.id.length <= 128)
    return raw.id;
  return null;
}

export class Runtime {
  readonly hub: ClientHub;
  private readonly runners = new Map<string, ThreadRunner>();
  private readonly inflightCommands = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private readonly newId: () => string;
  private clientCounter = 0;
  private threadsBroadcastTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: RuntimeDeps) {
    this.hub = new ClientHub(deps.log);
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    // The bridge's state, the folder list and the trash show live in every open panel (never on a phone).
    deps.files?.onChange((change) => this.hub.broadcast(change, (c) => c.kind === 'panel'));
    // A rule added here or an "Always allow" answered anywhere shows in every open Sites view.
    deps.sites?.onChange(() => void this.broadcastSites());
    // Devices, pairing and the link's state show in every open panel (never on a phone).
    deps.link?.onBroadcast((message) => this.hub.broadcast(message, (c) => c.kind === 'panel'));
  }

  /** Connects a client; returns the function its transport calls with each raw incoming message. */
  attach(kind: ClientConnection['kind'], send: ClientConnection['send']) {
    const connection: ClientConnection = {
      id: `${kind}-${++this.clientCounter}-${this.newId().slice(0, 8)}`,
      kind,
      send,
    };
    this.hub.add(connection);
    send({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, clientId: connection.id, clientKind: kind });
    return {
      connection,
      receive: (raw: unknown) => this.receive(connection, raw),
      detach: () => {
        this.hub.remove(connection.id);
        // The QR codes this client showed die with it (a closed side panel runs no cleanup of its own).
        this.deps.link?.clientGone(connection.id);
      },
    };
  }

  runner(threadId: string): ThreadRunner {
    let runner = this.runners.get(threadId);
    if (!runner) {
      runner = new ThreadRunner(threadId, this.runnerDeps());
      this.runners.set(threadId, runner);
    }
    return runner;
  }

  /** After a (re)start: every thread with an unfinished task continues from its last durable step. */
  async resume(): Promise<number> {
    const threads = await this.deps.db.threads.toArray();
    let resumed = 0;
    for (const thread of threads) {
      if (thread.status === 'idle' || thread.status === 'failed') continue;
      this.runner(thread.id).kick();
      resumed++;
    }
    await this.deps.db.commands
      .where('at')
      .below(this.now() - COMMAND_MEMORY_MS)
      .delete();
    return resumed;
  }

  /** Threads with a running loop (for keep-alive decisions and tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.idle()));
  }

  private runnerDeps(): RunnerDeps {
    return {
      log: this.deps.log,
      tools: this.deps.tools,
      gate: this.deps.gate,
      model: this.deps.model,
      ...(this.deps.images ? { images: this.deps.images } : {}),
      settings: () => this.deps.settings.get(),
      systemPrompt: this.deps.systemPrompt,
      now: this.now,
      newId: this.newId,
      publish: (events) => this.hub.publish(events),
      threadChanged: () => this.scheduleThreadsBroadcast(),
      activity: (threadId, status, retryAt) =>
        this.hub.broadcast({ type: 'thread.activity', threadId, status, retryAt }),
      taskFinished: (threadId, outcome) => {
        // Clears a "retrying" countdown or a running state a client may still show.
        this.hub.broadcast({ type: 'thread.activity', threadId, status: outcome === 'failed' ? 'failed' : 'idle' });
        // Best effort: a notification must never take the runtime down.
        this.deps.db.threads
          .get(threadId)
          .then((thread) => {
            if (thread) this.deps.taskFinished?.(thread, outcome);
          })
          .catch(() => {});
      },
      keepAlive: this.deps.keepAlive ?? (() => () => {}),
    };
  }

  private async receive(client: ClientConnection, raw: unknown): Promise<void> {
    const commandId = commandIdOf(raw);
    const fail = (code: ErrorCode, message: string) => client.send({ type: 'error', commandId, code, message });
    let size: number;
    try {
      size = typeof raw === 'string' ? raw.length : JSON.stringify(raw ?? null).length;
    } catch {
      return fail('invalid_command', 'The command is not serialisable JSON.');
    }
    if (size > MAX_COMMAND_BYTES) return fail('too_large', `Commands are limited to ${MAX_COMMAND_BYTES} bytes.`);
    const parsed = ClientCommand.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        'invalid_command',
        `Invalid command: ${issue ? `${issue.path.join('.') || 'command'}: ${issue.message}` : 'unknown shape'}`,
      );
    }
    const command = parsed.data;
    if (TRUSTED_ONLY_COMMANDS.has(command.type) && client.kind !== 'panel') {
      return fail('not_allowed', 'This command is only available in the extension itself.');
    }
    // A repeat that arrives while the first copy is still being applied waits for it.
    const running = this.inflightCommands.get(command.id);
    if (running) await running;
    const work = this.execute(client, command);
    this.inflightCommands.set(command.id, work);
    try {
      await work;
    } finally {
      this.inflightCommands.delete(command.id);
    }
  }

  private async execute(client: ClientConnection, command: ClientCommand): Promise<void> {
    if (MUTATING.has(command.type) || command.type === 'message.send') {
      const previous = await this.deps.db.commands.get(command.id);
      if (previous) return this.replay(client, previous);
    }
    try {
      const threadId = await this.apply(client, command);
      if (MUTATING.has(command.type)) {
        await this.deps.db.commands.put({
          id: command.id,
          at: this.now(),
          ok: true,
          ...(threadId ? { threadId } : {}),
        });
      }
      client.send({ type: 'ack', commandId: command.id, ...(threadId ? { threadId } : {}) });
    } catch (error) {
      const failure =
        error instanceof CommandFailure
          ? error
          : error instanceof UnknownThreadError
            ? new CommandFailure('unknown_thread', error.message)
            : error instanceof DecisionError
              ? new CommandFailure('unknown_decision', error.message)
              : new CommandFailure('internal', error instanceof Error ? error.message : String(error));
      if (failure.code === 'internal') console.error('Tandem: command failed', command.type, error);
      if (MUTATING.has(command.type) && failure.code !== 'internal') {
        await this.deps.db.commands.put({
          id: command.id,
          at: this.now(),
          ok: false,
          code: failure.code,
          message: failure.message,
        });
      }
      client.send({ type: 'error', commandId: command.id, code: failure.code, message: failure.message });
    }
  }

  private replay(client: ClientConnection, previous: AppliedCommand): void {
    if (previous.ok) {
      client.send({
        type: 'ack',
        commandId: previous.id,
        ...(previous.threadId ? { threadId: previous.threadId } : {}),
      });
    } else {
      client.send({
        type: 'error',
        commandId: previous.id,
        code: (previous.code as ErrorCode | undefined) ?? 'internal',
        message: previous.message ?? 'failed',
      });
    }
  }

  private async thread(threadId: string): Promise<ThreadRecord> {
    const thread = await this.deps.db.threads.get(threadId);
    if (!thread) throw new CommandFailure('unknown_thread', `No thread with id ${threadId}.`);
    return thread;
  }

  /** Applies a command; returns the thread it concerns, for the ack. */
  private async apply(client: ClientConnection, command: ClientCommand): Promise<string | undefined> {
    const actor = { kind: client.kind, clientId: client.id };
    switch (command.type) {
      case 'threads.list':
        client.send({ type: 'threads', threads: await this.listThreads(command.includeArchived) });
        return undefined;
      case 'thread.create': {
        const at = this.now();
        const thread: ThreadRecord = {
          id: this.newId(),
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
        await this.deps.db.threads.add(thread);
        await this.broadcastThreads();
        return thread.id;
      }
      case 'thread.rename':
      case 'thread.archive': {
        const thread = await this.thread(command.threadId);
        if (command.type === 'thread.rename') thread.title = command.title;
        else thread.archived = command.archived;
        await this.deps.db.threads.put(thread);
        await this.broadcastThreads();
        return thread.id;
      }
      case 'thread.delete': {
        await this.thread(command.threadId);
        const runner = this.runners.get(command.threadId);
        if (runner) {
          await runner.stop({ kind: 'runtime', clientId: 'runtime' });
          await runner.idle();
          this.runners.delete(command.threadId);
        }
        await this.deps.log.deleteThread(command.threadId);
        this.hub.forgetThread(command.threadId);
        this.hub.broadcast({ type: 'thread.deleted', threadId: command.threadId });
        await this.broadcastThreads();
        return command.threadId;
      }
      case 'thread.subscribe':
        await this.thread(command.threadId);
        await this.hub.subscribe(client.id, command.threadId, {
          tail: command.tail,
          ...(command.afterSeq === undefined ? {} : { afterSeq: command.afterSeq }),
        });
        return command.threadId;
      case 'thread.unsubscribe':
        this.hub.unsubscribe(client.id, command.threadId);
        return command.threadId;
      case 'thread.history': {
        const events = await this.deps.log.before(command.threadId, command.beforeSeq, command.limit);
        const first = events[0];
        client.send({
          type: 'thread.page',
          threadId: command.threadId,
          reason: 'history',
          events,
          hasOlder: first !== undefined && first.seq > 1,
        });
        return command.threadId;
      }
      case 'message.send':
        return this.sendMessage(command, actor);
      case 'task.stop': {
        await this.thread(command.threadId);
        await this.runner(command.threadId).stop(actor);
        return command.threadId;
      }
      case 'task.retryNow':
        await this.thread(command.threadId);
        this.runner(command.threadId).retryNow();
        return command.threadId;
      case 'decision.answer':
        await this.thread(command.threadId);
        await this.runner(command.threadId).answer(command.decisionId, command.optionId, actor);
        return command.threadId;
      case 'settings.get':
        client.send({ type: 'settings', settings: publicSettings(await this.deps.settings.get()) });
        return undefined;
      case 'settings.update': {
        const settings = await this.deps.settings.update(command.patch);
        this.hub.broadcast({ type: 'settings', settings: publicSettings(settings) }, (c) => c.kind === 'panel');
        return undefined;
      }
      case 'settings.checkKey': {
        const result = this.deps.checkKey ? await this.deps.checkKey() : { ok: false, message: 'Not available.' };
        client.send({ type: 'key.checked', ...result });
        return undefined;
      }
      case 'bridge.status':
      case 'folders.list':
      case 'folders.add':
      case 'folders.remove':
      case 'folders.update':
      case 'trash.list':
      case 'trash.restore':
      case 'trash.purge':
        await this.fileCommand(client, command);
        return undefined;
      case 'pairing.start':
        client.send(await this.linkCommand((link) => link.startPairing(client.id)));
        return undefined;
      case 'pairing.cancel':
        await this.linkCommand((link) => link.cancelPairing(command.secretId));
        return undefined;
      case 'devices.list':
        client.send({ type: 'devices', devices: await this.linkCommand((link) => link.devices()) });
        return undefined;
      case 'devices.revoke':
        if (!(await this.linkCommand((link) => link.revoke(command.deviceId)))) {
          throw new CommandFailure('invalid_command', 'No paired phone with this id.');
        }
        return undefined;
      case 'link.settings.get': {
        const settings = await this.linkCommand((link) => link.settings());
        client.send({ type: 'link.settings', settings });
        client.send({ type: 'link.status', status: await this.linkCommand(async (link) => link.status()) });
        return undefined;
      }
      case 'link.settings.update': {
        const settings = await this.linkCommand((link) => link.updateSettings(command.patch));
        this.hub.broadcast({ type: 'link.settings', settings }, (c) => c.kind === 'panel');
        return undefined;
      }
      case 'audit.list':
        client.send({ type: 'audit', entries: await this.deps.audit.list(command.threadId, command.limit) });
        return undefined;
      case 'sites.list':
        client.send({ type: 'sites', sites: await this.siteDirectory().list(this.now()) });
        return undefined;
      case 'sites.set':
      case 'sites.remove': {
        const sites = this.siteDirectory();
        const result =
          command.type === 'sites.set'
            ? await sites.setRule(command.pattern, command.effect, this.now())
            : await sites.removeRule(command.pattern, this.now());
        if (!result.ok) throw new CommandFailure('invalid_command', result.message);
        return undefined;
      }
    }
  }

  /** Runs a phone-link command; the link's refusals reach the panel as they are. */
  private async linkCommand<T>(run: (link: LinkCommands) => Promise<T>): Promise<T> {
    const link = this.deps.link;
    if (!link) throw new CommandFailure('internal', 'The phone link is not available in this runtime.');
    try {
      return await run(link);
    } catch (error) {
      if (error instanceof LinkCommandError) throw new CommandFailure(error.code, error.message);
      throw error;
    }
  }

  private siteDirectory(): SiteDirectory {
    if (!this.deps.sites) throw new CommandFailure('internal', 'Site rules are not available in this runtime.');
    return this.deps.sites;
  }

  private async broadcastSites(): Promise<void> {
    if (!this.deps.sites) return;
    const sites = await this.deps.sites.list(this.now());
    this.hub.broadcast({ type: 'sites', sites }, (c) => c.kind === 'panel');
  }

  private async fileCommand(client: ClientConnection, command: FileCommand): Promise<void> {
    if (!this.deps.files) throw new CommandFailure('unavailable', 'Local files are not available in this runtime.');
    const failure = await applyFileCommand(this.deps.files, command, (message) => client.send(message));
    if (failure) throw new CommandFailure(failure.code, failure.message);
  }

  private async sendMessage(
    command: CommandOf<'message.send'>,
    actor: { kind: ClientConnection['kind']; clientId: string },
  ) {
    const thread = await this.thread(command.threadId);
    const runner = this.runner(command.threadId);
    const events = await runner.appendForCommand(
      command.id,
      [{ kind: 'user_message', text: command.text, by: actor, commandId: command.id }],
      (row) => {
        // Name a new thread after its first message, as people expect.
        if (row.title === DEFAULT_TITLE && thread.lastSeq === 0) row.title = titleFrom(command.text);
      },
    );
    if (events) runner.kick();
    return command.threadId;
  }

  private async listThreads(includeArchived: boolean): Promise<ThreadSummary[]> {
    const threads = await this.deps.db.threads.orderBy('updatedAt').reverse().toArray();
    return includeArchived ? threads : threads.filter((t) => !t.archived);
  }

  /**
   * Thread summaries change on most steps of a running task; clients need them promptly but not
   * once per step, so changes from task steps are coalesced (command results broadcast at once).
   */
  private scheduleThreadsBroadcast(): void {
    if (this.threadsBroadcastTimer) return;
    this.threadsBroadcastTimer = setTimeout(() => {
      this.threadsBroadcastTimer = undefined;
      this.broadcastThreads().catch((error: unknown) => console.warn('Tandem: thread list broadcast failed', error));
    }, THREADS_BROADCAST_MS);
  }

  private async broadcastThreads(): Promise<void> {
    this.hub.broadcast({ type: 'threads', threads: await this.listThreads(true) });
  }
}

function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || DEFAULT_TITLE;
}

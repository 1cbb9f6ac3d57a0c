/**
 * The conversation engine: owns every thread, answers every client command.
 * The side panel and the phone are both `ClientConnection`s here; nothing is
 * specific to either. Every command is validated, answered exactly once (ack or
 * error), and a mutating command re-sent with the same id is applied once.
 */

import {
  ClientCommand,
  type ClientKind,
  COMMAND_RULES,
  type ErrorCode,
  MAX_BACKUP_BYTES,
  MAX_COMMAND_BYTES,
  MAX_SEND_COMMAND_BYTES,
  PROTOCOL_VERSION,
  type StorageStatus,
  type ThreadSummary,
} from '../../shared/protocol';
import type { ConnectorService } from '../connectors/connector-service';
import type { FileAccess } from '../files/file-access';
import { HostBackups } from '../files/host-backups';
import type { LinkCommands } from '../link/link-service';
import type { PermissionGate } from '../permissions/permission-gate';
import type { PushService } from '../push/push-service';
import type { ScheduleParts } from '../schedule/schedule-commands';
import type { AuditLog } from '../storage/audit-log';
import { AutoBackup, type SnapshotStore } from '../storage/auto-backup';
import { Backup } from '../storage/backup';
import type { AppliedCommand, TandemDatabase } from '../storage/db';
import type { EventLog } from '../storage/event-log';
import { publicSettings, type SettingsStore } from '../storage/settings-store';
import { type StorageFailure, StorageGuard } from '../storage/storage-guard';
import type { StorageWatch } from '../storage/storage-watch';
import type { ToolRegistry } from '../tools/registry';
import type { TabIndicator } from '../web/platform';
import type { SiteDirectory } from '../web/site-policy';
import { type ClientConnection, ClientHub } from './client-hub';
import { actorFor, commandScope, type PhoneDevice, scopedCommandKey } from './client-identity';
import { toCommandFailure } from './command-failure';
import type { ImageResizer } from './images/image-fit';
import type { ModelClient } from './model-client';
import { type CommandCall, type CommandEnv, type CommandHandlers, commandHandlers } from './runtime-commands';
import { StorageMonitor } from './storage-monitor';
import { type RunnerDeps, ThreadRunner } from './thread-runner';

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
  /** MCP connectors (Settings → Connectors); absent, the `connectors.*` commands fail. */
  connectors?: ConnectorService;
  /** Site rules for the Sites view (web access); absent, the `sites.*` commands fail. */
  sites?: SiteDirectory;
  /** The phone link (pairing, devices, link settings); absent, those commands fail. */
  link?: LinkCommands;
  /** Web Push and decision notifications; it hears every event batch once it is durable. */
  push?: PushService;
  /** Schedules and shortcuts; absent, those commands fail. A scheduled run's end is reported to it. */
  schedules?: ScheduleParts;
  /** Scales images from tools before they are stored for the model; absent, oversized ones become notes. */
  images?: ImageResizer;
  /** The "acting in this tab" mark in the browser and "Show tab"; absent, `tab.show` fails. */
  indicator?: TabIndicator;
  /** Reopen-and-retry around storage; one is made for `db` when absent. */
  storage?: StorageGuard;
  /** How long a task paused by a failed write waits before trying again on its own. */
  pausedRetryMs?: number;
  /** Space, persistence and the durable marker (browser only); absent, only failures are reported. */
  storageWatch?: StorageWatch;
  /** Where the automatic backup outside IndexedDB is kept; absent, none is taken. */
  snapshots?: SnapshotStore;
  snapshotEveryMs?: number;
}

/** Applied-command records older than this are pruned; a client re-sends within seconds, not days. */
const COMMAND_MEMORY_MS = 7 * 24 * 3_600_000;
const THREADS_BROADCAST_MS = 100;
/** In-memory thread states kept at most (idle ones beyond this are dropped; the log has everything). */
export const MAX_LOADED_THREADS = 24;
const PAUSED_RETRY_MS = 30_000;

/** A command that was already applied: its recorded answer is sent again. */
class AlreadyApplied extends Error {
  constructor(readonly previous: AppliedCommand) {
    super('already applied');
  }
}

function commandIdOf(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string' && raw.id.length <= 128)
    return raw.id;
  return null;
}

function commandTypeOf(raw: unknown): unknown {
  return raw && typeof raw === 'object' && 'type' in raw ? raw.type : undefined;
}

/**
 * Some commands are bigger than the rest: a backup restore (the extension's own pages only) and a
 * message with attachments, sent or edited (protocol/attachments.ts caps those; the phone link is
 * sized for it).
 */
function commandSizeLimit(kind: ClientKind, type: unknown): number {
  if (type === 'backup.import' && kind === 'panel') return MAX_BACKUP_BYTES;
  // An edit carries the edited message's files as a send does (the composer keeps them).
  return type === 'message.send' || type === 'message.edit' ? MAX_SEND_COMMAND_BYTES : MAX_COMMAND_BYTES;
}

export class Runtime {
  readonly hub: ClientHub;
  readonly storage: StorageGuard;
  /** Most recently used last: the first idle ones are evicted beyond MAX_LOADED_THREADS. */
  private readonly runners = new Map<string, ThreadRunner>();
  private readonly inflightCommands = new Map<string, Promise<void>>();
  private readonly pausedRetries = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly handlers: CommandHandlers;
  private readonly now: () => number;
  private readonly newId: () => string;
  private clientCounter = 0;
  private threadsBroadcastTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backup: Backup;
  private readonly autoBackup: AutoBackup | undefined;
  private readonly storageMonitor: StorageMonitor;

  constructor(private readonly deps: RuntimeDeps) {
    this.hub = new ClientHub(deps.log);
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => crypto.randomUUID());
    this.storage = deps.storage ?? new StorageGuard(deps.db);
    this.backup = new Backup(deps.db, this.now);
    this.autoBackup = deps.snapshots
      ? new AutoBackup(
          this.backup,
          deps.snapshots,
          this.now,
          deps.snapshotEveryMs,
          // With the file host installed, a second copy on the computer, outside the browser profile.
          deps.files ? new HostBackups(deps.files.bridge) : undefined,
        )
      : undefined;
    this.storageMonitor = new StorageMonitor({
      db: deps.db,
      guard: this.storage,
      watch: deps.storageWatch,
      autoBackup: this.autoBackup,
      publish: (status) => this.hub.broadcast({ type: 'storage.status', status }, (c) => c.kind === 'panel'),
      lost: () => {
        this.runners.clear();
        this.hub.broadcast({ type: 'threads', threads: [] });
      },
    });
    this.handlers = commandHandlers(this.commandEnv());
    // The bridge's state, the folder list and the trash show live in every open panel (never on a phone).
    deps.files?.onChange((change) => this.hub.broadcast(change, (c) => c.kind === 'panel'));
    // A rule added here or an "Always allow" answered anywhere shows in every open Sites view.
    deps.sites?.onChange(() => void this.broadcastSites());
    // Devices, pairing and the link's state show in every open panel (never on a phone).
    deps.link?.onBroadcast((message) => this.hub.broadcast(message, (c) => c.kind === 'panel'));
  }

  /**
   * Connects a client; returns the function its transport calls with each raw incoming message.
   * A phone comes with the device the link authenticated: its actions are recorded under it.
   */
  attach(kind: ClientConnection['kind'], send: ClientConnection['send'], device?: PhoneDevice) {
    const id = `${kind}-${++this.clientCounter}-${this.newId().slice(0, 8)}`;
    const connection: ClientConnection = {
      id,
      kind,
      send,
      scope: commandScope(kind, id, device),
      actor: actorFor(kind, id, device),
    };
    this.hub.add(connection);
    send({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, clientId: connection.id, clientKind: kind });
    if (kind === 'panel') send({ type: 'storage.status', status: this.storageMonitor.current });
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
    if (runner) {
      this.runners.delete(threadId);
    } else {
      runner = new ThreadRunner(threadId, this.runnerDeps(threadId));
    }
    this.runners.set(threadId, runner);
    this.evictIdleRunners();
    return runner;
  }

  /** Thread states held in memory (bounded by MAX_LOADED_THREADS plus those busy right now). */
  get loadedThreads(): number {
    return this.runners.size;
  }

  /** Refreshes what panels are told about storage (space, failures, a lost database, the backup). */
  checkStorage(): Promise<StorageStatus> {
    return this.storageMonitor.check();
  }

  /**
   * After a (re)start: every thread whose log has work to do continues from its last durable step.
   * Decided from the log, not the summary's status: a message written just before the worker died
   * has an idle summary but a log that ends in a `user_message`. A log whose last event is
   * `task_finished` (or that is empty) has nothing to do; any other is handed to its planner.
   */
  async resume(): Promise<number> {
    await this.checkStorage();
    const threads = await this.storage.run(() => this.deps.db.threads.toArray());
    let resumed = 0;
    const unfinished: string[] = [];
    for (const thread of threads) {
      if (thread.lastSeq === 0 || thread.trashedAt !== undefined) continue;
      const last = await this.storage.run(() => this.deps.db.events.get([thread.id, thread.lastSeq]));
      if (!last || last.kind === 'task_finished') continue;
      unfinished.push(thread.id);
      if (await this.runner(thread.id).hasWork()) {
        this.runner(thread.id).kick();
        resumed++;
      }
    }
    // A task that ended while the worker was gone (between its last event and the clear) leaves no badge.
    await this.deps.indicator?.keepOnly(unfinished).catch(() => {});
    await this.storage
      .run(() =>
        this.deps.db.commands
          .where('at')
          .below(this.now() - COMMAND_MEMORY_MS)
          .delete(),
      )
      .catch(() => {});
    return resumed;
  }

  /** Threads with a running loop (for keep-alive decisions and tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.idle()));
  }

  private evictIdleRunners(): void {
    if (this.runners.size <= MAX_LOADED_THREADS) return;
    for (const [threadId, runner] of this.runners) {
      if (this.runners.size <= MAX_LOADED_THREADS) return;
      if (runner.isIdle() && !this.pausedRetries.has(threadId)) this.runners.delete(threadId);
    }
  }

  private commandEnv(): CommandEnv {
    return {
      db: this.deps.db,
      log: this.deps.log,
      settings: this.deps.settings,
      audit: this.deps.audit,
      hub: this.hub,
      files: this.deps.files,
      connectors: this.deps.connectors,
      sites: this.deps.sites,
      indicator: this.deps.indicator,
      link: this.deps.link,
      push: this.deps.push,
      schedules: this.deps.schedules,
      backup: this.backup,
      autoBackup: this.autoBackup,
      images: this.deps.images,
      afterRestore: async () => {
        this.deps.settings.forget();
        for (const [threadId, runner] of this.runners) if (runner.isIdle()) this.runners.delete(threadId);
        await this.broadcastThreads();
        this.hub.broadcast(
          { type: 'settings', settings: publicSettings(await this.deps.settings.get()) },
          (c) => c.kind === 'panel',
        );
        await this.checkStorage();
        await this.resume();
        // Restored schedules: overdue ones fire under their missed-run policy, the wake-up is set again.
        await this.deps.schedules?.service.start();
      },
      now: this.now,
      newId: this.newId,
      checkKey: () =>
        this.deps.checkKey ? this.deps.checkKey() : Promise.resolve({ ok: false, message: 'Not available.' }),
      runner: (threadId) => this.runner(threadId),
      resumeThread: (threadId) => this.resumeThread(threadId),
      dropRunner: async (threadId) => {
        const runner = this.runners.get(threadId);
        if (!runner) return;
        await runner.stop({ kind: 'runtime', clientId: 'runtime' });
        await runner.idle();
        this.runners.delete(threadId);
      },
      listThreads: (includeArchived) => this.listThreads(includeArchived),
      trashedThreads: async () =>
        (await this.deps.db.threads.toArray())
          .filter((t) => t.trashedAt !== undefined)
          .sort((a, b) => (b.trashedAt ?? 0) - (a.trashedAt ?? 0)),
      // The command is applied by then; a list that cannot be read now is sent with the next change.
      broadcastThreads: (opts) =>
        this.broadcastThreads(opts).catch((error: unknown) =>
          console.warn('Tandem: thread list broadcast failed', error),
        ),
    };
  }

  /** The settings a thread's turns use: its own model (thread.setModel) over the default, read per step. */
  private async threadSettings(threadId: string) {
    const settings = await this.deps.settings.get();
    const model = (await this.deps.db.threads.get(threadId))?.model;
    return model ? { ...settings, model } : settings;
  }

  private runnerDeps(threadId: string): RunnerDeps {
    return {
      log: this.deps.log,
      tools: this.deps.tools,
      gate: this.deps.gate,
      model: this.deps.model,
      ...(this.deps.images ? { images: this.deps.images } : {}),
      ...(this.deps.indicator ? { indicator: this.deps.indicator } : {}),
      settings: () => this.threadSettings(threadId),
      // A connector that fails to load is logged by assemble.ts; its tools are then simply absent.
      toolsReady: () => this.deps.connectors?.load().catch(() => {}) ?? Promise.resolve(),
      systemPrompt: this.deps.systemPrompt,
      now: this.now,
      newId: this.newId,
      storage: (operation) => this.storage.run(operation),
      publish: (events) => {
        this.hub.publish(events);
        this.deps.push?.notifier.observe(events);
        // A scheduled run that waits on the user says so (nobody may be watching).
        for (const event of events) {
          if (event.kind === 'decision_requested')
            void this.deps.schedules?.service.decisionRequested(event.threadId, event.title).catch(() => {});
        }
      },
      threadChanged: () => this.scheduleThreadsBroadcast(),
      activity: (threadId, status, retryAt) =>
        this.hub.broadcast({ type: 'thread.activity', threadId, status, retryAt }),
      paused: (threadId, failure) => this.taskPaused(threadId, failure),
      loopFailed: (threadId, message) => {
        // The panel must never show a task running forever: say it stopped, and why.
        this.hub.broadcast({ type: 'thread.activity', threadId, status: 'failed', message });
        // A thread that vanished under its loop may mean the browser deleted the database.
        void this.checkStorage().catch(() => {});
      },
      taskFinished: (threadId, outcome, task) => {
        // A task is what fills the disk: see how much is left; and keep the automatic backup fresh.
        void this.storageMonitor.snapshot().catch(() => {});
        // Clears a "retrying" countdown or a running state a client may still show.
        this.hub.broadcast({ type: 'thread.activity', threadId, status: outcome === 'failed' ? 'failed' : 'idle' });
        if (task.run) {
          // A scheduled run: its schedule records the outcome and notifies it in one line.
          void this.deps.schedules?.service
            .runFinished(threadId, outcome, task.run, task.costUsd)
            .catch((error: unknown) => console.warn('Tandem: schedule run record failed', error));
          return;
        }
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

  /**
   * A write failed mid-task even after a reopen: the task waits (its log is intact up to the last
   * durable step), every client is told why, and it tries again on its own after a while or at once
   * on `task.resume` (the panel's Retry).
   */
  private taskPaused(threadId: string, failure: StorageFailure): void {
    this.hub.broadcast({ type: 'thread.activity', threadId, status: 'paused', message: failure.message });
    clearTimeout(this.pausedRetries.get(threadId));
    this.pausedRetries.set(
      threadId,
      setTimeout(() => this.resumeThread(threadId), this.deps.pausedRetryMs ?? PAUSED_RETRY_MS),
    );
  }

  private resumeThread(threadId: string): void {
    const timer = this.pausedRetries.get(threadId);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.pausedRetries.delete(threadId);
      // Clears the "Paused" line clients show; the log's events say the rest.
      this.hub.broadcast({ type: 'thread.activity', threadId, status: 'running' });
    }
    this.runner(threadId).resume();
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
    // A backup restore is the one big command, and only the extension's own pages may send it.
    const limit = commandSizeLimit(client.kind, commandTypeOf(raw));
    if (size > limit) return fail('too_large', `Commands are limited to ${limit} bytes.`);
    const parsed = ClientCommand.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        'invalid_command',
        `Invalid command: ${issue ? `${issue.path.join('.') || 'command'}: ${issue.message}` : 'unknown shape'}`,
      );
    }
    const command = parsed.data;
    if (COMMAND_RULES[command.type].trustedOnly && client.kind !== 'panel') {
      return fail('not_allowed', 'This command is only available in the extension itself.');
    }
    // A repeat that arrives while the first copy is still being applied waits for it.
    const inflightKey = scopedCommandKey(client.scope, command.id);
    const running = this.inflightCommands.get(inflightKey);
    if (running) await running;
    const work = this.execute(client, command);
    this.inflightCommands.set(inflightKey, work);
    try {
      await work;
    } finally {
      this.inflightCommands.delete(inflightKey);
    }
  }

  /** Answers exactly once, ack or error, whatever happens (storage failures included). */
  private async execute(client: ClientConnection, command: ClientCommand): Promise<void> {
    const mutating = COMMAND_RULES[command.type].mutating;
    const key = mutating ? scopedCommandKey(client.scope, command.id) : undefined;
    let recorded = false;
    const db = this.deps.db;
    const recordOk = (threadId: string | undefined) =>
      db.commands.put({ id: key as string, at: this.now(), ok: true, ...(threadId ? { threadId } : {}) });
    const call: CommandCall = {
      client,
      actor: client.actor,
      key,
      atomic: async (work, threadIdOf) => {
        if (!key) return work();
        const result = await this.storage.run(() =>
          db.transaction('rw', db.tables, async () => {
            const previous = await db.commands.get(key);
            if (previous) throw new AlreadyApplied(previous);
            const value = await work();
            await recordOk(threadIdOf?.(value) ?? threadIdOfCommand(command));
            return value;
          }),
        );
        recorded = true;
        return result;
      },
      markRecorded: () => {
        recorded = true;
      },
    };
    try {
      if (key) {
        const previous = await this.storage.run(() => db.commands.get(key));
        if (previous) return this.replay(client, previous);
      }
      const handler = this.handlers[command.type] as (
        command: ClientCommand,
        call: CommandCall,
      ) => Promise<string | undefined>;
      const threadId = await handler(command, call);
      if (key && !recorded) await this.storage.run(() => recordOk(threadId));
      client.send({ type: 'ack', commandId: command.id, ...(threadId ? { threadId } : {}) });
    } catch (error) {
      if (error instanceof AlreadyApplied) return this.replay(client, error.previous);
      const failure = toCommandFailure(error);
      if (failure.code === 'internal') console.error('Tandem: command failed', command.type, error);
      // A refusal is remembered so a re-send gets the same answer; a failure of the runtime or of
      // storage is not (the re-send may well succeed).
      if (key && failure.code !== 'internal' && failure.code !== 'storage') {
        await this.storage
          .run(() =>
            db.commands.put({ id: key, at: this.now(), ok: false, code: failure.code, message: failure.message }),
          )
          .catch(() => {});
      }
      client.send({ type: 'error', commandId: command.id, code: failure.code, message: failure.message });
    }
  }

  private replay(client: ClientConnection, previous: AppliedCommand): void {
    const commandId = previous.id.slice(previous.id.indexOf('\u0000') + 1);
    if (previous.ok) {
      client.send({ type: 'ack', commandId, ...(previous.threadId ? { threadId: previous.threadId } : {}) });
    } else {
      client.send({
        type: 'error',
        commandId,
        code: (previous.code as ErrorCode | undefined) ?? 'internal',
        message: previous.message ?? 'failed',
      });
    }
  }

  private async broadcastSites(): Promise<void> {
    if (!this.deps.sites) return;
    const sites = await this.deps.sites.list(this.now());
    this.hub.broadcast({ type: 'sites', sites }, (c) => c.kind === 'panel');
  }

  private async listThreads(includeArchived: boolean, all?: ThreadSummary[]): Promise<ThreadSummary[]> {
    const threads = all ?? (await this.allThreads());
    return threads.filter((t) => t.trashedAt === undefined && (includeArchived || !t.archived));
  }

  private allThreads(): Promise<ThreadSummary[]> {
    return this.storage.run(() => this.deps.db.threads.orderBy('updatedAt').reverse().toArray());
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

  private async broadcastThreads(opts: { emptiedByUser?: boolean } = {}): Promise<void> {
    const all = await this.allThreads();
    this.hub.broadcast({ type: 'threads', threads: await this.listThreads(true, all) });
    await this.storageMonitor.noteThreads(all, opts.emptiedByUser ?? false);
  }
}

function threadIdOfCommand(command: ClientCommand): string | undefined {
  return 'threadId' in command && typeof command.threadId === 'string' ? command.threadId : undefined;
}

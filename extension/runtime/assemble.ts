/**
 * The composition root: builds the runtime from its parts. The background
 * entrypoint calls it with browser-backed pieces; unit tests and benchmarks call
 * it in Node with an in-memory IndexedDB, so they exercise the same wiring.
 */
import { AuditLog } from '../storage/audit-log';
import { TandemDatabase } from '../storage/db';
import { EventLog } from '../storage/event-log';
import { DexieGrantStore } from '../storage/grant-store';
import { SettingsStore } from '../storage/settings-store';
import { clockTools } from '../tools/clock';
import { notifyTools, type ShowNotification } from '../tools/notify';
import { ToolRegistry } from '../tools/registry';
import { checkApiKey } from './check-key';
import { GrantPolicy } from './grant-policy';
import { AnthropicModelClient, type ModelClient } from './model-client';
import { PermissionGate } from './permission-gate';
import { Runtime, type RuntimeDeps } from './runtime';
import { systemPrompt } from './system-prompt';

export interface AssembleOptions {
  databaseName?: string;
  model?: ModelClient;
  showNotification?: ShowNotification;
  keepAlive?: RuntimeDeps['keepAlive'];
  taskFinished?: RuntimeDeps['taskFinished'];
  now?: () => number;
}

export function assembleRuntime(options: AssembleOptions = {}) {
  const db = new TandemDatabase(options.databaseName);
  const now = options.now ?? Date.now;
  const log = new EventLog(db, now);
  const settings = new SettingsStore(db);
  const audit = new AuditLog(db);
  const grants = new DexieGrantStore(db);
  const show = options.showNotification ?? (async () => {});
  const tools = new ToolRegistry().register(...clockTools()).register(...notifyTools(show));
  const gate = new PermissionGate([new GrantPolicy('notifications', grants)]);
  const model = options.model ?? new AnthropicModelClient();
  const runtime = new Runtime({
    db,
    log,
    settings,
    audit,
    tools,
    gate,
    model,
    systemPrompt,
    now,
    ...(options.keepAlive ? { keepAlive: options.keepAlive } : {}),
    ...(options.taskFinished ? { taskFinished: options.taskFinished } : {}),
    checkKey: async () => checkApiKey(await settings.get()),
  });
  return { runtime, db, log, settings, audit, tools, gate, grants, model };
}

export type AssembledRuntime = ReturnType<typeof assembleRuntime>;

/**
 * The composition root: builds the runtime from its parts. The background
 * entrypoint calls it with browser-backed pieces; unit tests and benchmarks call
 * it in Node with an in-memory IndexedDB, so they exercise the same wiring.
 */
import { ConnectorService } from '../connectors/connector-service';
import type { HttpTransportOptions } from '../connectors/http-transport';
import type { Authorize } from '../connectors/oauth-provider';
import { DexieOAuthStore } from '../connectors/oauth-store';
import { FileBridge } from '../files/bridge-client';
import { FileAccess } from '../files/file-access';
import { FILE_DELETE_POLICY, FolderWritePolicy } from '../files/folder-policy';
import type { NativeConnector } from '../files/native-port';
import { type LinkHostControl, LinkService } from '../link/link-service';
import { LinkStore } from '../link/link-store';
import { ConnectorPolicy } from '../permissions/connector-policy';
import { GrantPolicy } from '../permissions/grant-policy';
import { DexieGrantStore } from '../permissions/grant-store';
import { PermissionGate } from '../permissions/permission-gate';
import { PlanApprovals } from '../permissions/plan-approval';
import { SecretVault } from '../permissions/secret-vault';
import { PushService } from '../push/push-service';
import { ScheduleService } from '../schedule/schedule-service';
import { ShortcutStore } from '../schedule/shortcut-store';
import { type AlarmPort, WakeTimer } from '../schedule/wake-timer';
import { AuditLog } from '../storage/audit-log';
import type { SnapshotStore } from '../storage/auto-backup';
import { TandemDatabase } from '../storage/db';
import { EventLog } from '../storage/event-log';
import { SettingsStore } from '../storage/settings-store';
import { type MarkerStore, type StorageEstimator, StorageWatch } from '../storage/storage-watch';
import { clockTools } from '../tools/clock';
import { fileTools } from '../tools/files';
import { notifyTools, type ShowNotification } from '../tools/notify';
import { pageActionTools } from '../tools/page-actions';
import { dialogTools } from '../tools/page-dialogs';
import { uploadTools } from '../tools/page-upload';
import { waitTools } from '../tools/page-waits';
import { passwordTools } from '../tools/password';
import { planTools } from '../tools/plan';
import { ToolRegistry } from '../tools/registry';
import { SCHEDULE_CREATE_POLICY, scheduleTools } from '../tools/schedule';
import { tabTools } from '../tools/tabs';
import { webTools } from '../tools/web';
import type { WebPlatform } from '../web/platform';
import { SitePolicy } from '../web/site-policy';
import { checkApiKey } from './check-key';
import { CanvasImageResizer } from './images/canvas-resizer';
import type { ImageResizer } from './images/image-fit';
import { AnthropicModelClient, type ModelClient } from './model-client';
import { Runtime, type RuntimeDeps } from './runtime';
import { systemPrompt } from './system-prompt';

export interface AssembleOptions {
  databaseName?: string;
  model?: ModelClient;
  showNotification?: ShowNotification;
  keepAlive?: RuntimeDeps['keepAlive'];
  taskFinished?: RuntimeDeps['taskFinished'];
  now?: () => number;
  /** Where the phone link's host runs (offscreen document, Firefox background page); without it no phone link. */
  linkHost?: LinkHostControl;
  /** The extension's version (the manifest's), written into audit log exports. */
  extensionVersion?: string;
  /** Native messaging (the local file bridge); without it no file tools are registered. */
  nativeMessaging?: NativeConnector;
  /** The browser side of web access (fetch, extraction, agent tabs); without it no web tools are registered. */
  web?: (parts: { sites: SitePolicy; now: () => number }) => WebPlatform;
  /** Scales tool images for the model; default: OffscreenCanvas where the platform has it. */
  images?: ImageResizer;
  /** How push messages are posted (tests: a fetch that records); default the global fetch. */
  pushFetch?: typeof fetch;
  /** The per-thread coalescing window for push notices (tests shorten it). */
  pushWindowMs?: number;
  /** The durable wake-up for schedules (browser `alarms`); without it only an in-process timer. */
  scheduleAlarm?: AlarmPort;
  /** Where a scheduled run's outcome goes, in one line (default: showNotification). */
  notifyScheduleResult?: ShowNotification;
  /** Storage space and persistence (`navigator.storage`) and the durable marker outside IndexedDB. */
  /** Remote connectors' fetch and OAuth; local ones need `nativeMessaging`. */
  connectors?: HttpTransportOptions & { callTimeoutMs?: number; authorize?: Authorize; redirectUrl?: string };
  storage?: {
    estimator?: StorageEstimator;
    marker?: MarkerStore;
    markerEveryMs?: number;
    /** The automatic backup outside IndexedDB, and how often it may be taken. */
    snapshots?: SnapshotStore;
    snapshotEveryMs?: number;
  };
}

export function assembleRuntime(options: AssembleOptions = {}) {
  const db = new TandemDatabase(options.databaseName);
  const now = options.now ?? Date.now;
  const log = new EventLog(db, now);
  const settings = new SettingsStore(db);
  const audit = new AuditLog(db, options.extensionVersion ?? 'unknown', now);
  const grants = new DexieGrantStore(db);
  const show = options.showNotification ?? (async () => {});
  const tools = new ToolRegistry().register(...clockTools()).register(...notifyTools(show));
  const sites = new SitePolicy(grants);
  const web = options.web?.({ sites, now });
  const secrets = new SecretVault(now);
  if (web)
    tools
      .register(...webTools(web))
      .register(...tabTools(web))
      .register(...pageActionTools(web))
      .register(...planTools(web))
      .register(...passwordTools(web, secrets))
      .register(...waitTools(web))
      .register(...dialogTools(web));
  // Local files through the native host: its tools, the per-folder write question, the delete confirmation.
  const folderWrites = new FolderWritePolicy(grants);
  const files = options.nativeMessaging
    ? new FileAccess(new FileBridge({ connector: options.nativeMessaging, now }), folderWrites)
    : undefined;
  if (files) tools.register(...fileTools(files));
  // Uploading needs both: a page to put files into and the bridge to read them through.
  if (files && web) tools.register(...uploadTools(web, files));
  const fileDeletes = new GrantPolicy(FILE_DELETE_POLICY, grants, ['allow_once', 'deny']);
  const plans = new PlanApprovals(grants);
  // MCP connectors: their tools join the registry as a group each; one policy decides their calls.
  const connectorPolicy = new ConnectorPolicy(grants);
  // Set once the runtime exists: a change found outside a command (a sign-in a tool call needed) reaches Settings.
  let connectorsChanged = (): void => {};
  const connectors = new ConnectorService({
    db,
    tools,
    policy: connectorPolicy,
    bridge: files?.bridge,
    changed: () => connectorsChanged(),
    ...(options.connectors ? { http: options.connectors } : {}),
    ...(options.connectors?.authorize && options.connectors.redirectUrl
      ? {
          oauth: {
            authorize: options.connectors.authorize,
            redirectUrl: options.connectors.redirectUrl,
            store: new DexieOAuthStore(db),
          },
        }
      : {}),
    ...(options.connectors?.callTimeoutMs ? { session: { callTimeoutMs: options.connectors.callTimeoutMs } } : {}),
  });
  void connectors.load().catch((error: unknown) => console.error('tandem: loading connectors failed', error));
  // A schedule the model proposes is confirmed each time (allow once / deny, never remembered).
  const scheduleCreates = new GrantPolicy(SCHEDULE_CREATE_POLICY, grants, ['allow_once', 'deny']);
  const gate = new PermissionGate(
    [
      new GrantPolicy('notifications', grants),
      sites,
      folderWrites,
      fileDeletes,
      scheduleCreates,
      connectorPolicy,
      plans,
    ],
    plans,
    secrets,
  );
  const model = options.model ?? new AnthropicModelClient();
  const images = options.images ?? (CanvasImageResizer.available() ? new CanvasImageResizer() : undefined);
  const storageWatch = options.storage
    ? new StorageWatch({
        estimator: options.storage.estimator,
        marker: options.storage.marker,
        schemaVersion: db.verno,
        now,
        ...(options.storage.markerEveryMs === undefined ? {} : { markerEveryMs: options.storage.markerEveryMs }),
      })
    : undefined;
  const linkStore = new LinkStore(db, now);
  const link = options.linkHost ? new LinkService(linkStore, options.linkHost, now) : undefined;
  const push = new PushService({
    db,
    now,
    ...(options.pushFetch ? { fetch: options.pushFetch } : {}),
    ...(options.pushWindowMs === undefined ? {} : { windowMs: options.pushWindowMs }),
    activeDevices: async () => (await linkStore.activeDevices()).map((device) => device.id),
    threadTitle: async (threadId) => (await db.threads.get(threadId))?.title,
    lookingAt: (threadId) => runtime.hub.isSubscribed(threadId),
    desktop: (title, message) => show(title, message),
  });
  linkStore.onDeviceRevoked((deviceId) => push.deviceRevoked(deviceId));
  // Schedules: each run is a message in its thread, appended once per run id through the thread's runner.
  let runtimeRef: Runtime | undefined;
  let schedulesTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleService: ScheduleService = new ScheduleService({
    db,
    now,
    newId: () => crypto.randomUUID(),
    wake: new WakeTimer(
      options.scheduleAlarm,
      () =>
        void scheduleService.fireDue().catch((error: unknown) => console.warn('Tandem: schedule fire failed', error)),
      now,
    ),
    runs: {
      async start(threadId, key, body) {
        if (!runtimeRef) throw new Error('The runtime is not ready.');
        const runner = runtimeRef.runner(threadId);
        const events = await runner.appendForCommand(key, [body]);
        runner.resume();
        return events !== null;
      },
    },
    // The desktop in one line, and the paired phones through push (which would otherwise show a second desktop one).
    notify: async (title, message) => {
      await (options.notifyScheduleResult ?? show)(title, message);
      await push.notifyUser({ kind: 'notice', title, body: message }, { desktop: false });
    },
    // Coalesced, and outside any transaction the change was made in.
    changed: () => {
      if (schedulesTimer) return;
      schedulesTimer = setTimeout(() => {
        schedulesTimer = undefined;
        void scheduleService
          .list()
          .then((schedules) => runtimeRef?.hub.broadcast({ type: 'schedules', schedules }))
          .catch(() => {});
      }, 50);
    },
  });
  const schedules = { service: scheduleService, shortcuts: new ShortcutStore(db) };
  tools.register(...scheduleTools(scheduleService, now));
  const runtime: Runtime = new Runtime({
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
    ...(link ? { link } : {}),
    push,
    sites,
    schedules,
    ...(files ? { files } : {}),
    connectors,
    ...(images ? { images } : {}),
    ...(web?.indicator ? { indicator: web.indicator } : {}),
    ...(storageWatch ? { storageWatch } : {}),
    ...(options.storage?.snapshots ? { snapshots: options.storage.snapshots } : {}),
    ...(options.storage?.snapshotEveryMs === undefined ? {} : { snapshotEveryMs: options.storage.snapshotEveryMs }),
  });
  runtimeRef = runtime;
  connectorsChanged = () =>
    void connectors
      .views()
      .then((views) => runtime.hub.broadcast({ type: 'connectors', connectors: views }, (c) => c.kind === 'panel'))
      .catch(() => {});
  if (link) {
    options.linkHost?.bind?.(link);
    link.bindRuntime((send, device) => runtime.attach('phone', send, device));
  }
  return {
    runtime,
    db,
    log,
    link,
    push,
    settings,
    audit,
    tools,
    gate,
    grants,
    model,
    sites,
    web,
    files,
    schedules,
    connectors,
  };
}

export type AssembledRuntime = ReturnType<typeof assembleRuntime>;

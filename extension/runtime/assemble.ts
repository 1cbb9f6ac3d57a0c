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
import { ToolRegistry } from '../tools/registry';
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
  /** Native messaging (the local file bridge); without it no file tools are registered. */
  nativeMessaging?: NativeConnector;
  /** The browser side of web access (fetch, extraction, agent tabs); without it no web tools are registered. */
  web?: (parts: { sites: SitePolicy; now: () => number }) => WebPlatform;
  /** Scales tool images for the model; default: OffscreenCanvas where the platform has it. */
  images?: ImageResizer;
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
  const audit = new AuditLog(db);
  const grants = new DexieGrantStore(db);
  const show = options.showNotification ?? (async () => {});
  const tools = new ToolRegistry().register(...clockTools()).register(...notifyTools(show));
  const sites = new SitePolicy(grants);
  const web = options.web?.({ sites, now });
  if (web)
    tools
      .register(...webTools(web))
      .register(...tabTools(web))
      .register(...pageActionTools(web));
  // Local files through the native host: its tools, the per-folder write question, the delete confirmation.
  const folderWrites = new FolderWritePolicy(grants);
  const files = options.nativeMessaging
    ? new FileAccess(new FileBridge({ connector: options.nativeMessaging, now }), folderWrites)
    : undefined;
  if (files) tools.register(...fileTools(files));
  const fileDeletes = new GrantPolicy(FILE_DELETE_POLICY, grants, ['allow_once', 'deny']);
  // MCP connectors: their tools join the registry as a group each; one policy decides their calls.
  const connectorPolicy = new ConnectorPolicy(grants);
  const connectors = new ConnectorService({
    db,
    tools,
    policy: connectorPolicy,
    bridge: files?.bridge,
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
  const gate = new PermissionGate([
    new GrantPolicy('notifications', grants),
    sites,
    folderWrites,
    fileDeletes,
    connectorPolicy,
  ]);
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
  const link = options.linkHost ? new LinkService(new LinkStore(db, now), options.linkHost, now) : undefined;
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
    ...(link ? { link } : {}),
    sites,
    ...(files ? { files } : {}),
    connectors,
    ...(images ? { images } : {}),
    ...(storageWatch ? { storageWatch } : {}),
    ...(options.storage?.snapshots ? { snapshots: options.storage.snapshots } : {}),
    ...(options.storage?.snapshotEveryMs === undefined ? {} : { snapshotEveryMs: options.storage.snapshotEveryMs }),
  });
  if (link) {
    options.linkHost?.bind?.(link);
    link.bindRuntime((send, device) => runtime.attach('phone', send, device));
  }
  return { runtime, db, log, link, settings, audit, tools, gate, grants, model, sites, web, files, connectors };
}

export type AssembledRuntime = ReturnType<typeof assembleRuntime>;

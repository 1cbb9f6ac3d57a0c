/**
 * The user's connectors: their configs and last known tool lists (in the
 * key-value table, so the model sees a connector's tools without starting its
 * server), one session each, and their tools in the registry. Only trusted
 * commands reach the changing methods (see COMMAND_RULES); every tool call still
 * goes through the gate.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type Tool, ToolSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ConnectorView } from '../../shared/protocol/connectors';
import type { FileBridge } from '../files/bridge-client';
import { type ConnectorPolicy, isDestructive, isReadOnly } from '../permissions/connector-policy';
import type { TandemDatabase } from '../storage/db';
import type { ToolRegistry } from '../tools/registry';
import { HostStdioTransport } from './bridge-transport';
import { ConnectorConfig, importMcpServers } from './connector-config';
import { ConnectorError, ConnectorSession, type SessionOptions } from './connector-session';
import { connectorTools } from './connector-tools';
import { type HttpTransportOptions, httpTransport } from './http-transport';
import { type Authorize, ConnectorOAuthProvider, type OAuthState, type OAuthStore } from './oauth-provider';
import { revokeAtServer } from './oauth-revoke';
import { modelToolName } from './tool-names';

const CONFIGS_KEY = 'connectors:configs';
const toolsKey = (id: string) => `connectors:tools:${id}`;
const resourcesKey = (id: string) => `connectors:resources:${id}`;
const Configs = z.array(ConnectorConfig);
const Tools = z.array(ToolSchema);

export interface ConnectorServiceDeps {
  db: TandemDatabase;
  tools: ToolRegistry;
  policy: ConnectorPolicy;
  /** The native host, for local servers; without it a local connector cannot start. */
  bridge: FileBridge | undefined;
  http?: HttpTransportOptions;
  /** Sign-in for remote connectors without a static token (the browser's consent window). */
  oauth?: { authorize: Authorize; redirectUrl: string; store: OAuthStore };
  session?: SessionOptions;
  /** Tells the panels when something they show changed. */
  changed?: () => void;
}

interface Live {
  config: ConnectorConfig;
  session: ConnectorSession;
  /** The OAuth sign-in of a remote connector without a static token. */
  oauth: ConnectorOAuthProvider | undefined;
  tools: Tool[];
  /** The server offers resources: the model gets a tool to read them. */
  resources: boolean;
  lastError: string | null;
}

export class ConnectorService {
  private readonly live = new Map<string, Live>();
  private loaded: Promise<void> | undefined;

  constructor(private readonly deps: ConnectorServiceDeps) {}

  /** Loads the stored connectors and registers their known tools; safe to call again. */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      const row = await this.deps.db.kv.get(CONFIGS_KEY);
      // A corrupted list is dropped rather than half trusted: the user adds connectors again.
      const configs = Configs.safeParse(row?.value ?? []).data ?? [];
      for (const config of configs) {
        const cached = Tools.safeParse((await this.deps.db.kv.get(toolsKey(config.id)))?.value ?? []).data ?? [];
        const resources = (await this.deps.db.kv.get(resourcesKey(config.id)))?.value === true;
        this.open(config, cached as Tool[], resources);
      }
    })();
    return this.loaded;
  }

  async views(): Promise<ConnectorView[]> {
    await this.load();
    return [...this.live.values()].map(({ config, session, tools, lastError }) => ({
      id: config.id,
      name: config.name,
      kind: config.spec.kind,
      enabled: config.enabled,
      target: config.spec.kind === 'stdio' ? [config.spec.command, ...config.spec.args].join(' ') : config.spec.url,
      envKeys: config.spec.kind === 'stdio' ? Object.keys(config.spec.env) : [],
      hasToken: config.spec.kind === 'http' && config.spec.bearerToken !== undefined,
      connected: session.connected,
      lastError,
      tools: tools.map((tool) => {
        const hints = tool.annotations ?? {};
        return {
          name: tool.name,
          modelName: modelToolName(config.id, tool.name),
          description: (tool.description ?? '').slice(0, 500),
          enabled: !config.disabledTools.includes(tool.name),
          readOnly: isReadOnly(hints),
          destructive: isDestructive(hints),
        };
      }),
    }));
  }

  /** Adds every server of a pasted block; returns their ids. Nothing starts until it is tested or used. */
  async add(json: string): Promise<string[]> {
    await this.load();
    const configs = importMcpServers(json, new Set(this.live.keys()));
    for (const config of configs) this.open(config, []);
    await this.saveConfigs();
    this.deps.changed?.();
    return configs.map((c) => c.id);
  }

  async remove(id: string): Promise<void> {
    const live = this.get(await this.loadThen(id));
    this.live.delete(id);
    this.deps.tools.replaceGroup(`connector:${id}`, []);
    await live.session.close().catch(() => undefined);
    await this.deps.policy.forget(id);
    await live.oauth?.signOut(this.revoker(live.config));
    await this.deps.db.kv.delete(toolsKey(id));
    await this.deps.db.kv.delete(resourcesKey(id));
    await this.saveConfigs();
    this.deps.changed?.();
  }

  /** Connects and lists the tools: what "Test connection" does, and how a new connector learns its tools. */
  async test(id: string): Promise<{ ok: boolean; message: string }> {
    const live = this.get(await this.loadThen(id));
    // The user is here, in Settings: a consent window may open.
    if (live.oauth) live.oauth.interactive = true;
    try {
      const tools = await live.session.listTools();
      live.resources = await live.session.hasResources();
      await this.deps.db.kv.put({ key: resourcesKey(id), value: live.resources });
      await this.toolsChanged(live, tools);
      live.lastError = null;
      return { ok: true, message: `Connected: ${tools.length} tools.` };
    } catch (error) {
      live.lastError = error instanceof Error ? error.message : String(error);
      return { ok: false, message: live.lastError };
    } finally {
      if (live.oauth) live.oauth.interactive = false;
      this.deps.changed?.();
    }
  }

  async setTool(id: string, tool: string, enabled: boolean): Promise<void> {
    const live = this.get(await this.loadThen(id));
    const disabled = new Set(live.config.disabledTools);
    if (enabled) disabled.delete(tool);
    else disabled.add(tool);
    live.config = { ...live.config, disabledTools: [...disabled] };
    this.register(live);
    await this.saveConfigs();
    this.deps.changed?.();
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    const live = this.get(await this.loadThen(id));
    live.config = { ...live.config, enabled };
    if (!enabled) await live.session.close().catch(() => undefined);
    this.register(live);
    await this.saveConfigs();
    this.deps.changed?.();
  }

  /** The server's stderr (local servers), as the host keeps it. */
  async log(id: string): Promise<string> {
    const live = this.get(await this.loadThen(id));
    if (live.config.spec.kind !== 'stdio') return live.lastError ?? '';
    if (!this.deps.bridge) throw new ConnectorError('The file host is not installed, so local connectors cannot run.');
    return (await this.deps.bridge.call('mcp.log', { connectorId: id })).text;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((live) => live.session.close().catch(() => undefined)));
  }

  private async loadThen(id: string): Promise<string> {
    await this.load();
    return id;
  }

  private get(id: string): Live {
    const live = this.live.get(id);
    if (!live) throw new ConnectorError(`There is no connector "${id}".`);
    return live;
  }

  /** Remote connectors without a static token sign in with OAuth (the SDK asks only if the server wants it). */
  private oauthFor(config: ConnectorConfig): ConnectorOAuthProvider | undefined {
    const oauth = this.deps.oauth;
    if (!oauth || config.spec.kind !== 'http' || config.spec.bearerToken) return undefined;
    return new ConnectorOAuthProvider(config.id, oauth.store, oauth.authorize, oauth.redirectUrl);
  }

  /** Forgets a connector's tokens; the next use asks the user to sign in again. */
  async signOut(id: string): Promise<void> {
    const live = this.get(await this.loadThen(id));
    await live.session.close().catch(() => undefined);
    await live.oauth?.signOut(this.revoker(live.config));
    this.deps.changed?.();
  }

  private revoker(config: ConnectorConfig): ((state: OAuthState) => Promise<void>) | undefined {
    if (config.spec.kind !== 'http') return undefined;
    const url = config.spec.url;
    return (state) => revokeAtServer(url, state, this.deps.http?.fetch);
  }

  /**
   * "Sign in": a fresh connection with a consent window allowed, so a sign-in the server no longer
   * accepts is replaced (a live connection would keep using its cached tool list and never ask).
   */
  async signIn(id: string): Promise<{ ok: boolean; message: string }> {
    const live = this.get(await this.loadThen(id));
    await live.session.close().catch(() => undefined);
    return this.test(id);
  }

  private open(config: ConnectorConfig, tools: Tool[], resources = false): void {
    const provider = this.oauthFor(config);
    const session = new ConnectorSession(config.id, () => this.transport(config, provider), {
      ...this.deps.session,
      ...(provider
        ? {
            finishAuth: async (transport) => {
              const code = provider.pendingCode;
              if (!code) return false;
              provider.pendingCode = undefined;
              await (transport as unknown as { finishAuth(code: string): Promise<void> }).finishAuth(code);
              return true;
            },
          }
        : {}),
    });
    const live: Live = { config, session, oauth: provider, tools, resources, lastError: null };
    if (provider)
      provider.onSignInRequired = (message) => {
        live.lastError = message;
        this.deps.changed?.();
      };
    session.onToolsChanged((fresh) => void this.toolsChanged(live, fresh));
    this.live.set(config.id, live);
    this.register(live);
  }

  private transport(config: ConnectorConfig, authProvider?: ConnectorOAuthProvider): Transport {
    if (config.spec.kind === 'http')
      return httpTransport(config.spec, { ...this.deps.http, ...(authProvider ? { authProvider } : {}) });
    if (!this.deps.bridge)
      throw new ConnectorError(
        'The file host is not installed, so local connectors cannot run (see Settings → Folders).',
      );
    return new HostStdioTransport(this.deps.bridge, config.id, config.spec);
  }

  private async toolsChanged(live: Live, tools: Tool[]): Promise<void> {
    live.tools = tools;
    this.register(live);
    await this.deps.db.kv.put({ key: toolsKey(live.config.id), value: tools });
    this.deps.changed?.();
  }

  private register(live: Live): void {
    const tools = live.config.enabled
      ? connectorTools(live.config, live.session, live.tools, { resources: live.resources })
      : [];
    this.deps.tools.replaceGroup(`connector:${live.config.id}`, tools);
  }

  private async saveConfigs(): Promise<void> {
    await this.deps.db.kv.put({ key: CONFIGS_KEY, value: Configs.parse([...this.live.values()].map((l) => l.config)) });
  }
}

/** What every operation gets: where things are, who called, and the stores. */
import type { AllowedRoot } from '../../shared/protocol/native-host';
import type { Caller } from './caller';
import type { ConfigStore } from './config-store';
import type { AccessPolicy } from './confine';
import type { HostDirs } from './host-dirs';
import type { McpServers } from './mcp/mcp-servers';
import type { PendingTemps } from './pending-temps';
import { buildPolicy, type PolicyReport } from './policy';
import type { TransferRegistry } from './transfers';
import type { TrashStore } from './trash-store';

export interface HostContext {
  hostVersion: string;
  caller: Caller;
  dirs: HostDirs;
  config: ConfigStore;
  trash: TrashStore;
  transfers: TransferRegistry;
  pending: PendingTemps;
  /** Local MCP servers ([connect]), stopped when the session ends. */
  mcp: McpServers;
  /** How long one search may run before it answers with what it found (stoppedBecause: time_limit). */
  searchBudgetMs: number;
}

export interface CurrentPolicy extends PolicyReport {
  roots: AllowedRoot[];
  configError: string | null;
}

/**
 * Read per request: the allowed folders can change under a running host (the
 * `tandem-host folders` command, a second browser), and a removed folder must
 * stop being reachable at once.
 */
export async function currentPolicy(ctx: HostContext): Promise<CurrentPolicy> {
  const loaded = await ctx.config.load();
  const report = await buildPolicy(loaded.config.roots, ctx.dirs);
  return { ...report, roots: loaded.config.roots, configError: loaded.error };
}

export async function policyOf(ctx: HostContext): Promise<AccessPolicy> {
  return (await currentPolicy(ctx)).policy;
}

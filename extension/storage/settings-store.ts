/**
 * The user's settings, validated on every read: a corrupted or outdated stored
 * document falls back field by field to defaults instead of breaking the runtime.
 */
import { z } from 'zod';
import type { PublicSettings, SettingsPatch } from '../../shared/protocol';
import type { TandemDatabase } from './db';

export const DEFAULT_MODEL = 'claude-sonnet-5-5';

export const Settings = z.object({
  apiKey: z.string().catch(''),
  model: z.string().min(1).catch(DEFAULT_MODEL),
  baseUrl: z.url().catch('https://api.anthropic.com'),
  maxTokens: z.number().int().min(1).max(128_000).catch(4096),
  spendingCapEnabled: z.boolean().catch(true),
  spendingCapUsd: z.number().positive().catch(1),
  notifyOnFinish: z.boolean().catch(true),
  /** Share of the model's context window a request may fill before older context is elided or summarised. */
  contextBudgetShare: z.number().min(0.05).max(0.8).catch(0.5),
  /** Images kept in a request (newest first); older ones become text stubs. */
  maxRecentImages: z.number().int().min(0).max(20).catch(6),
  /** A stream that sends nothing (not even a ping) for this long is cut and retried. */
  streamIdleTimeoutMs: z.number().int().min(100).max(600_000).catch(90_000),
  /** How long an unreachable API is retried before the task pauses with a retry/stop decision. */
  unreachableGiveUpMs: z.number().int().min(0).max(86_400_000).catch(300_000),
});
export type Settings = z.infer<typeof Settings>;

const KEY = 'settings';

export function publicSettings(settings: Settings): PublicSettings {
  const { apiKey, ...rest } = settings;
  return { ...rest, apiKeySet: apiKey.length > 0, apiKeyHint: apiKey.length > 8 ? `…${apiKey.slice(-4)}` : '' };
}

export class SettingsStore {
  private cached: Settings | undefined;

  constructor(private readonly db: TandemDatabase) {}

  async get(): Promise<Settings> {
    if (this.cached) return this.cached;
    const row = await this.db.kv.get(KEY);
    const stored = row?.value && typeof row.value === 'object' ? row.value : {};
    this.cached = Settings.parse(stored);
    return this.cached;
  }

  /** Drops the cached copy (after a backup restored the stored document). */
  forget(): void {
    this.cached = undefined;
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const next = Settings.parse({ ...(await this.get()), ...patch });
    await this.db.kv.put({ key: KEY, value: next });
    this.cached = next;
    return next;
  }
}

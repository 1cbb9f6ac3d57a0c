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

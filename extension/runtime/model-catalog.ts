/**
 * The models the user's key can use, for the per-thread model picker: listed by the Models API
 * (`GET /v1/models`, free, paged; the SDK's `models.list()` walks the pages), kept for an hour
 * per key and address, listed again on request, and joined with the one price table
 * (shared/models.ts). When the API cannot be reached the built-in list stands in, with the reason.
 */
import Anthropic from '@anthropic-ai/sdk';
import { knownModelInfo, OFFLINE_MODELS } from '../../shared/models';
import type { ModelOption, RuntimeMessageOf } from '../../shared/protocol';
import type { Settings } from '../storage/settings-store';
import { classifyError } from './model-client';

const FRESH_MS = 3_600_000;
/** Pages of 100; a list longer than this is not a model catalogue but a broken server. */
const MAX_MODELS = 1_000;

export type ModelList = Omit<RuntimeMessageOf<'models'>, 'type'>;

export type ListModels = (settings: Settings) => Promise<Array<{ id: string; displayName: string }>>;

/** The Models API through the SDK, every page. */
export const listModelsFromApi: ListModels = async (settings) => {
  const client = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    maxRetries: 0,
    timeout: 15_000,
    dangerouslyAllowBrowser: true,
  });
  const models: Array<{ id: string; displayName: string }> = [];
  for await (const model of client.models.list({ limit: 100 })) {
    models.push({ id: model.id, displayName: model.display_name || model.id });
    if (models.length >= MAX_MODELS) break;
  }
  return models;
};

export function withPrices(models: ReadonlyArray<{ id: string; displayName: string }>): ModelOption[] {
  return models.map(({ id, displayName }) => {
    const info = knownModelInfo(id);
    return { id, displayName, price: info ? { ...info.price } : null };
  });
}

export class ModelCatalog {
  private cached: { forKey: string; at: number; models: ModelOption[] } | undefined;
  private inflight: Promise<ModelList> | undefined;

  constructor(
    private readonly settings: () => Promise<Settings>,
    private readonly now: () => number,
    private readonly fetchModels: ListModels = listModelsFromApi,
  ) {}

  /** The newest list known without asking the API (what a phone's choice is checked against). */
  get known(): readonly ModelOption[] {
    return this.cached?.models ?? withPrices(OFFLINE_MODELS);
  }

  list(refresh = false): Promise<ModelList> {
    this.inflight ??= this.load(refresh).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(refresh: boolean): Promise<ModelList> {
    const settings = await this.settings();
    const forKey = `${settings.baseUrl}\n${settings.apiKey}`;
    const cached = this.cached;
    const defaultModel = settings.model;
    if (!refresh && cached && cached.forKey === forKey && this.now() - cached.at < FRESH_MS) {
      return { models: cached.models, source: 'api', fetchedAt: cached.at, defaultModel };
    }
    if (!settings.apiKey) {
      return { models: withPrices(OFFLINE_MODELS), source: 'builtin', problem: 'No API key is set.', defaultModel };
    }
    try {
      const models = withPrices(await this.fetchModels(settings));
      const at = this.now();
      this.cached = { forKey, at, models };
      return { models, source: 'api', fetchedAt: at, defaultModel };
    } catch (error) {
      const problem = classifyError(error).message;
      // A list fetched earlier for this key beats the built-in one.
      if (cached && cached.forKey === forKey) {
        return { models: cached.models, source: 'api', fetchedAt: cached.at, problem, defaultModel };
      }
      return { models: withPrices(OFFLINE_MODELS), source: 'builtin', problem, defaultModel };
    }
  }
}

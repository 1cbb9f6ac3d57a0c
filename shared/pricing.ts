/**
 * Cost arithmetic over the model table's prices (shared/models.ts): cache
 * writes (5-minute TTL) cost 1.25x input and cache reads 0.1x input. Costs
 * shown in Tandem are estimates from the `usage` the API returned, not a bill.
 */
import { type ModelPrice, modelInfo } from './models';
import type { Usage } from './protocol/events';

export type { ModelPrice } from './models';

export const CACHE_WRITE_MULTIPLIER = 1.25;
export const CACHE_READ_MULTIPLIER = 0.1;

/** Prices live in the one model table (shared/models.ts). */
export function priceFor(model: string): ModelPrice {
  return modelInfo(model).price;
}

export function costUsd(model: string, usage: Usage): number {
  const price = priceFor(model);
  const input =
    usage.inputTokens +
    usage.cacheCreationInputTokens * CACHE_WRITE_MULTIPLIER +
    usage.cacheReadInputTokens * CACHE_READ_MULTIPLIER;
  return (input * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}

export const ZERO_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
});

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}

export function formatUsd(value: number): string {
  if (value === 0) return '$0.00';
  if (value < 0.01) return `<$0.01`;
  return `$${value.toFixed(2)}`;
}

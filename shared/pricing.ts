/**
 * The one price table. Prices are US dollars per million tokens, from Anthropic's
 * public pricing page; cache writes (5-minute TTL) cost 1.25x input and cache
 * reads 0.1x input. Costs shown in Tandem are estimates from the `usage` the API
 * returned, not a bill.
 */
import type { Usage } from './protocol/events';

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Most specific prefix first. Checked against platform.claude.com model pages (2026-11). */
const PRICES: ReadonlyArray<readonly [prefix: string, price: ModelPrice]> = [
  ['claude-fable-5', { inputPerMTok: 10, outputPerMTok: 50 }],
  ['claude-opus-5-5', { inputPerMTok: 4, outputPerMTok: 20 }],
  ['claude-opus-5', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-5', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-6', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-7', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4-8', { inputPerMTok: 5, outputPerMTok: 25 }],
  ['claude-opus-4', { inputPerMTok: 15, outputPerMTok: 75 }],
  ['claude-sonnet-5', { inputPerMTok: 2, outputPerMTok: 10 }],
  ['claude-sonnet-4', { inputPerMTok: 3, outputPerMTok: 15 }],
  ['claude-haiku-4-5', { inputPerMTok: 1, outputPerMTok: 5 }],
  ['claude-3-5-haiku', { inputPerMTok: 0.8, outputPerMTok: 4 }],
];

/** Unknown models (and the demo model) are priced like the dearest mid tier so a cap still means something. */
const FALLBACK: ModelPrice = { inputPerMTok: 3, outputPerMTok: 15 };

export const CACHE_WRITE_MULTIPLIER = 1.25;
export const CACHE_READ_MULTIPLIER = 0.1;

export function priceFor(model: string): ModelPrice {
  return PRICES.find(([prefix]) => model.startsWith(prefix))?.[1] ?? FALLBACK;
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

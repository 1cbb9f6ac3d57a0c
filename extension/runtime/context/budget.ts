/**
 * The context budget: how big a request may get before older context is elided
 * or summarised. A share of the model's window (a setting, at most 80%), and
 * never so big that the answer (max_tokens) would not fit after it.
 */
import { MAX_REQUEST_BYTES, modelInfo } from '../../../shared/models';

export const MAX_BUDGET_SHARE = 0.8;

export interface Budget {
  tokens: number;
  /** Elision brings a request over budget down to this, so it does not have to move again for many turns. */
  lowWater: number;
  /** Serialised request bytes, well under the API's 32 MB body limit. */
  bytes: number;
  maxImages: number;
}

export function contextBudget(model: string, share: number, maxTokens: number, maxRecentImages: number): Budget {
  const info = modelInfo(model);
  const bounded = Math.min(Math.max(share, 0.05), MAX_BUDGET_SHARE);
  const tokens = Math.floor(Math.min(info.contextWindow * bounded, info.contextWindow - maxTokens - 1_000));
  return {
    tokens: Math.max(tokens, 1_000),
    lowWater: Math.floor(tokens * 0.45),
    bytes: Math.floor(MAX_REQUEST_BYTES * 0.75),
    maxImages: Math.min(maxRecentImages, info.images.manyImagesThreshold),
  };
}

/**
 * The one model table: what each Claude model can take (context window, output
 * cap, image limits) and what it costs. Context management, the image budget
 * and the price estimates all read it, so a new model is one row here.
 * Prices are US dollars per million tokens (Anthropic's public pricing page,
 * checked 2026-11); windows and limits from the models overview and the
 * Messages API's documented limits (../docs/ARCHITECTURE.md, "Context").
 */

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface ImageLimits {
  /** The docs' recommended long side: larger images are downscaled by the API anyway, at our token cost. */
  recommendedLongSide: number;
  /** Hard limit on either side. */
  maxSide: number;
  /** In a request with more than `manyImagesThreshold` images, each side must be ≤ this. */
  manyImagesMaxSide: number;
  manyImagesThreshold: number;
  maxImagesPerRequest: number;
  /** Per image, base64 bytes. */
  maxImageBytes: number;
}

export interface ModelInfo {
  contextWindow: number;
  maxOutputTokens: number;
  price: ModelPrice;
  images: ImageLimits;
  /** Reads PDFs sent as `document` blocks (attachments are refused otherwise). */
  pdfs: boolean;
}

/** The Messages API's own limits, the same for every current model. */
export const IMAGE_LIMITS: ImageLimits = Object.freeze({
  recommendedLongSide: 1568,
  maxSide: 8000,
  manyImagesMaxSide: 2000,
  manyImagesThreshold: 20,
  maxImagesPerRequest: 100,
  maxImageBytes: 5 * 1024 * 1024,
});

/** 413 request_too_large above this many bytes of request body. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

const row = (contextWindow: number, maxOutputTokens: number, inputPerMTok: number, outputPerMTok: number) => ({
  contextWindow,
  maxOutputTokens,
  price: { inputPerMTok, outputPerMTok },
  images: IMAGE_LIMITS,
  pdfs: true,
});

/** Most specific prefix first. */
const MODELS: ReadonlyArray<readonly [prefix: string, info: ModelInfo]> = [
  ['claude-fable-5', row(200_000, 64_000, 10, 50)],
  ['claude-opus-5-5', row(200_000, 64_000, 4, 20)],
  ['claude-opus-5', row(200_000, 64_000, 5, 25)],
  ['claude-opus-4-5', row(200_000, 64_000, 5, 25)],
  ['claude-opus-4-6', row(200_000, 128_000, 5, 25)],
  ['claude-opus-4-7', row(200_000, 128_000, 5, 25)],
  ['claude-opus-4-8', row(200_000, 128_000, 5, 25)],
  ['claude-opus-4', row(200_000, 32_000, 15, 75)],
  ['claude-sonnet-5', row(200_000, 64_000, 2, 10)],
  ['claude-sonnet-4', row(200_000, 64_000, 3, 15)],
  ['claude-haiku-4-5', row(200_000, 64_000, 1, 5)],
  ['claude-3-5-haiku', row(200_000, 8_192, 0.8, 4)],
];

/**
 * Unknown models (and the demo model) get the smallest current window and the
 * dearest mid-tier price, so context stays safe and a spending cap still means something;
 * they are not sent PDFs, which a model we do not know may not read.
 */
const FALLBACK: ModelInfo = { ...row(200_000, 8_192, 3, 15), pdfs: false };

export function modelInfo(model: string): ModelInfo {
  return knownModelInfo(model) ?? FALLBACK;
}

/** The table's row for a model, or undefined when its price is not known here (the picker says so). */
export function knownModelInfo(model: string): ModelInfo | undefined {
  return MODELS.find(([prefix]) => model.startsWith(prefix))?.[1];
}

/**
 * What the model picker offers when the Models API cannot be reached (offline, no key yet):
 * current models of each line, by their API ids; the list from the API replaces it.
 */
export const OFFLINE_MODELS: ReadonlyArray<{ id: string; displayName: string }> = [
  { id: 'claude-sonnet-5-5', displayName: 'Claude Sonnet 5.5' },
  { id: 'claude-opus-5-5', displayName: 'Claude Opus 5.5' },
  { id: 'claude-haiku-4-5', displayName: 'Claude Haiku 4.5' },
];

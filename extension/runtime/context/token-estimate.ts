/**
 * How big a request is before it is sent. There is no tokenizer in the
 * extension: text is counted at ~4 characters a token (the rule of thumb
 * Anthropic documents), padded by 10% because JSON and code tokenise worse than
 * prose; an image costs about width × height / 750 tokens, whatever its bytes.
 * The runtime corrects this with the previous response's real usage
 * (context-tracker.ts), so the estimate only has to be good for what was added.
 */
import type { ApiMessage } from '../conversation-state';
import { pixelSize } from './image-size';

const CHARS_PER_TOKEN = 4;
const SAFETY = 1.1;
/** What an image of unknown size is assumed to cost: a full 1568 × 1568 image. */
const UNKNOWN_IMAGE_TOKENS = 3_300;

export function imageTokens(base64: string): number {
  const size = pixelSize(base64);
  if (!size) return UNKNOWN_IMAGE_TOKENS;
  // The API scales anything past 1568 px on the long side down before the model sees it.
  const scale = Math.min(1, 1568 / Math.max(size.width, size.height, 1));
  return Math.ceil((size.width * scale * (size.height * scale)) / 750);
}

export function textTokens(chars: number): number {
  return Math.ceil((chars / CHARS_PER_TOKEN) * SAFETY);
}

export interface Size {
  tokens: number;
  /** Serialised bytes, for the 32 MB body limit (base64 images dominate). */
  bytes: number;
  images: number;
}

export function sizeOf(value: unknown): Size {
  let images = 0;
  let pixelTokens = 0;
  let imageBytes = 0;
  const json = JSON.stringify(value, (key, inner: unknown) => {
    if (key === 'source' && typeof inner === 'object' && inner !== null) {
      const data = (inner as { data?: unknown }).data;
      if (typeof data === 'string') {
        images++;
        pixelTokens += imageTokens(data);
        imageBytes += data.length;
        return { ...inner, data: '' };
      }
    }
    return inner;
  });
  return { tokens: textTokens(json.length) + pixelTokens, bytes: json.length + imageBytes, images };
}

export function messagesSize(messages: readonly ApiMessage[]): Size {
  const total: Size = { tokens: 0, bytes: 0, images: 0 };
  for (const message of messages) {
    const size = sizeOf(message);
    total.tokens += size.tokens;
    total.bytes += size.bytes;
    total.images += size.images;
  }
  return total;
}

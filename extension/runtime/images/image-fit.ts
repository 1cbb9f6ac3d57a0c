/**
 * Images are made to fit before they are stored for the model: a screenshot of
 * a 4K screen or a photo from disk is scaled so its long side is at most 1568 px
 * (the size the API recommends, and scales down to anyway, at our token cost),
 * which also keeps it inside the per-image (8000 px, 5 MB) and many-image
 * (2000 px) limits. The pixel work sits behind `ImageResizer`: OffscreenCanvas
 * in the extension (canvas-resizer.ts), a pure-JS PNG codec in Node tests.
 */
import { fittedSize } from '../../../shared/attachments/attachment-budget';
import { IMAGE_LIMITS } from '../../../shared/models';
import type { ToolOutputBlock } from '../../../shared/protocol';
import { pixelSize } from '../context/image-size';

type ImageBlock = Extract<ToolOutputBlock, { type: 'image' }>;
export type ImageMediaType = ImageBlock['source']['media_type'];

export interface EncodedImage {
  mediaType: ImageMediaType;
  /** base64 */
  data: string;
}

export interface ImageResizer {
  /** Scales the image to exactly `width` × `height`; undefined when it cannot decode it. */
  resize(image: EncodedImage, width: number, height: number): Promise<EncodedImage | undefined>;
}

// One rule for tool images and attached ones (shared/attachments/attachment-budget.ts).
export { fittedSize };

const TOO_BIG_TEXT =
  '[An image was left out: it could not be scaled down to the size the model accepts (at most 8000 px a side and 5 MB).]';

/** Fits every image of a tool's output; an image that cannot be made acceptable becomes a short note. */
export async function fitImages(
  blocks: readonly ToolOutputBlock[],
  resizer: ImageResizer | undefined,
  maxLongSide: number = IMAGE_LIMITS.recommendedLongSide,
): Promise<ToolOutputBlock[]> {
  const out: ToolOutputBlock[] = [];
  for (const block of blocks) {
    if (block.type !== 'image') {
      out.push(block);
      continue;
    }
    out.push(await fitImage(block, resizer, maxLongSide));
  }
  return out;
}

async function fitImage(block: ImageBlock, resizer: ImageResizer | undefined, maxLongSide: number) {
  const size = pixelSize(block.source.data);
  const acceptable = (data: string, side: number) =>
    data.length <= IMAGE_LIMITS.maxImageBytes && side <= IMAGE_LIMITS.manyImagesMaxSide;
  if (!size) return block;
  const longSide = Math.max(size.width, size.height);
  if (longSide <= maxLongSide && block.source.data.length <= IMAGE_LIMITS.maxImageBytes) return block;
  const target = fittedSize(size.width, size.height, maxLongSide);
  const resized = resizer
    ? await resizer.resize({ mediaType: block.source.media_type, data: block.source.data }, target.width, target.height)
    : undefined;
  if (resized && acceptable(resized.data, Math.max(target.width, target.height))) {
    return {
      type: 'image' as const,
      source: { type: 'base64' as const, media_type: resized.mediaType, data: resized.data },
    };
  }
  // Without a resizer an oversized image would be refused by the API on every later request.
  if (longSide <= IMAGE_LIMITS.manyImagesMaxSide && block.source.data.length <= IMAGE_LIMITS.maxImageBytes)
    return block;
  return { type: 'text' as const, text: TOO_BIG_TEXT };
}

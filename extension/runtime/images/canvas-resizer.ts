/**
 * The browser's image resizer: decode with createImageBitmap, draw scaled on an
 * OffscreenCanvas, encode again. Both exist in a Chrome MV3 service worker and
 * in Firefox's background page, so no DOM document is needed. Photos are
 * re-encoded as JPEG (smaller), everything else as PNG (sharp text).
 */
import type { EncodedImage, ImageResizer } from './image-fit';

function toBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function toBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

export class CanvasImageResizer implements ImageResizer {
  static available(): boolean {
    return typeof OffscreenCanvas !== 'undefined' && typeof createImageBitmap === 'function';
  }

  async resize(image: EncodedImage, width: number, height: number): Promise<EncodedImage | undefined> {
    try {
      const bitmap = await createImageBitmap(new Blob([toBytes(image.data)], { type: image.mediaType }));
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d');
      if (!context) return undefined;
      context.imageSmoothingQuality = 'high';
      context.drawImage(bitmap, 0, 0, width, height);
      bitmap.close();
      const mediaType = image.mediaType === 'image/jpeg' ? 'image/jpeg' : 'image/png';
      const blob = await canvas.convertToBlob({ type: mediaType, quality: 0.85 });
      return { mediaType, data: await toBase64(blob) };
    } catch {
      return undefined;
    }
  }
}

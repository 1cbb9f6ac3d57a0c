/**
 * The Node image resizer for tests and benchmarks: PNG only, with pngjs (a
 * devDependency) and a box filter, standing in for the extension's
 * OffscreenCanvas resizer behind the same interface.
 */
import { PNG } from 'pngjs';
import type { EncodedImage, ImageResizer } from '../../extension/runtime/images/image-fit';

export class PngResizer implements ImageResizer {
  async resize(image: EncodedImage, width: number, height: number): Promise<EncodedImage | undefined> {
    if (image.mediaType !== 'image/png') return undefined;
    const source = PNG.sync.read(Buffer.from(image.data, 'base64'));
    const target = new PNG({ width, height });
    const sx = source.width / width;
    const sy = source.height / height;
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor(y * sy);
      const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
      for (let x = 0; x < width; x++) {
        const x0 = Math.floor(x * sx);
        const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
        const sum = [0, 0, 0, 0];
        for (let v = y0; v < y1; v++) {
          for (let u = x0; u < x1; u++) {
            const at = (v * source.width + u) * 4;
            for (let c = 0; c < 4; c++) sum[c] = (sum[c] ?? 0) + (source.data[at + c] ?? 0);
          }
        }
        const count = (y1 - y0) * (x1 - x0);
        const out = (y * width + x) * 4;
        for (let c = 0; c < 4; c++) target.data[out + c] = Math.round((sum[c] ?? 0) / count);
      }
    }
    return { mediaType: 'image/png', data: PNG.sync.write(target).toString('base64') };
  }
}

/**
 * Width and height of a base64 image from its header alone (PNG, JPEG, GIF,
 * WebP): enough to price it in tokens and to check it against the API's limits
 * without decoding it.
 */
export interface PixelSize {
  width: number;
  height: number;
}

function bytesOf(base64: string, count: number): Uint8Array {
  // Only the header is needed; 64 KiB of base64 covers any JPEG's leading segments in practice.
  const head = base64.slice(0, Math.ceil(count / 3) * 4);
  const binary = atob(head.replace(/[^A-Za-z0-9+/=]/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function pixelSize(base64: string): PixelSize | undefined {
  let bytes: Uint8Array;
  try {
    bytes = bytesOf(base64, 48 * 1024);
  } catch {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 24 && bytes[0] === 0x89 && ascii(1, 4) === 'PNG') {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 10 && ascii(0, 3) === 'GIF')
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  if (bytes.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') {
    const chunk = ascii(12, 16);
    if (chunk === 'VP8X') {
      return {
        width: 1 + (view.getUint16(24, true) | ((bytes[26] ?? 0) << 16)),
        height: 1 + (view.getUint16(27, true) | ((bytes[29] ?? 0) << 16)),
      };
    }
    if (chunk === 'VP8L') {
      const bits = view.getUint32(21, true);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let at = 2;
    while (at + 9 < bytes.length) {
      if (bytes[at] !== 0xff) return undefined;
      const marker = bytes[at + 1] ?? 0;
      const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isFrame) return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
      at += 2 + view.getUint16(at + 2);
    }
  }
  return undefined;
}

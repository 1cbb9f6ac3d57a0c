/**
 * The push room's one byte helper (joining and UTF-8 come from `@noble/hashes/utils.js`, as in the link). WebCrypto wants `BufferSource` backed by a plain
 * ArrayBuffer (TypeScript 5.9 refuses `Uint8Array<ArrayBufferLike>`), so inputs are copied once.
 */
export function bufferOf(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** Chunk reassembly (pure) and base64 round trips. */
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../../extension/files/base64';
import { ChunkAssembler, ChunkError, chunkOffsets } from '../../extension/files/chunk-assembler';

const bytes = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256);

describe('chunk assembler', () => {
  it('reassembles chunks that arrive out of order', () => {
    const file = bytes(10_000);
    const assembler = new ChunkAssembler(file.length);
    for (const start of [6_000, 0, 9_000, 3_000]) {
      const end = Math.min(file.length, start + 3_000);
      assembler.add(start, file.subarray(start, end));
    }
    expect(assembler.complete).toBe(true);
    expect(assembler.missing()).toEqual([]);
    expect(assembler.bytes()).toEqual(file);
  });

  it('reports the gaps and refuses to hand out an incomplete file', () => {
    const assembler = new ChunkAssembler(100);
    assembler.add(10, bytes(10));
    assembler.add(50, bytes(25));
    expect(assembler.missing()).toEqual([
      [0, 10],
      [20, 50],
      [75, 100],
    ]);
    expect(assembler.received).toBe(35);
    expect(() => assembler.bytes()).toThrow(/bytes 0\.\.10 are missing/);
  });

  it('refuses overlaps, chunks past the end and a file that changed size', () => {
    const assembler = new ChunkAssembler(100);
    assembler.add(0, bytes(50));
    expect(() => assembler.add(40, bytes(20))).toThrow(ChunkError);
    expect(() => assembler.add(90, bytes(20))).toThrow(/does not fit/);
    expect(() => assembler.add(50, bytes(10), 120)).toThrow(/changed size/);
    expect(() => assembler.add(-1, bytes(1))).toThrow(ChunkError);
    assembler.add(50, bytes(50));
    expect(assembler.complete).toBe(true);
  });

  it('handles an empty file', () => {
    const assembler = new ChunkAssembler(0);
    expect(assembler.complete).toBe(true);
    expect(assembler.bytes()).toEqual(new Uint8Array(0));
  });

  it('plans chunk offsets', () => {
    expect(chunkOffsets(0, 10, 4)).toEqual([0, 4, 8]);
    expect(chunkOffsets(4, 12, 4)).toEqual([4, 8]);
    expect(chunkOffsets(5, 5, 4)).toEqual([]);
    expect(() => chunkOffsets(0, 5, 0)).toThrow(ChunkError);
  });
});

describe('base64', () => {
  it('round-trips bytes of every value and length', () => {
    for (const n of [0, 1, 2, 3, 4, 255, 256, 70_000]) {
      const data = bytes(n, n);
      const encoded = bytesToBase64(data);
      expect(encoded).toBe(Buffer.from(data).toString('base64'));
      expect(base64ToBytes(encoded)).toEqual(data);
    }
  });
});

/**
 * Puts a file read in chunks back together. Chunks may arrive in any order
 * (reads are pipelined); each says where it belongs (`range.start`). The
 * assembler refuses anything that would not add up to exactly the file: a chunk
 * past the end, overlapping another, or from a file whose size changed since the
 * first chunk (it was written to while being read).
 */

export class ChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkError';
  }
}

export class ChunkAssembler {
  private readonly buffer: Uint8Array;
  /** Received ranges as [start, end), kept sorted and merged. */
  private readonly ranges: Array<[number, number]> = [];
  private receivedBytes = 0;

  constructor(readonly size: number) {
    if (!Number.isSafeInteger(size) || size < 0) throw new ChunkError(`Invalid file size ${size}.`);
    this.buffer = new Uint8Array(size);
  }

  get received(): number {
    return this.receivedBytes;
  }

  get complete(): boolean {
    return this.receivedBytes === this.size;
  }

  /** Adds the bytes that start at `start`; `fileSize` is the size the host saw when it read them. */
  add(start: number, bytes: Uint8Array, fileSize: number = this.size): void {
    if (fileSize !== this.size) {
      throw new ChunkError(`The file changed size while it was read (${this.size} → ${fileSize} bytes).`);
    }
    const end = start + bytes.length;
    if (!Number.isSafeInteger(start) || start < 0 || end > this.size) {
      throw new ChunkError(`A chunk at ${start}..${end} does not fit in a ${this.size}-byte file.`);
    }
    if (bytes.length === 0) return;
    let index = 0;
    while (index < this.ranges.length && (this.ranges[index] as [number, number])[1] <= start) index++;
    const next = this.ranges[index];
    if (next && next[0] < end) throw new ChunkError(`A chunk at ${start}..${end} overlaps one already received.`);
    this.buffer.set(bytes, start);
    this.receivedBytes += bytes.length;
    // Merge with the neighbours it touches, so `missing()` stays short.
    const previous = this.ranges[index - 1];
    const touchesPrevious = previous !== undefined && previous[1] === start;
    const touchesNext = next !== undefined && next[0] === end;
    if (touchesPrevious && touchesNext) {
      previous[1] = next[1];
      this.ranges.splice(index, 1);
    } else if (touchesPrevious) previous[1] = end;
    else if (touchesNext) next[0] = start;
    else this.ranges.splice(index, 0, [start, end]);
  }

  /** The gaps still to read, as [start, end). */
  missing(): Array<[number, number]> {
    const gaps: Array<[number, number]> = [];
    let at = 0;
    for (const [start, end] of this.ranges) {
      if (start > at) gaps.push([at, start]);
      at = end;
    }
    if (at < this.size) gaps.push([at, this.size]);
    return gaps;
  }

  /** The whole file; throws if anything is missing. */
  bytes(): Uint8Array {
    if (!this.complete) {
      const first = this.missing()[0];
      throw new ChunkError(`The read is incomplete: bytes ${first?.[0]}..${first?.[1]} are missing.`);
    }
    return this.buffer;
  }
}

/** Start offsets of the chunks that cover [from, size) in steps of `chunkBytes`. */
export function chunkOffsets(from: number, size: number, chunkBytes: number): number[] {
  if (chunkBytes <= 0) throw new ChunkError('The chunk size must be positive.');
  const offsets: number[] = [];
  for (let at = from; at < size; at += chunkBytes) offsets.push(at);
  return offsets;
}

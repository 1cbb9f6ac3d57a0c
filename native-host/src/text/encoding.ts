/**
 * Text encoding detection and chunk alignment for `read_file`/`edit_file`.
 * Detection looks at the head of the file only, so every chunk of one file is
 * decoded the same way: BOM (UTF-8, UTF-16 LE/BE) first, then UTF-16 without a
 * BOM by its zero-byte pattern, then strict UTF-8, then latin1 unless control
 * bytes say "binary".
 */

export type TextEncodingName = 'utf8' | 'utf16le' | 'utf16be' | 'latin1';

export type Detection = { kind: 'text'; encoding: TextEncodingName; bomBytes: number } | { kind: 'binary' };

/** How much of the head detection looks at. */
export const DETECTION_SAMPLE_BYTES = 8192;

/**
 * Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF).
 * With `allowTruncatedEnd`, an incomplete sequence at the very end is accepted:
 * a sample can cut a character in two.
 */
export function isValidUtf8(bytes: Uint8Array, allowTruncatedEnd: boolean): boolean {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + need > n - 1) {
      // The sequence runs past the end of the sample.
      for (let k = i + 1; k < n; k++) if (((bytes[k] as number) & 0xc0) !== 0x80) return false;
      return allowTruncatedEnd;
    }
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k] as number;
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

function isSuspiciousControl(b: number): boolean {
  // Tab, LF, VT, FF, CR and ESC (ANSI colours) are ordinary in text.
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f;
}

function looksUtf16(sample: Uint8Array, zeroAt: 0 | 1): boolean {
  const pairs = Math.floor(sample.length / 2);
  if (pairs < 2) return false;
  let zeroes = 0;
  let otherZeroes = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i + zeroAt] === 0) zeroes++;
    if (sample[2 * i + (1 - zeroAt)] === 0) otherZeroes++;
  }
  return zeroes / pairs >= 0.9 && otherZeroes === 0;
}

/** `sample` is the head of the file; `wholeFile` says the sample is all of it. */
export function detectEncoding(sample: Uint8Array, wholeFile: boolean): Detection {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) {
    return { kind: 'text', encoding: 'utf8', bomBytes: 3 };
  }
  if (sample[0] === 0xff && sample[1] === 0xfe) return { kind: 'text', encoding: 'utf16le', bomBytes: 2 };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { kind: 'text', encoding: 'utf16be', bomBytes: 2 };
  if (sample.includes(0)) {
    if (looksUtf16(sample, 1)) return { kind: 'text', encoding: 'utf16le', bomBytes: 0 };
    if (looksUtf16(sample, 0)) return { kind: 'text', encoding: 'utf16be', bomBytes: 0 };
    return { kind: 'binary' };
  }
  if (isValidUtf8(sample, !wholeFile)) return { kind: 'text', encoding: 'utf8', bomBytes: 0 };
  let suspicious = 0;
  for (const b of sample) if (isSuspiciousControl(b)) suspicious++;
  if (sample.length > 0 && suspicious / sample.length > 0.05) return { kind: 'binary' };
  return { kind: 'text', encoding: 'latin1', bomBytes: 0 };
}

const utf16be = new TextDecoder('utf-16be');

export function decodeText(bytes: Uint8Array, encoding: TextEncodingName): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (encoding) {
    case 'utf8':
      return buffer.toString('utf8');
    case 'utf16le':
      return buffer.toString('utf16le');
    case 'utf16be':
      return utf16be.decode(bytes);
    case 'latin1':
      return buffer.toString('latin1');
  }
}

const BOMS: Record<TextEncodingName, number[]> = {
  utf8: [0xef, 0xbb, 0xbf],
  utf16le: [0xff, 0xfe],
  utf16be: [0xfe, 0xff],
  latin1: [],
};

/** Encodes text back the way the file was (edit_file keeps a file's encoding and BOM). */
export function encodeText(text: string, encoding: TextEncodingName, withBom: boolean): Buffer {
  let body: Buffer;
  switch (encoding) {
    case 'utf8':
      body = Buffer.from(text, 'utf8');
      break;
    case 'utf16le':
      body = Buffer.from(text, 'utf16le');
      break;
    case 'utf16be':
      body = Buffer.from(text, 'utf16le').swap16();
      break;
    case 'latin1':
      body = Buffer.from(text, 'latin1');
      break;
  }
  return withBom ? Buffer.concat([Buffer.from(BOMS[encoding]), body]) : body;
}

/** True when every character survives a round trip through latin1 (edit_file must not lose characters). */
export function fitsLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * Moves a chunk's [start, end) so it neither starts nor ends inside a character.
 * `base` is where text starts (after the BOM); `fileSize` tells whether `end` is EOF.
 * `bytes` holds the file bytes from `bufferStart` on, covering at least [start, end).
 */
export function alignTextRange(
  encoding: TextEncodingName,
  bytes: Uint8Array,
  bufferStart: number,
  start: number,
  end: number,
  base: number,
  fileSize: number,
): { start: number; end: number } {
  let s = Math.max(start, base);
  let e = Math.max(end, s);
  const at = (pos: number) => bytes[pos - bufferStart] as number;
  if (encoding === 'utf8') {
    // Skip continuation bytes at the start: they belong to the previous chunk's character.
    let skipped = 0;
    while (s < e && skipped < 3 && (at(s) & 0xc0) === 0x80) {
      s++;
      skipped++;
    }
    if (e < fileSize) {
      // Find the last lead byte within the last 4 bytes; drop it if its sequence is cut.
      for (let back = 1; back <= 4 && e - back >= s; back++) {
        const b = at(e - back);
        if ((b & 0xc0) === 0x80) continue;
        const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
        if (len > back) e -= back;
        break;
      }
    }
  } else if (encoding === 'utf16le' || encoding === 'utf16be') {
    if ((s - base) % 2 === 1) s++;
    if ((e - base) % 2 === 1) e--;
    if (e > s && e < fileSize) {
      const hi = encoding === 'utf16le' ? at(e - 1) : at(e - 2);
      // A high surrogate as the last unit: its pair is in the next chunk.
      if (hi >= 0xd8 && hi <= 0xdb) e -= 2;
    }
  }
  return { start: s, end: Math.max(e, s) };
}

/** Byte width of one newline in the encoding, and where its 0x0A byte sits. */
export function newlineShape(encoding: TextEncodingName): { width: 1 | 2; lfOffset: 0 | 1 } {
  if (encoding === 'utf16le') return { width: 2, lfOffset: 0 };
  if (encoding === 'utf16be') return { width: 2, lfOffset: 1 };
  return { width: 1, lfOffset: 0 };
}

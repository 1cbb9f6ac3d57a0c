/**
 * Unified diff of an exact text replacement. The changed places are known (the
 * match positions), so no general diff algorithm is needed: each replacement
 * becomes a block of whole lines, identical leading/trailing lines are trimmed,
 * and nearby blocks share a hunk. Linear in the file size.
 */

export interface Replacement {
  /** Position in the old text. */
  at: number;
  oldLength: number;
  newLength: number;
}

/** Positions of non-overlapping occurrences of `needle`, left to right. */
export function findOccurrences(haystack: string, needle: string): number[] {
  const out: number[] = [];
  if (needle.length === 0) return out;
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(needle, from);
    if (at === -1) return out;
    out.push(at);
    from = at + needle.length;
  }
}

class Lines {
  readonly starts: number[] = [];
  readonly count: number;

  constructor(readonly text: string) {
    if (text.length > 0) {
      this.starts.push(0);
      for (let i = text.indexOf('\n'); i !== -1 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) {
        this.starts.push(i + 1);
      }
    }
    this.count = this.starts.length;
  }

  /** Line holding `pos`; `count` for the virtual empty line after a final newline. */
  lineAt(pos: number): number {
    if (this.count === 0) return 0;
    if (pos >= this.text.length && this.text.endsWith('\n')) return this.count;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Line `k` with its newline, if it has one. */
  raw(k: number): string {
    return this.text.slice(this.starts[k], this.starts[k + 1] ?? this.text.length);
  }

  isUnterminated(k: number): boolean {
    return k === this.count - 1 && !this.text.endsWith('\n');
  }
}

interface Block {
  oa: number;
  ob: number;
  na: number;
  nb: number;
}

function blocksFor(oldLines: Lines, newLines: Lines, replacements: readonly Replacement[]): Block[] {
  const blocks: Block[] = [];
  let shift = 0;
  for (const r of replacements) {
    const q = r.at + shift;
    const block: Block = {
      oa: oldLines.lineAt(r.at),
      ob: Math.min(oldLines.lineAt(r.at + r.oldLength), oldLines.count - 1) + 1,
      na: newLines.lineAt(q),
      nb: Math.min(newLines.lineAt(q + r.newLength), newLines.count - 1) + 1,
    };
    block.ob = Math.max(block.ob, block.oa);
    block.nb = Math.max(block.nb, block.na);
    shift += r.newLength - r.oldLength;
    const last = blocks[blocks.length - 1];
    if (last && block.oa < last.ob) {
      last.ob = Math.max(last.ob, block.ob);
      last.nb = Math.max(last.nb, block.nb);
    } else {
      blocks.push(block);
    }
  }
  // Drop lines a block leaves unchanged at either end.
  for (const b of blocks) {
    while (b.oa < b.ob && b.na < b.nb && oldLines.raw(b.oa) === newLines.raw(b.na)) {
      b.oa++;
      b.na++;
    }
    while (b.ob > b.oa && b.nb > b.na && oldLines.raw(b.ob - 1) === newLines.raw(b.nb - 1)) {
      b.ob--;
      b.nb--;
    }
  }
  return blocks.filter((b) => b.oa < b.ob || b.na < b.nb);
}

function range(start: number, count: number): string {
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}

function emit(out: string[], prefix: string, lines: Lines, k: number): void {
  out.push(`${prefix}${lines.raw(k).replace(/\n$/, '')}`);
  if (lines.isUnterminated(k)) out.push('\\ No newline at end of file');
}

export function unifiedDiff(
  label: string,
  oldText: string,
  newText: string,
  replacements: readonly Replacement[],
  context = 3,
): string {
  const oldLines = new Lines(oldText);
  const newLines = new Lines(newText);
  const blocks = blocksFor(oldLines, newLines, replacements);
  if (blocks.length === 0) return '';
  const out = [`--- a/${label}`, `+++ b/${label}`];
  let i = 0;
  while (i < blocks.length) {
    let j = i;
    while (j + 1 < blocks.length && (blocks[j + 1] as Block).oa - (blocks[j] as Block).ob <= 2 * context) j++;
    const first = blocks[i] as Block;
    const last = blocks[j] as Block;
    const oldStart = Math.max(0, first.oa - context);
    const oldEnd = Math.min(oldLines.count, last.ob + context);
    const newStart = first.na - (first.oa - oldStart);
    const newEnd = last.nb + (oldEnd - last.ob);
    out.push(`@@ -${range(oldStart, oldEnd - oldStart)} +${range(newStart, newEnd - newStart)} @@`);
    let cursor = oldStart;
    for (let k = i; k <= j; k++) {
      const b = blocks[k] as Block;
      for (; cursor < b.oa; cursor++) emit(out, ' ', oldLines, cursor);
      for (let o = b.oa; o < b.ob; o++) emit(out, '-', oldLines, o);
      for (let n = b.na; n < b.nb; n++) emit(out, '+', newLines, n);
      cursor = b.ob;
    }
    for (; cursor < oldEnd; cursor++) emit(out, ' ', oldLines, cursor);
    i = j + 1;
  }
  return `${out.join('\n')}\n`;
}

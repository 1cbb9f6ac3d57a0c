import { describe, expect, it } from 'vitest';
import {
  ChannelError,
  MAX_PLAINTEXT_BYTES,
  MAX_SEALED_FRAME_BYTES,
  SEAL_OVERHEAD_BYTES,
  SecureChannel,
} from '../../shared/link/index.ts';

/** Deterministic PRNG (sfc32) so a failing fuzz run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function pair(): { phone: SecureChannel; extension: SecureChannel } {
  const a = crypto.getRandomValues(new Uint8Array(32));
  const b = crypto.getRandomValues(new Uint8Array(32));
  return {
    phone: new SecureChannel({ sendKey: a, receiveKey: b }),
    extension: new SecureChannel({ sendKey: b, receiveKey: a }),
  };
}

function expectChannelError(run: () => unknown, code: ChannelError['code']): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).code).toBe(code);
    return;
  }
  throw new Error(`expected ChannelError(${code})`);
}

const text = (value: string) => new TextEncoder().encode(value);

describe('secure channel', () => {
  it('carries frames both ways and hides their content', () => {
    const { phone, extension } = pair();
    const frame = phone.seal(text('open the settings page'));
    expect(frame.length).toBe(text('open the settings page').length + SEAL_OVERHEAD_BYTES);
    expect(Buffer.from(frame).includes(Buffer.from('settings'))).toBe(false);
    expect(extension.open(frame)).toEqual(text('open the settings page'));
    expect(phone.open(extension.seal(new Uint8Array(0)))).toEqual(new Uint8Array(0));
    expect(extension.receivedFrames).toBe(1);
  });

  it('refuses a replayed frame and keeps working', () => {
    const { phone, extension } = pair();
    const first = phone.seal(text('one'));
    extension.open(first);
    expectChannelError(() => extension.open(first), 'replayed');
    expect(extension.open(phone.seal(text('two')))).toEqual(text('two'));
  });

  it('refuses reordered frames and accepts them in order afterwards', () => {
    const { phone, extension } = pair();
    const first = phone.seal(text('one'));
    const second = phone.seal(text('two'));
    expectChannelError(() => extension.open(second), 'out_of_order');
    expect(extension.open(first)).toEqual(text('one'));
    expect(extension.open(second)).toEqual(text('two'));
  });

  it('refuses a frame with a flipped bit anywhere, including the counter', () => {
    const { phone, extension } = pair();
    const frame = phone.seal(text('transfer'));
    for (let i = 0; i < frame.length; i++) {
      const tampered = frame.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      try {
        extension.open(tampered);
        throw new Error(`accepted a frame tampered at byte ${i}`);
      } catch (error) {
        expect(error).toBeInstanceOf(ChannelError);
        expect(['bad_tag', 'out_of_order']).toContain((error as ChannelError).code);
      }
    }
    expect(extension.open(frame)).toEqual(text('transfer'));
  });

  it('refuses a bad tag, a truncated frame and an oversized frame', () => {
    const { phone, extension } = pair();
    const frame = phone.seal(text('hello'));
    const badTag = frame.slice();
    badTag[badTag.length - 1] = (badTag[badTag.length - 1] ?? 0) ^ 0x80;
    expectChannelError(() => extension.open(badTag), 'bad_tag');
    expectChannelError(() => extension.open(frame.slice(0, frame.length - 1)), 'bad_tag');
    expectChannelError(() => extension.open(frame.slice(0, SEAL_OVERHEAD_BYTES - 1)), 'truncated');
    expectChannelError(() => extension.open(new Uint8Array(0)), 'truncated');
    expectChannelError(() => extension.open(new Uint8Array(MAX_SEALED_FRAME_BYTES + 1)), 'too_large');
    expect(extension.open(frame)).toEqual(text('hello'));
  });

  it('refuses a frame reflected back to its sender or sealed under another key', () => {
    const { phone, extension } = pair();
    expectChannelError(() => phone.open(phone.seal(text('echo'))), 'bad_tag');
    const other = pair();
    expectChannelError(() => extension.open(other.phone.seal(text('x'))), 'bad_tag');
  });

  it('seals at most a 16 KiB frame and makes callers chunk the rest', () => {
    const { phone, extension } = pair();
    const full = phone.seal(new Uint8Array(MAX_PLAINTEXT_BYTES));
    expect(full.length).toBe(MAX_SEALED_FRAME_BYTES);
    expect(extension.open(full)).toHaveLength(MAX_PLAINTEXT_BYTES);
    expectChannelError(() => phone.seal(new Uint8Array(MAX_PLAINTEXT_BYTES + 1)), 'too_large');
    expect(phone.sentFrames).toBe(1);
  });

  it('survives 10,000 fuzzed frames with typed errors only and still opens the next valid frame', () => {
    const seed = 0x5eed;
    const random = prng(seed);
    const int = (n: number) => Math.floor(random() * n);
    const { phone, extension } = pair();
    const valid: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) {
      const plaintext = new Uint8Array(int(300));
      for (let j = 0; j < plaintext.length; j++) plaintext[j] = int(256);
      valid.push(phone.seal(plaintext));
    }
    let opened = 0;
    const counts = new Map<string, number>();

    for (let round = 0; round < 10_000; round++) {
      const base = valid[opened] ?? valid[0] ?? new Uint8Array(0);
      const fuzzed = mutate(base, valid, int);
      const before = extension.receivedFrames;
      try {
        extension.open(fuzzed);
        throw new Error(`round ${round} (seed ${seed}): a fuzzed frame was accepted`);
      } catch (error) {
        if (!(error instanceof ChannelError)) throw error;
        counts.set(error.code, (counts.get(error.code) ?? 0) + 1);
      }
      expect(extension.receivedFrames).toBe(before);
      // Every 1,000 rounds, the genuine next frame must still open.
      if (round % 1000 === 999 && opened < valid.length) {
        expect(extension.open(required(valid[opened]))).toBeInstanceOf(Uint8Array);
        opened += 1;
      }
    }
    expect(opened).toBe(8);
    expect([...counts.keys()].sort()).toEqual(['bad_tag', 'out_of_order', 'replayed', 'too_large', 'truncated']);
  });
});

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

/** One fuzzed frame: random bytes, or a valid frame with bits flipped, cut, extended or spliced. */
function mutate(base: Uint8Array, valid: Uint8Array[], int: (n: number) => number): Uint8Array {
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  let out: Uint8Array;
  switch (int(8)) {
    case 0:
      out = randomBytes(int(64));
      break;
    case 1:
      out = randomBytes(int(MAX_SEALED_FRAME_BYTES + 64));
      break;
    case 2: {
      out = base.slice();
      for (let flips = 1 + int(3); flips > 0; flips--) {
        const at = int(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << int(8));
      }
      break;
    }
    case 3:
      out = base.slice(0, int(base.length));
      break;
    case 4:
      out = Uint8Array.from([...base, ...randomBytes(1 + int(32))]);
      break;
    case 5: {
      // Body of another frame under this frame's counter.
      const other = valid[int(valid.length)] ?? base;
      out = Uint8Array.from([...base.slice(0, 8), ...other.slice(8)]);
      break;
    }
    case 6:
      // Any earlier or later genuine frame: a replay or a reordering.
      out = (valid[int(valid.length)] ?? base).slice();
      break;
    default: {
      out = base.slice();
      const length = Math.min(out.length, 1 + int(16));
      out.set(randomBytes(length), int(out.length - length + 1));
      break;
    }
  }
  let same = out.length === base.length;
  for (let i = 0; same && i < out.length; i++) same = out[i] === base[i];
  return same ? Uint8Array.from([...base, 0]) : out;
}

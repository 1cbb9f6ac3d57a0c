/** The frame decoder on its own: any byte stream in, frames or typed errors out, never an exception. */
import { describe, expect, it } from 'vitest';
import { type DecodedFrame, encodeAnswerFrame, encodeFrame, FrameDecoder } from '../src/framing';

function header(length: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(length, 0);
  return b;
}

function kinds(frames: DecodedFrame[]): string[] {
  return frames.map((f) => (f.kind === 'message' ? `msg:${JSON.stringify(f.value)}` : `${f.code}`));
}

describe('FrameDecoder', () => {
  it('decodes frames split at every possible byte', () => {
    const stream = Buffer.concat([encodeFrame({ id: 'a', op: 'hello' }), encodeFrame({ id: 'b' })]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new FrameDecoder();
      const frames = [
        ...decoder.push(stream.subarray(0, cut)),
        ...decoder.push(stream.subarray(cut)),
        ...decoder.end(),
      ];
      expect(kinds(frames)).toEqual(['msg:{"id":"a","op":"hello"}', 'msg:{"id":"b"}']);
    }
  });

  it('decodes one byte at a time', () => {
    const decoder = new FrameDecoder();
    const out: DecodedFrame[] = [];
    for (const byte of encodeFrame({ x: 'é€😀' })) out.push(...decoder.push(Uint8Array.of(byte)));
    expect(kinds(out)).toEqual(['msg:{"x":"é€😀"}']);
  });

  it('answers each bad frame and carries on', () => {
    const decoder = new FrameDecoder();
    const stream = Buffer.concat([
      header(0),
      header(3),
      Buffer.from('abc'),
      header(2),
      Buffer.from([0xc3, 0x28]),
      header(4),
      Buffer.from('[12]'),
      header(4),
      Buffer.from('null'),
      encodeFrame({ ok: 1 }),
    ]);
    expect(kinds(decoder.push(stream))).toEqual([
      'bad_request',
      'bad_request',
      'bad_request',
      'bad_request',
      'bad_request',
      'msg:{"ok":1}',
    ]);
  });

  it('refuses an over-long frame at once and skips exactly its bytes', () => {
    const decoder = new FrameDecoder(20);
    const frames = [
      ...decoder.push(Buffer.concat([header(21), Buffer.from('0123456789')])),
      ...decoder.push(Buffer.concat([Buffer.from('0123456789A'), encodeFrame({ after: true })])),
    ];
    expect(kinds(frames)).toEqual(['too_large', 'msg:{"after":true}']);
  });

  it('reports a truncated frame at end of input, once', () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeFrame({ id: 'x' }).subarray(0, 6));
    expect(kinds(decoder.end())).toEqual(['bad_request']);
    expect(decoder.end()).toEqual([]);
    const headerOnly = new FrameDecoder();
    headerOnly.push(Uint8Array.of(1, 0));
    expect(kinds(headerOnly.end())).toEqual(['bad_request']);
  });

  it('never throws on random input', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const decoder = new FrameDecoder(4096);
    let frames = 0;
    for (let i = 0; i < 2000; i++) {
      const chunk = Uint8Array.from({ length: rand() % 64 }, () => (rand() % 5 === 0 ? 0 : rand() % 256));
      frames += decoder.push(chunk).length;
    }
    frames += decoder.end().length;
    expect(frames).toBeGreaterThan(0);
  });
});

describe('encodeAnswerFrame', () => {
  it('frames a big base64 chunk byte for byte as encodeFrame does, whatever the envelope holds', () => {
    const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 256)).toString('base64');
    const answers = [
      { id: 'r1', ok: true, result: { path: '/a/b.bin', range: { start: 0, end: 1 }, encoding: 'base64', content } },
      // Strings that look like the key, quotes and non-ASCII around it.
      {
        id: 'q"content":""é',
        ok: true,
        result: { path: '/x/"content":""/ü€', encoding: 'base64', content, mime: 'image/png' },
      },
      { id: 'small', ok: true, result: { encoding: 'base64', content: 'AAAA' } },
      { id: 'text', ok: true, result: { encoding: 'utf8', content: 'é'.repeat(100_000) } },
      { id: 'err', ok: false, error: { code: 'io', message: 'x' } },
    ];
    for (const answer of answers) {
      expect(encodeAnswerFrame(answer).equals(encodeFrame(answer))).toBe(true);
    }
  });
});

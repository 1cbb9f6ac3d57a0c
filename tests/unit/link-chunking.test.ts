import { describe, expect, it } from 'vitest';
import {
  CHUNK_HEADER_BYTES,
  ChunkError,
  MAX_CHUNK_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_SEALED_FRAME_BYTES,
  MessageReassembler,
  MessageSplitter,
  SecureChannel,
  splitMessage,
} from '../../shared/link/index.ts';

const PAYLOAD_PER_CHUNK = MAX_CHUNK_FRAME_BYTES - CHUNK_HEADER_BYTES;
const KiB = 1024;

function message(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

function header(messageId: number, index: number, count: number, payloadLength = 0): Uint8Array {
  const frame = new Uint8Array(CHUNK_HEADER_BYTES + payloadLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, messageId);
  view.setUint32(4, index);
  view.setUint32(8, count);
  return frame;
}

function expectChunkError(run: () => unknown, code: ChunkError['code']): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ChunkError);
    expect((error as ChunkError).code).toBe(code);
    return;
  }
  throw new Error(`expected ChunkError(${code})`);
}

function channels(): { sender: SecureChannel; receiver: SecureChannel } {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const other = crypto.getRandomValues(new Uint8Array(32));
  return {
    sender: new SecureChannel({ sendKey: key, receiveKey: other }),
    receiver: new SecureChannel({ sendKey: other, receiveKey: key }),
  };
}

describe('chunking', () => {
  const sizes = [
    0,
    1,
    PAYLOAD_PER_CHUNK - 1,
    PAYLOAD_PER_CHUNK,
    PAYLOAD_PER_CHUNK + 1,
    16 * KiB - 1,
    16 * KiB,
    16 * KiB + 1,
    2 * PAYLOAD_PER_CHUNK,
    2 * PAYLOAD_PER_CHUNK + 1,
    5 * KiB * KiB,
  ];

  for (const size of sizes) {
    it(`round-trips a ${size}-byte message through sealed frames of at most 16 KiB`, () => {
      const original = message(size);
      const { sender, receiver } = channels();
      const reassembler = new MessageReassembler();
      const frames = splitMessage(original, 42);
      expect(frames).toHaveLength(Math.max(1, Math.ceil(size / PAYLOAD_PER_CHUNK)));

      let result: Uint8Array | undefined;
      for (const [i, frame] of frames.entries()) {
        expect(frame.length).toBeLessThanOrEqual(MAX_CHUNK_FRAME_BYTES);
        const sealed = sender.seal(frame);
        expect(sealed.length).toBeLessThanOrEqual(MAX_SEALED_FRAME_BYTES);
        result = reassembler.push(receiver.open(sealed));
        if (i < frames.length - 1) expect(result).toBeUndefined();
      }
      // Buffer.equals: vitest's element-wise toEqual takes tens of seconds on 5 MiB.
      expect(result && Buffer.from(result).equals(original)).toBe(true);
      expect(reassembler.pendingMessages).toBe(0);
    });
  }

  it('reassembles interleaved messages', () => {
    const splitter = new MessageSplitter();
    const big = message(3 * PAYLOAD_PER_CHUNK + 5);
    const small = message(10);
    const bigFrames = splitter.split(big);
    const smallFrames = splitter.split(small);
    const reassembler = new MessageReassembler();
    expect(reassembler.push(bigFrames[0] ?? new Uint8Array(0))).toBeUndefined();
    expect(reassembler.push(smallFrames[0] ?? new Uint8Array(0))).toEqual(small);
    let result: Uint8Array | undefined;
    for (const frame of bigFrames.slice(1)) result = reassembler.push(frame);
    expect(result).toEqual(big);
  });

  it('refuses to split a message over the limit', () => {
    expectChunkError(() => splitMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1), 1), 'message_too_large');
    expect(splitMessage(new Uint8Array(MAX_MESSAGE_BYTES), 1)).toHaveLength(
      Math.ceil(MAX_MESSAGE_BYTES / PAYLOAD_PER_CHUNK),
    );
  });

  it('refuses inconsistent or oversized headers with typed errors and keeps its state', () => {
    const reassembler = new MessageReassembler();
    const frames = splitMessage(message(2 * PAYLOAD_PER_CHUNK + 3), 7);
    reassembler.push(frames[0] ?? new Uint8Array(0));

    expectChunkError(() => reassembler.push(new Uint8Array(CHUNK_HEADER_BYTES - 1)), 'malformed_header');
    expectChunkError(() => reassembler.push(new Uint8Array(MAX_CHUNK_FRAME_BYTES + 1)), 'frame_too_large');
    expectChunkError(() => reassembler.push(header(1, 0, 0)), 'bad_chunk_count');
    expectChunkError(() => reassembler.push(header(1, 0, 0xffffffff)), 'bad_chunk_count');
    expectChunkError(() => reassembler.push(header(1, 3, 3)), 'bad_chunk_index');
    expectChunkError(() => reassembler.push(header(1, 1, 3)), 'out_of_order_chunk');
    expectChunkError(() => reassembler.push(header(7, 0, 3)), 'duplicate_message_id');
    expectChunkError(() => reassembler.push(frames[2] ?? new Uint8Array(0)), 'out_of_order_chunk');
    expectChunkError(() => reassembler.push(header(7, 1, 4, 10)), 'out_of_order_chunk');
    expect(reassembler.pendingMessages).toBe(1);

    reassembler.push(frames[1] ?? new Uint8Array(0));
    expect(reassembler.push(frames[2] ?? new Uint8Array(0))).toEqual(message(2 * PAYLOAD_PER_CHUNK + 3));
  });

  it('caps the size of a message, the number of messages in flight and the bytes buffered', () => {
    const small = new MessageReassembler({ maxMessageBytes: 100, maxFrameBytes: 64 });
    for (const frame of splitMessage(message(100), 1, { maxMessageBytes: 100, maxFrameBytes: 64 })) small.push(frame);
    // A peer that claims few chunks but fills them beyond the message limit.
    const honestCount = Math.ceil(100 / (64 - CHUNK_HEADER_BYTES));
    for (let i = 0; i < honestCount - 1; i++) small.push(header(2, i, honestCount, 52));
    expectChunkError(() => small.push(header(2, honestCount - 1, honestCount, 52)), 'message_too_large');

    const few = new MessageReassembler({ maxPendingMessages: 2 });
    few.push(header(1, 0, 2, 1));
    few.push(header(2, 0, 2, 1));
    expectChunkError(() => few.push(header(3, 0, 2, 1)), 'too_many_pending');
    expect(few.push(header(3, 0, 1, 1))).toHaveLength(1); // single-chunk messages are never buffered

    const tight = new MessageReassembler({ maxBufferedBytes: 2 * PAYLOAD_PER_CHUNK });
    tight.push(header(1, 0, 3, PAYLOAD_PER_CHUNK));
    tight.push(header(2, 0, 3, PAYLOAD_PER_CHUNK));
    expectChunkError(() => tight.push(header(1, 1, 3, PAYLOAD_PER_CHUNK)), 'too_many_pending');
  });

  it('answers random frames with typed errors only', () => {
    const reassembler = new MessageReassembler();
    for (let i = 0; i < 5000; i++) {
      const frame = crypto.getRandomValues(new Uint8Array(Math.floor(Math.random() * 64)));
      if (i % 3 === 0 && frame.length >= CHUNK_HEADER_BYTES) frame.set([0, 0, 0, 0, 0, 0, 0, 1], 4);
      try {
        reassembler.push(frame);
      } catch (error) {
        expect(error).toBeInstanceOf(ChunkError);
      }
    }
    expect(reassembler.push(splitMessage(message(5), 0xfffffff0)[0] ?? new Uint8Array(0))).toEqual(message(5));
  });
});

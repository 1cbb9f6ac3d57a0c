import { describe, expect, it } from 'vitest';
import { SealedMessenger } from '../../shared/link/sealed-messenger';
import { RuntimeToHost } from '../../shared/protocol/link-relay';

const a = new Uint8Array(32).fill(1);
const b = new Uint8Array(32).fill(2);

describe('runtime messages relayed as the JSON text they are sealed as', () => {
  it("seals the worker's JSON text byte for byte as the envelope encode() would seal", () => {
    const message = { type: 'thread.event', threadId: 't', event: { seq: 1, text: 'é "quoted" \u2028' } };
    const viaJson = new SealedMessenger({ sendKey: a, receiveKey: b }).encodeMessageJson(JSON.stringify(message));
    const viaObject = new SealedMessenger({ sendKey: a, receiveKey: b }).encode({ t: 'msg', m: message });
    expect(viaJson).toEqual(viaObject);
    const phone = new SealedMessenger({ sendKey: b, receiveKey: a });
    expect(viaJson.map((frame) => phone.decode(frame))).toEqual([
      { kind: 'envelope', envelope: { t: 'msg', m: message }, frame: 0 },
    ]);
  });

  it('chunks long JSON text like any long message', () => {
    const message = { type: 'thread.page', text: 'x'.repeat(40_000) };
    const frames = new SealedMessenger({ sendKey: a, receiveKey: b }).encodeMessageJson(JSON.stringify(message));
    expect(frames.length).toBeGreaterThan(2);
    const phone = new SealedMessenger({ sendKey: b, receiveKey: a });
    expect(frames.map((frame) => phone.decode(frame).kind).at(-1)).toBe('envelope');
  });

  it('the host still validates the relay envelope: the text must be a string', () => {
    expect(RuntimeToHost.safeParse({ type: 'session.deliver', sessionId: 's', json: '{"type":"x"}' }).success).toBe(
      true,
    );
    expect(RuntimeToHost.safeParse({ type: 'session.deliver', sessionId: 's', json: { type: 'x' } }).success).toBe(
      false,
    );
    expect(RuntimeToHost.safeParse({ type: 'session.deliver', sessionId: 's', message: { type: 'x' } }).success).toBe(
      false,
    );
  });
});

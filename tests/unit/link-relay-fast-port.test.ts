/**
 * The relay's runtime → host MessagePort (extension/link/relay-fast-port.ts): messages keep their
 * order across the switch from the extension port, only the offscreen document's own offer is
 * paired, and a port that never comes leaves the relay on the extension port with nothing lost.
 */
import { describe, expect, it } from 'vitest';
import { FastPortRegistry, RelayOutbox } from '../../extension/link/relay-fast-port';
import type { RuntimeToHost } from '../../shared/protocol/link-relay';

const OFFSCREEN = 'chrome-extension://abc/offscreen.html';
const TOKEN = 'a'.repeat(32);

type Listener = (event: { data: unknown; ports: readonly MessagePort[]; source: { url?: string } | null }) => void;

function fakeScope() {
  let listener: Listener | undefined;
  return {
    scope: { addEventListener: (_type: 'message', l: Listener) => (listener = l) },
    offer(port: MessagePort, { token = TOKEN, url = OFFSCREEN }: { token?: string; url?: string } = {}) {
      listener?.({ data: { type: 'tandem-relay-fast-port', token }, ports: [port], source: { url } });
    },
  };
}

const deliver = (n: number): RuntimeToHost => ({
  type: 'session.deliver',
  sessionId: 's1',
  json: JSON.stringify({ n }),
});

/** Everything that arrives on `port`, in order. */
function collect(port: MessagePort): unknown[] {
  const received: unknown[] = [];
  port.onmessage = (event) => received.push(event.data);
  return received;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('relay fast port', () => {
  it('switches to the MessagePort without reordering or losing what was said meanwhile', async () => {
    const { scope, offer } = fakeScope();
    const registry = new FastPortRegistry(scope, OFFSCREEN);
    const slow: RuntimeToHost[] = [];
    const outbox = new RelayOutbox((message) => slow.push(message));
    outbox.post(deliver(1));
    const switching = outbox.useFastPort(registry.claim(TOKEN));
    outbox.post(deliver(2)); // held: the port is not here yet
    outbox.post(deliver(3));
    const channel = new MessageChannel();
    const fast = collect(channel.port1);
    offer(channel.port2);
    await switching;
    outbox.post(deliver(4));
    await settle();
    expect(slow).toEqual([deliver(1)]);
    expect(fast).toEqual([deliver(2), deliver(3), deliver(4)]);
    outbox.close();
    channel.port1.close();
  });

  it('pairs a port that arrived before its token was named', async () => {
    const { scope, offer } = fakeScope();
    const registry = new FastPortRegistry(scope, OFFSCREEN);
    const channel = new MessageChannel();
    const fast = collect(channel.port1);
    offer(channel.port2);
    const outbox = new RelayOutbox(() => {
      throw new Error('nothing goes the slow way');
    });
    await outbox.useFastPort(registry.claim(TOKEN));
    outbox.post(deliver(1));
    await settle();
    expect(fast).toEqual([deliver(1)]);
    outbox.close();
    channel.port1.close();
  });

  it('refuses offers from any other page, with another token or malformed', async () => {
    const { scope, offer } = fakeScope();
    const registry = new FastPortRegistry(scope, OFFSCREEN);
    const channels = [new MessageChannel(), new MessageChannel(), new MessageChannel()];
    offer(channels[0]!.port2, { url: 'chrome-extension://abc/sidepanel.html' });
    offer(channels[1]!.port2, { token: 'b'.repeat(32) });
    offer(channels[2]!.port2, { token: 'short' });
    const slow: RuntimeToHost[] = [];
    const outbox = new RelayOutbox((message) => slow.push(message));
    const switching = outbox.useFastPort(registry.claim(TOKEN, 50));
    outbox.post(deliver(1));
    outbox.post(deliver(2));
    await switching;
    outbox.post(deliver(3));
    // No port for this token came in time: everything went, in order, on the extension port.
    expect(slow).toEqual([deliver(1), deliver(2), deliver(3)]);
    outbox.close();
    for (const channel of channels) channel.port1.close();
  });

  it('sends nothing once closed (the extension port dropped), not even what it held', async () => {
    const { scope, offer } = fakeScope();
    const registry = new FastPortRegistry(scope, OFFSCREEN);
    const slow: RuntimeToHost[] = [];
    const outbox = new RelayOutbox((message) => slow.push(message));
    const switching = outbox.useFastPort(registry.claim(TOKEN));
    outbox.post(deliver(1));
    outbox.close();
    const channel = new MessageChannel();
    const fast = collect(channel.port1);
    offer(channel.port2);
    await switching;
    outbox.post(deliver(2));
    await settle();
    expect(slow).toEqual([]);
    expect(fast).toEqual([]);
    channel.port1.close();
  });
});

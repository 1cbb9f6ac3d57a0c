import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PortLike, PortTransport } from '../../extension/client/port-transport';
import type { TransportState } from '../../shared/client/transport';

class FakePort implements PortLike {
  readonly sent: unknown[] = [];
  disconnected = false;
  private readonly messageListeners: Array<(message: unknown) => void> = [];
  private readonly disconnectListeners: Array<() => void> = [];
  onMessage = { addListener: (l: (message: unknown) => void) => this.messageListeners.push(l) };
  onDisconnect = { addListener: (l: () => void) => this.disconnectListeners.push(l) };

  postMessage(message: unknown): void {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(message);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** The runtime side sends a message. */
  deliver(message: unknown): void {
    for (const l of this.messageListeners) l(message);
  }
  /** The runtime side goes away (service worker stopped). */
  drop(): void {
    this.disconnected = true;
    for (const l of this.disconnectListeners) l();
  }
}

const WELCOME = { type: 'welcome', protocolVersion: 1, clientId: 'c1', clientKind: 'panel' };

function setup(connectImpl?: () => PortLike) {
  const ports: FakePort[] = [];
  const connect = vi.fn(
    connectImpl ??
      (() => {
        const port = new FakePort();
        ports.push(port);
        return port;
      }),
  );
  const transport = new PortTransport(connect);
  const states: TransportState[] = [];
  const messages: unknown[] = [];
  transport.onState((s) => states.push(s));
  transport.onMessage((m) => messages.push(m));
  return { transport, connect, ports, states, messages };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('PortTransport', () => {
  it('is open only once the runtime has spoken, and then delivers its messages', () => {
    const { transport, ports, states, messages } = setup();
    expect(transport.state).toBe('connecting');
    expect(() => transport.send({ type: 'threads.list' })).toThrow(/connecting/);

    ports[0]?.deliver(WELCOME);
    expect(states).toEqual(['open']);
    expect(messages).toEqual([WELCOME]);

    transport.send({ type: 'threads.list', id: 'a' });
    expect(ports[0]?.sent).toEqual([{ type: 'threads.list', id: 'a' }]);
  });

  it('signals open before delivering the first message, so the client resubscribes first', () => {
    const { transport, ports } = setup();
    const order: string[] = [];
    transport.onState((s) => order.push(`state:${s}`));
    transport.onMessage(() => order.push('message'));
    ports[0]?.deliver(WELCOME);
    expect(order).toEqual(['state:open', 'message']);
  });

  it('reconnects after the service worker stops, backing off from 50 ms doubling to 2 s', () => {
    const { connect, ports, states } = setup();
    ports[0]?.deliver(WELCOME);
    ports[0]?.drop();
    expect(states).toEqual(['open', 'connecting']);

    // Each new port is refused straight away (nothing listening yet).
    const delays: number[] = [];
    let last = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const before = connect.mock.calls.length;
      let waited = 0;
      while (connect.mock.calls.length === before) {
        vi.advanceTimersByTime(10);
        waited += 10;
      }
      delays.push(waited);
      last = connect.mock.calls.length - 1;
      ports[last]?.drop();
    }
    expect(delays).toEqual([50, 100, 200, 400, 800, 1600, 2000, 2000]);
    expect(states.at(-1)).toBe('connecting');
  });

  it('goes back to the shortest delay once a connection works again', () => {
    const { connect, ports } = setup();
    ports[0]?.drop();
    vi.advanceTimersByTime(50);
    ports[1]?.drop();
    vi.advanceTimersByTime(100);
    ports[2]?.deliver(WELCOME); // open again
    ports[2]?.drop();
    const before = connect.mock.calls.length;
    vi.advanceTimersByTime(49);
    expect(connect.mock.calls.length).toBe(before);
    vi.advanceTimersByTime(1);
    expect(connect.mock.calls.length).toBe(before + 1);
  });

  it('retries when connect() itself throws (extension context being reloaded)', () => {
    let calls = 0;
    const { transport, states } = setup(() => {
      calls++;
      if (calls < 3) throw new Error('Extension context invalidated.');
      const port = new FakePort();
      queueMicrotask(() => port.deliver(WELCOME));
      return port;
    });
    expect(transport.state).toBe('connecting');
    vi.advanceTimersByTime(50 + 100);
    expect(calls).toBe(3);
    return Promise.resolve().then(() => {
      expect(states).toEqual(['open']);
    });
  });

  it('ignores a replaced port that speaks late', () => {
    const { ports, messages, states } = setup();
    const first = ports[0];
    first?.drop();
    vi.advanceTimersByTime(50);
    first?.deliver({ type: 'ack', commandId: 'stale' });
    expect(messages).toEqual([]);
    expect(states).toEqual([]); // still connecting: the stale port did not open anything
    ports[1]?.deliver(WELCOME);
    expect(messages).toEqual([WELCOME]);
    expect(states).toEqual(['open']);
  });

  it('stays closed after close(): no reconnect, the port is let go', () => {
    const { transport, connect, ports, states } = setup();
    ports[0]?.deliver(WELCOME);
    transport.close();
    expect(ports[0]?.disconnected).toBe(true);
    expect(transport.state).toBe('closed');
    vi.advanceTimersByTime(10_000);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['open', 'closed']);
    expect(() => transport.send({})).toThrow(/closed/);
  });

  it('lets a send on a port that just died throw, so the client re-sends after reconnecting', () => {
    const { transport, ports } = setup();
    ports[0]?.deliver(WELCOME);
    if (ports[0]) ports[0].disconnected = true; // died, disconnect event not delivered yet
    expect(() => transport.send({ type: 'x' })).toThrow(/disconnected port/);
  });
});

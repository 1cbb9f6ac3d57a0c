/**
 * The bridge client against a fake port: ids, validation of every answer, typed
 * errors, timeouts, cancellation, and the state a person sees when the host is
 * missing, crashes or refuses us.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BridgeError, FileBridge } from '../../extension/files/bridge-client';
import { classifyDisconnect, HOST_INSTALL_COMMAND } from '../../extension/files/bridge-state';
import type { NativeConnector, NativePort } from '../../extension/files/native-port';

interface Sent {
  id: string;
  op: string;
  [key: string]: unknown;
}

const HELLO = {
  protocolVersion: 1,
  hostVersion: '9.9.9',
  platform: 'linux',
  caller: { browser: 'chromium', extensionId: 'x' },
  roots: [],
  limits: {
    maxMessageBytes: 1,
    transferChunkBytes: 1,
    maxWriteChunkBytes: 1,
    maxEditFileBytes: 1,
    maxOpenTransfers: 1,
  },
  unavailableRoots: [],
  configError: null,
};

class FakePort implements NativePort {
  sent: Sent[] = [];
  closed = false;
  disconnectReason: string | undefined;
  private messageListeners: Array<(message: unknown) => void> = [];
  private disconnectListeners: Array<() => void> = [];
  /** Answers hello at once unless told otherwise. */
  constructor(private readonly autoHello = true) {}
  onMessage = { addListener: (l: (message: unknown) => void) => this.messageListeners.push(l) };
  onDisconnect = { addListener: (l: () => void) => this.disconnectListeners.push(l) };
  postMessage(message: unknown): void {
    const request = message as Sent;
    this.sent.push(request);
    if (request.op === 'hello' && this.autoHello) queueMicrotask(() => this.answer(request.id, HELLO));
  }
  disconnect(): void {
    this.closed = true;
  }
  answer(id: string, result: unknown): void {
    for (const l of this.messageListeners) l({ id, ok: true, result });
  }
  fail(id: string | null, code: string, message: string): void {
    for (const l of this.messageListeners) l({ id, ok: false, error: { code, message } });
  }
  raw(value: unknown): void {
    for (const l of this.messageListeners) l(value);
  }
  drop(reason: string): void {
    this.disconnectReason = reason;
    for (const l of this.disconnectListeners) l();
  }
  last(op: string): Sent {
    const found = this.sent.filter((s) => s.op === op).at(-1);
    if (!found) throw new Error(`nothing sent for ${op}`);
    return found;
  }
}

function setup(options: { autoHello?: boolean; timeoutMs?: number; idleCloseMs?: number } = {}) {
  const ports: FakePort[] = [];
  const connector: NativeConnector = {
    connect: () => {
      const port = new FakePort(options.autoHello ?? true);
      ports.push(port);
      return port;
    },
    disconnectReason: (port) => (port as FakePort).disconnectReason,
  };
  const bridge = new FileBridge({
    connector,
    timeoutMs: options.timeoutMs ?? 1_000,
    idleCloseMs: options.idleCloseMs ?? 60_000,
  });
  return { bridge, ports, port: () => ports.at(-1) as FakePort };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const statResult = {
  path: '/r/a',
  name: 'a',
  type: 'file',
  size: 1,
  mtimeMs: 0,
  ctimeMs: 0,
  permissions: 0o644,
  root: 'r',
  writable: true,
};

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('file bridge client', () => {
  it('says hello on a new port, routes answers by id in any order, and reports "connected"', async () => {
    const { bridge, port } = setup();
    const states: string[] = [];
    bridge.onStatus((s) => states.push(s.state));
    const a = bridge.call('stat', { path: 'r/a' });
    const b = bridge.call('stat', { path: 'r/b' });
    const [hello, first, second] = port().sent;
    expect(hello?.op).toBe('hello');
    expect(new Set(port().sent.map((s) => s.id)).size).toBe(3);
    port().answer(second?.id ?? '', { ...statResult, path: '/r/b' });
    port().answer(first?.id ?? '', statResult);
    expect((await a).path).toBe('/r/a');
    expect((await b).path).toBe('/r/b');
    await tick();
    expect(bridge.status).toMatchObject({ state: 'connected', hostVersion: '9.9.9' });
    expect(states).toEqual(['connected']);
  });

  it('turns a host error into a typed BridgeError with the host words', async () => {
    const { bridge, port } = setup();
    const call = bridge.call('read_file', { path: '/etc/passwd' });
    port().fail(port().last('read_file').id, 'not_allowed', '/etc/passwd is outside the allowed folders');
    await expect(call).rejects.toMatchObject({ code: 'not_allowed', message: expect.stringContaining('outside') });
  });

  it('refuses an answer that does not fit the op schema', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { bridge, port } = setup();
    const call = bridge.call('stat', { path: 'r/a' });
    port().answer(port().last('stat').id, { path: 42 });
    await expect(call).rejects.toMatchObject({ code: 'bad_answer' });
    // Garbage without an id, and answers to unknown ids, are ignored without breaking anything.
    port().raw('nonsense');
    port().raw({ id: null, ok: false, error: { code: 'bad_request', message: 'unreadable frame' } });
    port().answer('unknown-id', statResult);
    const next = bridge.call('stat', { path: 'r/a' });
    port().answer(port().last('stat').id, statResult);
    await expect(next).resolves.toMatchObject({ root: 'r' });
  });

  it('times out a request the host never answers', async () => {
    vi.useFakeTimers();
    const { bridge } = setup({ timeoutMs: 500 });
    const call = bridge.call('stat', { path: 'r/a' });
    const outcome = expect(call).rejects.toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(600);
    await outcome;
  });

  it('cancels on abort and tells the host to stop the search', async () => {
    const { bridge, port } = setup();
    const controller = new AbortController();
    const call = bridge.call(
      'search',
      { path: 'r', contentQuery: 'x', transferId: 'abc' },
      { signal: controller.signal, cancelTransferId: 'abc' },
    );
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    expect(port().last('cancel')).toMatchObject({ transferId: 'abc' });
  });

  it('shows "not installed" with the install command when the browser finds no manifest, and tries again later', async () => {
    const { bridge, ports, port } = setup({ autoHello: false });
    const call = bridge.call('stat', { path: 'r/a' });
    port().drop('Specified native messaging host not found.');
    await expect(call).rejects.toMatchObject({ code: 'not_installed' });
    expect(bridge.status).toMatchObject({ state: 'not_installed', installCommand: HOST_INSTALL_COMMAND });
    // The manifest is looked up on every connect: the next call opens a new port.
    const again = bridge.call('stat', { path: 'r/a' });
    expect(ports).toHaveLength(2);
    port().answer(port().last('hello').id, HELLO);
    port().answer(port().last('stat').id, statResult);
    await again;
    expect(bridge.status.state).toBe('connected');
  });

  it('fails requests in flight when the host dies, with the browser reason, then reconnects', async () => {
    const { bridge, ports, port } = setup();
    await bridge.check();
    const call = bridge.call('stat', { path: 'r/a' });
    port().drop('Native host has exited.');
    await expect(call).rejects.toBeInstanceOf(BridgeError);
    expect(bridge.status).toMatchObject({ state: 'error', message: expect.stringContaining('Native host has exited') });
    await bridge.check();
    expect(ports).toHaveLength(2);
    expect(bridge.status.state).toBe('connected');
  });

  it('reports a host that refuses this extension as an error', async () => {
    const { bridge, port } = setup({ autoHello: false });
    const checked = bridge.check();
    port().fail(port().last('hello').id, 'forbidden_caller', 'this host only serves the Tandem extension');
    expect((await checked).state).toBe('error');
    expect(bridge.status.message).toContain('only serves the Tandem extension');
  });

  it('closes an idle port so the service worker may sleep, keeping the "connected" state', async () => {
    vi.useFakeTimers();
    const { bridge, ports, port } = setup({ idleCloseMs: 1_000 });
    const call = bridge.call('stat', { path: 'r/a' });
    await vi.advanceTimersByTimeAsync(0);
    port().answer(port().last('stat').id, statResult);
    await call;
    expect(bridge.connected).toBe(true);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(port().closed).toBe(true);
    expect(bridge.connected).toBe(false);
    expect(bridge.status.state).toBe('connected');
    void bridge.call('stat', { path: 'r/a' }).catch(() => undefined);
    expect(ports).toHaveLength(2);
  });
});

describe('bridge state wording', () => {
  it('recognises Chrome and Firefox "not installed" messages', () => {
    expect(classifyDisconnect('Specified native messaging host not found.').state).toBe('not_installed');
    expect(classifyDisconnect('No such native application dev.tandem_agent.files').state).toBe('not_installed');
  });

  it('explains a forbidden manifest and an exited host', () => {
    const forbidden = classifyDisconnect('Access to the specified native messaging host is forbidden.');
    expect(forbidden).toMatchObject({ state: 'error', message: expect.stringContaining('does not allow') });
    expect(classifyDisconnect('Native host has exited.').message).toContain('host:doctor');
    expect(classifyDisconnect(undefined).state).toBe('error');
  });
});

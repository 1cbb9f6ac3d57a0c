/**
 * What the extension's PeerKeeper relies on to get its PeerJS id back after a network drop
 * (peers/peerjs#224 "ID is taken"): the real PeerServer hands an id that is still registered (its
 * old socket not yet noticed dead) to a client presenting the same token, and refuses anyone else.
 * It does so silently (no OPEN message), which is why PeerKeeper also counts a registration that
 * was not refused within a moment as online.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type SignalingFixture, startSignalingServer } from '../fixtures/signaling';

let signaling: SignalingFixture;

beforeAll(async () => {
  signaling = await startSignalingServer();
});

afterAll(async () => {
  await signaling.close();
});

function connect(id: string, token: string): WebSocket {
  return new WebSocket(
    `ws://127.0.0.1:${signaling.port}${signaling.path}/peerjs?key=peerjs&id=${id}&token=${token}&version=1.5.5`,
  );
}

/** The first message the server sends on this socket, or undefined if none within `ms`. */
function firstMessage(socket: WebSocket, ms = 1_000): Promise<{ type: string; payload?: unknown } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    socket.once('message', (data) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)) as { type: string });
    });
  });
}

describe('signaling id recovery', () => {
  it('gives a still-registered id back to the same token and refuses another token', async () => {
    const first = connect('tandem-abc', 'token-one');
    expect(await firstMessage(first)).toMatchObject({ type: 'OPEN' });
    // The first socket is still open, as after a drop the server has not noticed yet.
    const intruder = connect('tandem-abc', 'token-two');
    expect(await firstMessage(intruder)).toMatchObject({ type: 'ID-TAKEN' });
    const again = connect('tandem-abc', 'token-one');
    const accepted = firstMessage(again, 1_500);
    await new Promise((resolve) => again.once('open', resolve));
    // Signaling for the id now reaches the new socket.
    const caller = connect('tandem-caller', 'token-three');
    expect(await firstMessage(caller)).toMatchObject({ type: 'OPEN' });
    caller.send(JSON.stringify({ type: 'OFFER', dst: 'tandem-abc', payload: { hello: 1 } }));
    expect(await accepted).toMatchObject({ type: 'OFFER', src: 'tandem-caller' });
    for (const socket of [first, intruder, again, caller]) socket.close();
  });
});

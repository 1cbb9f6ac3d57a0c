/**
 * The extension's side of an ICE restart (shared/link/renegotiation.ts): it answers a renegotiation
 * offer over the signaling server only if the offer keeps the DTLS certificate the handshake bound,
 * so a hostile signaling server cannot swap in its own endpoint by "restarting" a live connection.
 */
import type { DataConnection } from 'peerjs';
import { describe, expect, it } from 'vitest';
import { fingerprintFromSdp } from '../../shared/link/fingerprint.ts';
import { answerIceRestarts } from '../../shared/link/renegotiation.ts';

const hexFp = (seed: number) =>
  `sha-256 ${Array.from({ length: 32 }, (_, i) => ((seed + i) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
const PHONE_FP = hexFp(1);
const MITM_FP = hexFp(7);
const sdp = (fp: string, ufrag: string) => `v=0\r\na=ice-ufrag:${ufrag}\r\na=fingerprint:${fp}\r\n`;

/** An answering RTCPeerConnection as far as the renegotiation uses it. */
class FakePeerConnection extends EventTarget {
  signalingState: RTCSignalingState = 'stable';
  remoteDescription: { type: RTCSdpType; sdp: string } | null = { type: 'offer', sdp: sdp(PHONE_FP, 'first') };
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  onicecandidate: unknown = null;
  /** What PeerJS does with an ANSWER message that holds an offer: applies it. */
  receiveOffer(fp: string): void {
    this.remoteDescription = { type: 'offer', sdp: sdp(fp, 'restart') };
    this.signalingState = 'have-remote-offer';
    this.dispatchEvent(new Event('signalingstatechange'));
  }
  async createAnswer() {
    return { type: 'answer' as const, sdp: 'v=0\r\na=ice-ufrag:answer\r\n' };
  }
  async setLocalDescription(description: { type: RTCSdpType; sdp: string }) {
    this.localDescription = description;
    this.signalingState = 'stable';
  }
}

function connection() {
  const pc = new FakePeerConnection();
  const sent: { type: string; payload: { sdp?: { type: string } }; dst: string }[] = [];
  const conn = {
    peer: 'tandem-phone-1',
    connectionId: 'dc_1',
    peerConnection: pc,
    provider: { socket: { send: (message: (typeof sent)[number]) => sent.push(message) } },
  };
  return { pc, sent, conn: conn as unknown as DataConnection };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ICE restart, the answering side', () => {
  it('answers an offer that keeps the authenticated certificate, over the signaling socket', async () => {
    const { pc, sent, conn } = connection();
    const refusals: string[] = [];
    answerIceRestarts(conn, fingerprintFromSdp(sdp(PHONE_FP, 'x')), (why) => refusals.push(why));
    pc.receiveOffer(PHONE_FP);
    await settle();
    expect(refusals).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'ANSWER', dst: 'tandem-phone-1', payload: { sdp: { type: 'answer' } } });
  });

  it('refuses, and answers nothing, when the offer names another certificate', async () => {
    const { pc, sent, conn } = connection();
    const refusals: string[] = [];
    answerIceRestarts(conn, fingerprintFromSdp(sdp(PHONE_FP, 'x')), (why) => refusals.push(why));
    pc.receiveOffer(MITM_FP);
    await settle();
    expect(sent).toEqual([]);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('DTLS certificate');
  });
});

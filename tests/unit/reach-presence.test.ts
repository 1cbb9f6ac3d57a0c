import { describe, expect, it } from 'vitest';
import {
  type PresenceFacts,
  presenceOf,
  presenceText,
  routeFromStats,
  UNREACHABLE_AFTER_MS,
} from '../../phone-web/src/presence';

const base: PresenceFacts = {
  phase: 'retrying',
  route: 'unknown',
  downSince: 1_000_000,
  lastHeardAt: 999_000,
  lastFailure: undefined,
  recoveringSince: undefined,
  now: 1_002_000,
};
const hhmm = (at: number) => `t${at}`;

describe('presence', () => {
  it('says Connected with the route while the link is open', () => {
    const presence = presenceOf({ ...base, phase: 'open', route: 'relayed' });
    expect(presence).toEqual({ kind: 'connected', route: 'relayed' });
    expect(presenceText(presence, hhmm)).toBe('Connected');
  });

  it('says Reconnecting right after a drop, not unreachable', () => {
    expect(presenceOf(base)).toEqual({ kind: 'reconnecting', since: 999_000 });
  });

  it('says unreachable since the last heartbeat once the signaling server does not know the computer', () => {
    const presence = presenceOf({ ...base, lastFailure: 'unreachable' });
    expect(presenceText(presence, hhmm)).toBe('Computer unreachable since t999000');
  });

  it('says unreachable when reconnecting outlasts the heartbeat timeout, instead of cycling Connecting', () => {
    const late = presenceOf({ ...base, phase: 'connecting', now: base.downSince + UNREACHABLE_AFTER_MS });
    expect(late).toEqual({ kind: 'unreachable', since: 999_000 });
  });

  it('says nothing of the computer while unpaired, pairing, removed or failed', () => {
    for (const phase of ['unpaired', 'pairing', 'revoked', 'failed'] as const) {
      expect(presenceOf({ ...base, phase, lastFailure: 'unreachable' })).toEqual({ kind: 'none' });
    }
  });
});

describe('route from WebRTC stats', () => {
  const candidates = (local: string, remote: string) => [
    { type: 'local-candidate', id: 'L', candidateType: local },
    { type: 'remote-candidate', id: 'R', candidateType: remote },
    { type: 'local-candidate', id: 'L2', candidateType: 'relay' },
  ];

  it('reads the transport’s selected pair', () => {
    const entries = [
      ...candidates('srflx', 'host'),
      { type: 'transport', id: 'T', selectedCandidatePairId: 'P' },
      { type: 'candidate-pair', id: 'P', localCandidateId: 'L', remoteCandidateId: 'R', state: 'succeeded' },
      { type: 'candidate-pair', id: 'Q', localCandidateId: 'L2', remoteCandidateId: 'R', state: 'waiting' },
    ];
    expect(routeFromStats(entries)).toBe('direct');
  });

  it('says relayed when either end of the selected pair is a TURN relay candidate', () => {
    const entries = [
      ...candidates('host', 'relay'),
      {
        type: 'candidate-pair',
        id: 'P',
        localCandidateId: 'L',
        remoteCandidateId: 'R',
        state: 'succeeded',
        nominated: true,
      },
    ];
    expect(routeFromStats(entries)).toBe('relayed');
  });

  it('says unknown without a selected pair', () => {
    expect(routeFromStats(candidates('host', 'host'))).toBe('unknown');
  });
});

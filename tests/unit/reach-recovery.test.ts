import { describe, expect, it } from 'vitest';
import { LinkRecovery } from '../../phone-web/src/link-recovery';
import { type PresenceFacts, presenceOf, presenceText, UNREACHABLE_AFTER_MS } from '../../phone-web/src/presence';

const open: PresenceFacts = {
  phase: 'open',
  route: 'direct',
  downSince: 0,
  lastHeardAt: 1_000_000,
  lastFailure: undefined,
  recoveringSince: undefined,
  now: 1_000_500,
};
const hhmm = (at: number) => `t${at}`;

describe('presence while the open link recovers', () => {
  it('says Reconnecting, not Connected, while the open link’s path is in doubt', () => {
    const presence = presenceOf({ ...open, recoveringSince: 1_000_200 });
    expect(presence).toEqual({ kind: 'reconnecting', since: 1_000_200 });
    expect(presenceText(presence, hhmm)).toBe('Reconnecting…');
  });

  it('says unreachable since the computer was last heard once recovering outlasts the heartbeat timeout', () => {
    const presence = presenceOf({ ...open, recoveringSince: 1_000_200, now: 1_000_200 + UNREACHABLE_AFTER_MS });
    expect(presenceText(presence, hhmm)).toBe('Computer unreachable since t1000000');
  });

  it('says Connected with the route when nothing is in doubt', () => {
    expect(presenceOf(open)).toEqual({ kind: 'connected', route: 'direct' });
  });
});

describe('link recovery', () => {
  const tracked = () => {
    let changes = 0;
    const recovery = new LinkRecovery(() => {
      changes += 1;
    });
    return { recovery, changes: () => changes };
  };

  it('is in doubt from ICE disconnected until ICE is back and a frame was heard after it', () => {
    const { recovery, changes } = tracked();
    recovery.iceState('connected', 1);
    expect(recovery.since).toBeUndefined();
    recovery.iceState('disconnected', 10);
    expect(recovery.since).toBe(10);
    // A frame over a path ICE calls down: not yet.
    recovery.heard();
    expect(recovery.since).toBe(10);
    recovery.iceState('connected', 20);
    expect(recovery.since).toBeUndefined();
    expect(changes()).toBe(2);
  });

  it('ICE back is not enough: a frame must be heard after the last sign', () => {
    const { recovery } = tracked();
    recovery.iceState('failed', 10);
    recovery.iceState('checking', 12);
    recovery.iceState('connected', 15);
    expect(recovery.since).toBe(10);
    recovery.heard();
    expect(recovery.since).toBeUndefined();
  });

  it('stays in doubt while a restart or standby is in flight, even if frames still arrive', () => {
    const { recovery, changes } = tracked();
    const restartDone = recovery.begin(100);
    const standbyDone = recovery.begin(101);
    recovery.heard();
    expect(recovery.since).toBe(100);
    restartDone();
    expect(recovery.since).toBe(100);
    standbyDone();
    // Both ended and a frame was heard after the last sign: Connected again, one change each way.
    expect(recovery.since).toBeUndefined();
    expect(changes()).toBe(2);
  });

  it('does not flap: repeated signs while in doubt keep the first time and announce nothing', () => {
    const { recovery, changes } = tracked();
    const done = recovery.begin(100);
    recovery.iceState('disconnected', 150);
    recovery.iceState('disconnected', 180);
    recovery.iceState('connected', 200);
    done();
    expect(recovery.since).toBe(100);
    expect(changes()).toBe(1);
    recovery.heard();
    expect(changes()).toBe(2);
  });

  it('ends each attempt once, however often its end is reported', () => {
    const { recovery } = tracked();
    const first = recovery.begin(1);
    const second = recovery.begin(2);
    first();
    first();
    recovery.heard();
    expect(recovery.since).toBe(1);
    second();
    expect(recovery.since).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { KeepAwake, type PowerApi } from '../../extension/platform/keep-awake';

function fakePower() {
  const calls: string[] = [];
  const power: PowerApi = {
    requestKeepAwake: (level) => calls.push(`request:${level}`),
    releaseKeepAwake: () => calls.push('release'),
  };
  return { power, calls };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('keep the computer awake while a task runs', () => {
  it('requests once for overlapping tasks and releases when the last one ends', async () => {
    const { power, calls } = fakePower();
    const awake = new KeepAwake(power, async () => true);
    const first = awake.hold();
    const second = awake.hold();
    await settle();
    expect(calls).toEqual(['request:system']);
    first();
    first();
    await settle();
    expect(calls).toEqual(['request:system']);
    second();
    await settle();
    expect(calls).toEqual(['request:system', 'release']);
  });

  it('does nothing when the setting is off, and releases at once when it is turned off', async () => {
    const { power, calls } = fakePower();
    let on = false;
    const awake = new KeepAwake(power, async () => on);
    const release = awake.hold();
    await settle();
    expect(calls).toEqual([]);
    on = true;
    await awake.refresh();
    expect(calls).toEqual(['request:system']);
    on = false;
    await awake.refresh();
    expect(calls).toEqual(['request:system', 'release']);
    release();
    await settle();
    expect(calls).toEqual(['request:system', 'release']);
  });

  it('says unsupported where there is no power API (Firefox)', () => {
    const awake = new KeepAwake(undefined, async () => true);
    expect(awake.supported).toBe(false);
    expect(() => awake.hold()()).not.toThrow();
  });
});

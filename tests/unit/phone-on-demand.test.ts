import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../phone-web/src/on-demand.ts';

describe('phone page pieces loaded on first use', () => {
  it('fetches a piece once, however often it is opened', async () => {
    let loads = 0;
    const load = loadOnce(async () => {
      loads += 1;
    });
    await Promise.all([load(), load()]);
    await load();
    expect(loads).toBe(1);
  });

  it('tries again on the next tap after a failed load (the page was offline)', async () => {
    let loads = 0;
    const load = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new TypeError('Failed to fetch dynamically imported module');
    });
    await expect(load()).rejects.toThrow('Failed to fetch');
    await expect(load()).resolves.toBeUndefined();
    expect(loads).toBe(2);
  });
});

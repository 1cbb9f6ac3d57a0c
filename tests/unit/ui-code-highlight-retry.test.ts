import { afterEach, describe, expect, it, vi } from 'vitest';

// The rust chunk fails to load once (a phone offline for a moment), then loads.
let rustFailures = 1;
vi.mock('../../shared/ui/code-languages', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../shared/ui/code-languages')>();
  return {
    ...original,
    LANGUAGE_LOADERS: {
      ...original.LANGUAGE_LOADERS,
      rust: () =>
        rustFailures-- > 0 ? Promise.reject(new TypeError('Failed to fetch')) : original.LANGUAGE_LOADERS.rust(),
    },
  };
});

const { languageToLoad, loadLanguage, RETRY_FAILED_CHUNK_MS } = await import('../../shared/ui/code-highlight');

afterEach(() => {
  vi.useRealTimers();
});

describe('a highlighter chunk that failed to load', () => {
  it('is fetched again after a while, not on every render and not never', async () => {
    vi.useFakeTimers();
    await loadLanguage('rust');
    expect(languageToLoad('rust')).toBe('rust');
    // Rendering again at once reuses the failed attempt: no new fetch.
    await loadLanguage('rust');
    expect(rustFailures).toBe(0);
    vi.advanceTimersByTime(RETRY_FAILED_CHUNK_MS);
    vi.useRealTimers();
    await loadLanguage('rust');
    expect(languageToLoad('rust')).toBeUndefined();
  });
});

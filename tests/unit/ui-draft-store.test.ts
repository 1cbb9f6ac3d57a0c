/** Unsent composer text outlives the page (a panel closed while the runtime could not store anything). */
import { afterEach, describe, expect, it } from 'vitest';
import { loadDraft, saveDraft } from '../../shared/ui/draft-store';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

afterEach(() => {
  Reflect.deleteProperty(globalThis, 'localStorage');
});

describe('composer drafts', () => {
  it('keeps a draft per thread across page loads until it is cleared', () => {
    Object.defineProperty(globalThis, 'localStorage', { value: new MemoryStorage(), configurable: true });
    saveDraft('thread-1', 'Typed while the disk was full');
    saveDraft(undefined, 'A new conversation, not sent yet');
    expect(loadDraft('thread-1')).toBe('Typed while the disk was full');
    expect(loadDraft(undefined)).toBe('A new conversation, not sent yet');
    expect(loadDraft('thread-2')).toBe('');
    saveDraft('thread-1', '  ');
    expect(loadDraft('thread-1')).toBe('');
  });

  it('works (in memory only) where localStorage is refused', () => {
    Object.defineProperty(globalThis, 'localStorage', {
      get() {
        throw new Error('SecurityError');
      },
      configurable: true,
    });
    expect(() => saveDraft('t', 'x')).not.toThrow();
    expect(loadDraft('t')).toBe('');
  });
});

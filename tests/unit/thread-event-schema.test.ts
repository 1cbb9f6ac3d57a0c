import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { EventBody, Id, ThreadEvent } from '../../shared/protocol/events';

/** What ThreadEvent meant as an intersection: the reference the single union must agree with. */
const Reference = z.intersection(
  z.object({ threadId: Id, seq: z.int().check(z.positive()), at: z.number() }),
  EventBody,
);

const samples: unknown[] = [
  { threadId: 't', seq: 1, at: 5, kind: 'text', taskId: 'k', turnId: 'u', text: 'hi ' },
  { threadId: 't', seq: 2, at: 5, kind: 'text', taskId: 'k', turnId: 'u', text: 'hi', extra: 'dropped' },
  { threadId: 't', seq: 3, at: 5, kind: 'task_started', taskId: 'k' },
  { threadId: 't', seq: 4, at: 5, kind: 'tab_acting', taskId: 'k', tab: null },
  { threadId: 't', seq: 0, at: 5, kind: 'task_started', taskId: 'k' },
  { threadId: '', seq: 1, at: 5, kind: 'task_started', taskId: 'k' },
  { seq: 1, at: 5, kind: 'task_started', taskId: 'k' },
  { threadId: 't', seq: 1, at: 5, kind: 'made_up' },
  { threadId: 't', seq: 1, at: 5, kind: 'text', taskId: 'k', turnId: 'u' },
  'not an event',
  null,
];

describe('ThreadEvent schema', () => {
  it('is one discriminated union on kind, so each event is parsed once (not once per side of an intersection)', () => {
    expect(ThreadEvent._zod.def.type).toBe('union');
    const options = (ThreadEvent._zod.def as unknown as { options: unknown[] }).options;
    expect(options).toHaveLength(EventBody._zod.def.options.length);
  });

  it('accepts, rejects and strips exactly as header ∩ body does', () => {
    for (const sample of samples) {
      const got = ThreadEvent.safeParse(sample);
      const want = Reference.safeParse(sample);
      expect(got.success, JSON.stringify(sample)).toBe(want.success);
      if (got.success && want.success) expect(got.data).toEqual(want.data);
    }
    // Sanity: the samples hold both outcomes.
    expect(samples.filter((s) => Reference.safeParse(s).success).length).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import { boundToolOutput } from '../../extension/runtime/bound-output';

describe('tool output bound', () => {
  it('passes small output through', () => {
    expect(boundToolOutput([{ type: 'text', text: 'hi' }], 10)).toEqual({
      content: [{ type: 'text', text: 'hi' }],
      truncated: false,
    });
  });
  it('cuts large text and says so', () => {
    const { content, truncated } = boundToolOutput(
      [
        { type: 'text', text: 'x'.repeat(100) },
        { type: 'text', text: 'more' },
      ],
      40,
    );
    expect(truncated).toBe(true);
    expect(content).toHaveLength(1);
    const first = content[0];
    expect(first?.type === 'text' && first.text.startsWith('x'.repeat(40))).toBe(true);
    expect(first?.type === 'text' && first.text).toContain('showing 40 of 100 characters');
  });
  it('keeps at most three images and never returns nothing', () => {
    const image = {
      type: 'image' as const,
      source: { type: 'base64' as const, media_type: 'image/png' as const, data: 'AA' },
    };
    expect(boundToolOutput([image, image, image, image]).content).toHaveLength(3);
    expect(boundToolOutput([])).toEqual({ content: [{ type: 'text', text: '(no output)' }], truncated: false });
  });
});

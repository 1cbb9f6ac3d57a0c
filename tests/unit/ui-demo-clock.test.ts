import { describe, expect, it } from 'vitest';
import { demoModel } from '../fixtures/model-server';
import type { MessagesRequest } from '../fixtures/model-server/request-schema';

/** What the extension's clock tool returns (extension/tools/clock.ts): a JSON object for the model. */
const clockOutput = JSON.stringify({
  iso: '2026-12-01T16:30:00.000Z',
  local: 'Tuesday 1 December 2026 at 17:30:00 CET',
  timeZone: 'Europe/Paris',
  userTimeZone: 'Europe/Paris',
  epochMs: 1796142600000,
});

function afterClock(output: string): MessagesRequest {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    tools: [{ name: 'clock', description: 'time', input_schema: { type: 'object' } }],
    messages: [
      { role: 'user', content: 'What time is it?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'clock', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: output }] },
    ],
  } as MessagesRequest;
}

describe('demo model', () => {
  it('answers the clock in words, not with the raw JSON the tool gave it', () => {
    const turn = demoModel(afterClock(clockOutput));
    expect(turn).toMatchObject({ kind: 'text' });
    const text = 'text' in turn ? String(turn.text) : '';
    expect(text).toContain('Tuesday 1 December 2026 at 17:30:00 CET');
    expect(text).not.toMatch(/[{}"]/);
  });

  it('still quotes a clock output that is not JSON', () => {
    const turn = demoModel(afterClock('noon'));
    expect('text' in turn ? turn.text : '').toContain('noon');
  });
});

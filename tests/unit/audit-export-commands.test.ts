/**
 * `audit.export` and `audit.head` through the runtime's command table: after a task with an
 * automatic tool call and one the user allowed, the panel gets a file that verifies and whose head
 * is the chain's; a phone is refused both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS } from '../../shared/audit/audit-chain';
import { verifyAuditExport } from '../../shared/audit/verify-audit-export';
import type { RuntimeMessage } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime } from '../support/runtime-harness';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());

function last<T extends RuntimeMessage['type']>(messages: RuntimeMessage[], type: T) {
  return messages.filter((m): m is RuntimeMessage & { type: T } => m.type === type).at(-1);
}

describe('audit export commands', () => {
  it('exports the chained log after tool calls and reports the same head', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    expect(await panel.command({ type: 'audit.head' })).toMatchObject({ type: 'ack' });
    expect(last(panel.messages, 'audit.head')).toMatchObject({ rows: 0, head: GENESIS });

    const threadId = await newThread(panel);
    server.script([
      { kind: 'tool_use', name: 'clock', input: { timeZone: 'UTC' } },
      { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'All set' } },
      { kind: 'text', text: 'Notified.' },
    ]);
    await panel.command({ type: 'message.send', threadId, text: 'Time, then ping me' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await panel.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'allow_once' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');

    expect(await panel.command({ type: 'audit.export' })).toMatchObject({ type: 'ack' });
    const file = last(panel.messages, 'audit.export');
    if (!file) throw new Error('no audit.export message');
    const verdict = verifyAuditExport(file.jsonl);
    expect(verdict).toMatchObject({ ok: true, rows: 2, head: file.head });
    const rows = file.jsonl
      .trimEnd()
      .split('\n')
      .slice(1, -1)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toEqual([
      expect.objectContaining({ tool: 'clock', decision: 'auto', outcome: 'ok', threadId }),
      expect.objectContaining({ tool: 'notify_user', decision: 'allowed', decidedBy: 'panel', outcome: 'ok' }),
    ]);
    await panel.command({ type: 'audit.head' });
    expect(last(panel.messages, 'audit.head')).toEqual({ type: 'audit.head', rows: 2, head: file.head });

    const phone = connect(assembled, 'phone');
    expect(await phone.command({ type: 'audit.export' })).toMatchObject({ type: 'error' });
    expect(await phone.command({ type: 'audit.head' })).toMatchObject({ type: 'error' });
    expect(phone.messages.some((m) => m.type === 'audit.export' || m.type === 'audit.head')).toBe(false);
  });
});

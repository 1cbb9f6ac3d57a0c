/** Rows the event-log tests share: an empty thread `t1`, a text event, an audit entry. */
import type { ThreadRecord } from '../../../extension/storage/db';
import type { AuditEntry } from '../../../shared/protocol';

export const emptyThread = (): ThreadRecord => ({
  id: 't1',
  title: 'Log',
  createdAt: 1,
  updatedAt: 1,
  archived: false,
  lastSeq: 0,
  status: 'idle',
  pendingDecisions: 0,
  usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
  costUsd: 0,
});

export const text = (n: number) => ({ kind: 'text', taskId: 'k', turnId: 'u', text: `e${n}` }) as const;

export const auditRow = (toolUseId: string): AuditEntry =>
  ({
    threadId: 't1',
    taskId: 'k',
    toolUseId,
    at: 1_000,
    tool: 'read_page',
    input: {},
    decision: 'auto',
    outcome: 'ok',
    summary: 'read',
  }) as unknown as AuditEntry;

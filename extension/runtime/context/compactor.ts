/**
 * Compaction: the model summarises the older part of the conversation, and later
 * requests send that summary in its place. The request carries the same tools
 * as the conversation (the API requires them whenever tool_use blocks appear)
 * and the same view of the old messages the model has been seeing (stubs
 * included), so the summary covers exactly what it knew.
 */
import type { Usage } from '../../../shared/protocol';
import type { ApiMessage } from '../conversation-state';
import type { ModelClient, ModelRequest } from '../model-client';
import type { RequestView } from './request-view';

export const COMPACTION_SYSTEM =
  'You are summarising a conversation between a user and you (an AI agent working in their browser with tools) so that it can continue in a fresh context. Write the summary for yourself.';

export const COMPACTION_INSTRUCTION =
  'The conversation above is being compacted. Summarise it for your own later use: what the user asked for and still wants, what has been done (tools used, pages visited with their URLs, files read or written with their paths), the facts and results found, decisions made, and what is still open. Keep every detail needed to continue the work; leave out what no longer matters. Reply with the summary only.';

const SUMMARY_MAX_TOKENS = 2_048;

export interface CompactionResult {
  summary: string;
  usage: Usage;
}

/** The messages before `through` (a source index), as the model saw them, plus the request to summarise. */
export function compactionMessages(view: RequestView, through: number): ApiMessage[] {
  const older = view.messages.filter((_, i) => (view.sourceIndex[i] ?? -1) < through);
  return [...older, { role: 'user', content: [{ type: 'text', text: COMPACTION_INSTRUCTION }] }];
}

export async function summarise(
  model: ModelClient,
  request: Omit<ModelRequest, 'messages' | 'system' | 'maxTokens' | 'onText'>,
  messages: ApiMessage[],
): Promise<CompactionResult | undefined> {
  const response = await model.call({
    ...request,
    system: COMPACTION_SYSTEM,
    maxTokens: SUMMARY_MAX_TOKENS,
    messages,
    onText: () => {},
  });
  const summary = response.content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('\n')
    .trim();
  return summary ? { summary, usage: response.usage } : undefined;
}

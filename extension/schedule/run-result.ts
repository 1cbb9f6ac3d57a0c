/** A run's result in one line, for the list and the notification: the outcome and the model's last words. */
import type { AssistantBlock, TaskOutcome } from '../../shared/protocol';
import type { TandemDatabase } from '../storage/db';

const MAX_LINE = 140;
const LOOK_BACK = 60;

const PREFIX: Record<TaskOutcome, string> = {
  completed: 'Done',
  stopped: 'Stopped',
  failed: 'Failed',
  max_tokens: 'Cut off (answer too long)',
  refusal: 'Refused',
  budget_stopped: 'Stopped at its cap',
};

export async function runResultLine(db: TandemDatabase, threadId: string, outcome: TaskOutcome): Promise<string> {
  const recent = await db.events
    .where('[threadId+seq]')
    .between([threadId, 0], [threadId, Number.MAX_SAFE_INTEGER])
    .reverse()
    .limit(LOOK_BACK)
    .toArray();
  let words: string | undefined;
  for (const event of recent) {
    if (event.kind === 'error') words ??= event.message;
    if (event.kind === 'assistant_message') {
      words = firstLine(event.content);
      if (words) break;
    }
    if (event.kind === 'user_message') break;
  }
  const line = words ? `${PREFIX[outcome]}: ${words}` : PREFIX[outcome];
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

function firstLine(content: readonly AssistantBlock[]): string | undefined {
  for (const block of content) {
    if (block.type !== 'text') continue;
    const line = block.text.trim().split('\n')[0]?.trim();
    if (line) return line;
  }
  return undefined;
}

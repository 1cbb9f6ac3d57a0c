/**
 * Caps what a tool hands back to the model. A page or a file can be megabytes;
 * sent whole it would blow the context window and the budget in one step.
 */
import type { ToolOutputBlock } from '../../shared/protocol';

/** About 12k tokens of text per tool result. */
export const MAX_TOOL_TEXT_CHARS = 48_000;
/** A few screenshots at most per result. */
export const MAX_TOOL_IMAGES = 3;

export function boundToolOutput(
  blocks: readonly ToolOutputBlock[],
  maxChars = MAX_TOOL_TEXT_CHARS,
): { content: ToolOutputBlock[]; truncated: boolean } {
  let remaining = maxChars;
  let images = 0;
  let truncated = false;
  const content: ToolOutputBlock[] = [];
  for (const block of blocks) {
    if (block.type === 'image') {
      if (images < MAX_TOOL_IMAGES) {
        content.push(block);
        images++;
      } else truncated = true;
      continue;
    }
    if (remaining <= 0) {
      truncated = true;
      continue;
    }
    if (block.text.length <= remaining) {
      content.push(block);
      remaining -= block.text.length;
      continue;
    }
    const total = block.text.length;
    content.push({
      type: 'text',
      text: `${block.text.slice(0, remaining)}\n\n[Output truncated: showing ${remaining} of ${total} characters. Ask for a narrower range if you need more.]`,
    });
    remaining = 0;
    truncated = true;
  }
  if (content.length === 0) content.push({ type: 'text', text: '(no output)' });
  return { content, truncated };
}

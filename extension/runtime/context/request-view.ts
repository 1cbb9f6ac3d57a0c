/**
 * What a model request carries, built from the full conversation. The log and
 * `ConversationState.messages` always keep everything; this view decides what is
 * sent:
 * - refused exchanges are left out (the API says refusals stick otherwise);
 * - messages covered by a compaction are replaced by the model's summary;
 * - tool outputs and images before `elideBefore` become short stubs that say
 *   what was there and how to get it again;
 * - nothing the API rejects: no empty or whitespace-only text, no empty tool
 *   result, no trailing whitespace at the end of a final assistant message.
 */
import type { ToolOutputBlock } from '../../../shared/protocol';
import type { ApiContentBlock, ApiMessage, Compaction } from '../conversation-state';

export interface ViewSource {
  /** The whole conversation, the current step's tool results included. */
  messages: readonly ApiMessage[];
  excluded: ReadonlyArray<{ from: number; to: number }>;
  compaction: Compaction | undefined;
  /** Counts branches (edited messages): a new one means messages were cut, so earlier sizes do not apply. */
  branch?: number;
}

export interface ViewOptions {
  /** Tool outputs and images in messages before this index are replaced by stubs. */
  elideBefore: number;
  /** Images kept, newest first; older ones become stubs too. */
  maxRecentImages: number;
}

export interface RequestView {
  messages: ApiMessage[];
  /** For each sent message, its index in the source (-1 for the summary message). */
  sourceIndex: number[];
  elided: { outputs: number; images: number };
}

export const SUMMARY_HEADING =
  '[Summary of the earlier conversation, written by you when it grew too long for the context window:]';

export function outputStub(name: string, chars: number, images: number): string {
  const parts = [
    chars > 0 ? `${chars.toLocaleString('en-US')} characters of text` : '',
    images > 0 ? `${images} image(s)` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return `[Earlier output of ${name} left out to keep the conversation within its context budget (${parts || 'no content'}). Call ${name} again if you need it.]`;
}

export const ATTACHED_IMAGE_STUB =
  '[An image the user attached earlier was left out to keep the request small. Ask them to attach it again if you need to see it.]';

export function imageStub(name: string): string {
  return `[An earlier image from ${name} was left out to keep the request small. Take a new screenshot or read the file again if you need to see it.]`;
}

function excludedAt(index: number, excluded: ViewSource['excluded']): boolean {
  return excluded.some((range) => index >= range.from && index < range.to);
}

function nonBlank(blocks: ToolOutputBlock[]): ToolOutputBlock[] {
  const kept = blocks.filter((block) => block.type !== 'text' || block.text.trim().length > 0);
  return kept.length > 0 ? kept : [{ type: 'text', text: '(no output)' }];
}

export function requestView(source: ViewSource, options: ViewOptions): RequestView {
  const start = source.compaction?.throughMessage ?? 0;
  const toolNames = new Map<string, string>();
  const picked: Array<{ index: number; message: ApiMessage }> = [];
  for (let index = 0; index < source.messages.length; index++) {
    const message = source.messages[index];
    if (!message) continue;
    if (message.role === 'assistant') {
      for (const block of message.content) if (block.type === 'tool_use') toolNames.set(block.id, block.name);
    }
    if (index < start || excludedAt(index, source.excluded)) continue;
    const content = message.content.filter((block) => block.type !== 'text' || block.text.trim().length > 0);
    if (content.length === 0) continue;
    picked.push({ index, message: { role: message.role, content } });
  }

  // Images are counted from the newest back; anything before the elision point is stubbed regardless.
  let imagesSeen = 0;
  const elided = { outputs: 0, images: 0 };
  for (let p = picked.length - 1; p >= 0; p--) {
    const entry = picked[p];
    if (!entry) continue;
    const elide = entry.index < options.elideBefore;
    entry.message = {
      role: entry.message.role,
      content: entry.message.content.map((block): ApiContentBlock => {
        // An image the person attached counts against the same budget (the API's 100-image cap).
        if (block.type === 'image') {
          imagesSeen++;
          if (!elide && imagesSeen <= options.maxRecentImages) return block;
          elided.images++;
          return { type: 'text', text: ATTACHED_IMAGE_STUB };
        }
        if (block.type !== 'tool_result') return block;
        const name = toolNames.get(block.tool_use_id) ?? 'the tool';
        if (elide) {
          const chars = block.content.reduce((sum, b) => sum + (b.type === 'text' ? b.text.length : 0), 0);
          const images = block.content.filter((b) => b.type === 'image').length;
          elided.outputs++;
          elided.images += images;
          return { ...block, content: [{ type: 'text', text: outputStub(name, chars, images) }] };
        }
        const content = [...block.content].reverse().map((b): ToolOutputBlock => {
          if (b.type !== 'image') return b;
          imagesSeen++;
          if (imagesSeen <= options.maxRecentImages) return b;
          elided.images++;
          return { type: 'text', text: imageStub(name) };
        });
        return { ...block, content: nonBlank(content.reverse()) };
      }),
    };
  }

  const messages = picked.map((entry) => entry.message);
  const sourceIndex = picked.map((entry) => entry.index);
  if (source.compaction) {
    const summary: ApiContentBlock = { type: 'text', text: `${SUMMARY_HEADING}\n\n${source.compaction.summary}` };
    messages.unshift({ role: 'user', content: [summary] });
    sourceIndex.unshift(-1);
  }
  trimFinalAssistant(messages);
  return { messages, sourceIndex, elided };
}

/** The API refuses a final assistant message (a continuation) that ends in whitespace. */
function trimFinalAssistant(messages: ApiMessage[]): void {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return;
  const block = last.content.at(-1);
  if (block?.type !== 'text') return;
  const text = block.text.trimEnd();
  last.content = text ? [...last.content.slice(0, -1), { ...block, text }] : last.content.slice(0, -1);
  if (last.content.length === 0) messages.pop();
}

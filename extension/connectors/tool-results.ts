/**
 * An MCP tool result as the model gets it. Everything a server returns is outside
 * data: its text is bounded here (before wrapping, so the closing delimiter is never
 * cut off by the runner's own bound) and wrapped as untrusted content naming the
 * connector and tool; images the API accepts pass as images; embedded resources,
 * links and structured content become text; anything else is named, not passed.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolOutputBlock } from '../../shared/protocol';
import { cutText, wrapUntrusted } from '../permissions/untrusted-content';
import type { ToolOutput } from '../tools/registry';

/** Below the runner's 48k bound (runtime/bound-output.ts), leaving room for the wrapper. */
export const MAX_CONNECTOR_TEXT_CHARS = 40_000;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
/** Base64 of a ~3.75 MB image: the API's per-image limit (../shared/API-LIMITS.md) is 5 MB of base64. */
const MAX_IMAGE_BASE64 = 5 * 1024 * 1024;

type ContentItem = CallToolResult['content'][number];

function describe(item: ContentItem, images: ToolOutputBlock[]): string | undefined {
  switch (item.type) {
    case 'text':
      return item.text;
    case 'image':
      if (IMAGE_TYPES.has(item.mimeType) && item.data.length <= MAX_IMAGE_BASE64) {
        images.push({
          type: 'image',
          source: { type: 'base64', media_type: item.mimeType as ImageType, data: item.data },
        });
        return undefined;
      }
      return `[image of type ${item.mimeType} not shown: unsupported type or too large]`;
    case 'audio':
      return `[audio of type ${item.mimeType} not shown]`;
    case 'resource_link':
      return `[resource link] ${item.name}: ${item.uri}${item.description ? ` — ${item.description}` : ''}`;
    case 'resource': {
      const r = item.resource;
      if ('text' in r) return `[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}]\n${r.text}`;
      if (r.mimeType && IMAGE_TYPES.has(r.mimeType) && r.blob.length <= MAX_IMAGE_BASE64) {
        images.push({ type: 'image', source: { type: 'base64', media_type: r.mimeType as ImageType, data: r.blob } });
        return `[resource ${r.uri} (${r.mimeType}), shown as an image]`;
      }
      return `[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}: ${Math.floor((r.blob.length * 3) / 4)} bytes of binary data, not shown]`;
    }
    default:
      return '[content of an unknown type, not shown]';
  }
}

export function toToolOutput(source: string, result: CallToolResult): ToolOutput {
  const images: ToolOutputBlock[] = [];
  const parts: string[] = [];
  for (const item of result.content ?? []) {
    const text = describe(item, images);
    if (text !== undefined) parts.push(text);
  }
  if (result.structuredContent !== undefined)
    parts.push(`[structured content]\n${JSON.stringify(result.structuredContent, null, 2)}`);
  const joined = parts.join('\n\n');
  const { text, cut } = cutText(joined, MAX_CONNECTOR_TEXT_CHARS);
  const note = cut ? `\n\n[Output cut: showing ${text.length} of ${joined.length} characters.]` : '';
  const content: ToolOutputBlock[] = [];
  if (text.length > 0 || images.length === 0) content.push({ type: 'text', text: wrapUntrusted(source, text) + note });
  content.push(...images);
  return { content, ...(result.isError ? { isError: true } : {}) };
}

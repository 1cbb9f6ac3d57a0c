/**
 * A thread as a file a person keeps: Markdown to read, JSON with every event (tool calls, their
 * results, each decision and who made it) to process. Pure: from the events the client holds.
 */
import type { ThreadEvent } from '../protocol/events';

export interface ExportedThread {
  id: string;
  title: string;
  /** False when older events were not loaded into this client (the export starts later). */
  complete: boolean;
}

const FENCE = '```';

function fence(text: string, lang = ''): string {
  // A longer fence than any run of backticks inside, so the content cannot close it.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = '`'.repeat(Math.max(FENCE.length, longest + 1));
  return `${marks}${lang}\n${text}\n${marks}`;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

export function threadToMarkdown(thread: ExportedThread, events: readonly ThreadEvent[]): string {
  const out: string[] = [`# ${thread.title}`, ''];
  if (!thread.complete) out.push('_Older messages were not loaded when this was exported._', '');
  const decisions = new Map<string, string>();
  for (const e of events) {
    const when = new Date(e.at).toISOString();
    switch (e.kind) {
      case 'user_message':
        out.push(`## You (${e.by.kind}, ${when})`, '', e.text, '');
        // The files themselves are in the JSON export; the Markdown says what was attached.
        if (e.attachments?.length) out.push(`_Attached: ${e.attachments.map((a) => a.name).join(', ')}_`, '');
        break;
      case 'assistant_message':
        for (const block of e.content) {
          if (block.type === 'text' && block.text.trim()) out.push(`## Claude (${when})`, '', block.text, '');
          if (block.type === 'tool_use') {
            out.push(`### Tool call: ${block.name}`, '', fence(JSON.stringify(block.input, null, 2), 'json'), '');
          }
        }
        break;
      case 'tool_result': {
        const text = e.content.map((b) => (b.type === 'text' ? b.text : `[image: ${b.source.media_type}]`)).join('\n');
        out.push(`### ${e.isError ? 'Tool error' : 'Tool result'}: ${e.name}`, '', fence(text), '');
        break;
      }
      case 'decision_requested':
        decisions.set(e.decisionId, e.title);
        out.push(quote(`**Asked:** ${e.title}`), '');
        break;
      case 'decision_resolved':
        out.push(
          quote(`**Answered** by the ${e.by.kind}: ${e.optionId} (${decisions.get(e.decisionId) ?? e.decisionId})`),
          '',
        );
        break;
      case 'error':
        out.push(quote(`**Error:** ${e.message}`), '');
        break;
      default:
        break;
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function threadToJson(thread: ExportedThread, events: readonly ThreadEvent[], exportedAt: number): string {
  return `${JSON.stringify(
    { format: 'tandem-thread', version: 1, exportedAt: new Date(exportedAt).toISOString(), thread, events },
    null,
    2,
  )}\n`;
}

/** A file name from the title: letters, digits and dashes only. */
export function exportFileName(title: string, extension: 'md' | 'json'): string {
  const base = title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'thread'}.${extension}`;
}

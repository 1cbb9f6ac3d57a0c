/** The one-line hint a tool card shows next to the tool name (the URL, the path…). Pure. */

const PREFERRED_KEYS = ['url', 'path', 'query', 'selector', 'command', 'text', 'name'];
const MAX_CHARS = 80;

export function summarizeToolInput(input: Record<string, unknown>): string {
  const preferred = PREFERRED_KEYS.map((k) => input[k]).find((v) => typeof v === 'string' && v.trim());
  const value = preferred ?? Object.values(input).find((v) => typeof v === 'string' && v.trim());
  if (typeof value !== 'string') return '';
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length > MAX_CHARS ? `${line.slice(0, MAX_CHARS - 1)}…` : line;
}

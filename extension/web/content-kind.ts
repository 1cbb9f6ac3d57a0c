/**
 * What a fetched body is: HTML (made readable), other text (returned as is), or
 * binary (refused: the model cannot use raw bytes, and a download is not a
 * read). Pure except `readBody`, which only reads a Response.
 */

export type ContentKind = 'html' | 'text' | 'binary';

export interface ContentType {
  mediaType: string;
  charset: string | undefined;
}

export function parseContentType(header: string | null | undefined): ContentType {
  if (!header) return { mediaType: '', charset: undefined };
  const [type = '', ...params] = header.split(';');
  let charset: string | undefined;
  for (const param of params) {
    const [key, value] = param.split('=');
    if (key?.trim().toLowerCase() === 'charset' && value) charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return { mediaType: type.trim().toLowerCase(), charset };
}

const TEXT_TYPES = new Set([
  'application/json',
  'application/ld+json',
  'application/xml',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/csv',
  'application/rss+xml',
  'application/atom+xml',
  'image/svg+xml',
]);

function looksBinary(sample: Uint8Array): boolean {
  const length = Math.min(sample.length, 1_024);
  for (let i = 0; i < length; i++) if (sample[i] === 0) return true;
  return false;
}

function looksHtml(sample: Uint8Array): boolean {
  const head = new TextDecoder().decode(sample.subarray(0, 512)).trimStart().toLowerCase();
  return (
    head.startsWith('<!doctype html') ||
    head.startsWith('<html') ||
    head.startsWith('<head') ||
    head.startsWith('<body')
  );
}

/** Decides from the declared type, falling back to sniffing the first bytes when none is declared. */
export function classifyContent(mediaType: string, sample: Uint8Array): ContentKind {
  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml') return 'html';
  if (mediaType.startsWith('text/') || TEXT_TYPES.has(mediaType)) return 'text';
  if (mediaType.endsWith('+json') || mediaType.endsWith('+xml')) return 'text';
  if (mediaType === '' || mediaType === 'application/octet-stream') {
    // Undeclared or generic: servers label plenty of text this way, so look at the bytes.
    if (looksBinary(sample)) return 'binary';
    return mediaType === '' && looksHtml(sample) ? 'html' : 'text';
  }
  return 'binary';
}

export function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the web's default and the best guess.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1_024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${(bytes / 1_024).toFixed(0)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** Reads at most `maxBytes` of a body; the rest is cancelled, not downloaded. */
export async function readBody(
  response: Response,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), truncated: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.length > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - total));
      total = maxBytes;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    total += value.length;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, truncated };
}

/**
 * web_fetch: a page's readable content as Markdown (other text as is), through
 * the egress gate. Asks the user about a site they have not decided on; every
 * redirect hop is checked before it is requested (web/egress-gate.ts).
 */
import { z } from 'zod';
import type { PermissionRequest } from '../permissions/permission-gate';
import { cutText, wrapUntrusted } from '../permissions/untrusted-content';
import { classifyContent, decodeText, formatBytes, parseContentType, readBody } from '../web/content-kind';
import type { WebPlatform } from '../web/platform';
import { unreachableReason } from '../web/reachability';
import { SITE_POLICY } from '../web/site-policy';
import { type ToolContext, type ToolDefinition, ToolError, type ToolOutput } from './registry';

/** Bodies beyond this are not read: 5 MB of HTML is already far more text than a model turn can use. */
export const MAX_FETCH_BYTES = 5 * 1_024 * 1_024;
/** Below the runtime's 48k-character cap on a tool result, so our own note (and the closing delimiter) survive. */
export const DEFAULT_FETCH_CHARS = 40_000;

const WebFetchInput = z.object({
  url: z.string().min(1).max(4_096).describe('The http or https URL to read.'),
  maxChars: z
    .number()
    .int()
    .min(1_000)
    .max(DEFAULT_FETCH_CHARS)
    .optional()
    .describe(`Most characters of content to return (default ${DEFAULT_FETCH_CHARS}).`),
});
type WebFetchInput = z.infer<typeof WebFetchInput>;

export function parseToolUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ToolError(`"${text.slice(0, 200)}" is not a valid URL; give a full http or https URL.`);
  }
  const unreachable = unreachableReason(url);
  if (unreachable) throw new ToolError(unreachable.message);
  return url;
}

/** The question for reaching a site; the answer covers its whole origin. */
export function siteRequest(url: URL, what: string): PermissionRequest {
  return {
    policy: SITE_POLICY,
    scope: url.origin,
    title: `Let Tandem ${what} ${url.origin}?`,
    detail: `The agent wants to ${what} ${url.href}. Your answer applies to the whole site ${url.origin}.`,
  };
}

export function gateContext(ctx: ToolContext): { taskId: string; now: number } {
  return { taskId: ctx.taskId, now: ctx.now().getTime() };
}

async function fetchPage(web: WebPlatform, input: WebFetchInput, ctx: ToolContext): Promise<ToolOutput> {
  const { response, url, redirectedFrom } = await web.egress.fetch(input.url, gateContext(ctx), ctx.signal);
  const { mediaType, charset } = parseContentType(response.headers.get('content-type'));
  const { bytes, truncated: bytesCut } = await readBody(response, MAX_FETCH_BYTES);
  const kind = classifyContent(mediaType, bytes);
  if (kind === 'binary') {
    throw new ToolError(
      `${url.href} is ${mediaType || 'binary data'} (${formatBytes(bytes.length)}${bytesCut ? ' or more' : ''}): web_fetch reads web pages and text, not binary files.`,
    );
  }
  const text = decodeText(bytes, charset);
  const limit = input.maxChars ?? DEFAULT_FETCH_CHARS;
  let title = '';
  let content = text;
  let fullChars = text.length;
  if (kind === 'html') {
    const extract = await web.extractor.extract(text, url.href, limit);
    title = extract.title;
    content = extract.markdown;
    fullChars = extract.cut ? extract.textChars : content.length;
  }
  const shown = cutText(content, limit);
  const lines = [
    `Fetched ${url.href}${redirectedFrom[0] ? ` (redirected from ${redirectedFrom[0].href})` : ''}`,
    `HTTP ${response.status}; ${mediaType || 'no content type'}${kind === 'html' ? ' as readable Markdown' : ''}.`,
    wrapUntrusted(url.origin, `${title ? `Title: ${title}\n\n` : ''}${shown.text || '(no readable text)'}`),
  ];
  if (shown.cut || fullChars > content.length) {
    lines.push(
      `[Cut: showing the first ${shown.text.length} characters of about ${Math.max(fullChars, content.length)}.]`,
    );
  }
  if (bytesCut) lines.push(`[Only the first ${formatBytes(MAX_FETCH_BYTES)} of the page were read.]`);
  return {
    content: [{ type: 'text', text: lines.join('\n') }],
    ...(response.ok ? {} : { isError: true }),
    display: `${url.href}${title ? ` — ${title}` : ''}`,
  };
}

export function webTools(web: WebPlatform): ToolDefinition<typeof WebFetchInput>[] {
  return [
    {
      name: 'web_fetch',
      description:
        'Reads a web page (http or https) and returns its main content as Markdown, with its title and final URL; plain text and JSON come back as text. Only sites the user allows can be read: an unknown site asks the user first. Binary files are refused. Redirects to sites that are not allowed are not followed.',
      input: WebFetchInput,
      risk: 'read',
      idempotent: true,
      permission: (input) => siteRequest(parseToolUrl(input.url), 'read'),
      execute: (input, ctx) => fetchPage(web, input, ctx),
    },
  ];
}

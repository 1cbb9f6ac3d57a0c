/**
 * Worker ↔ offscreen document messages (Chrome only: Firefox's background page
 * has a DOM itself). The offscreen document is one per extension and hosts
 * several jobs (see extension/platform/offscreen.ts); each request names its
 * job in `type`, and every message is validated on both sides.
 */
import { z } from 'zod/mini';

/** Marks a runtime message as meant for the offscreen document (the side panel ignores it). */
export const OFFSCREEN_TARGET = 'tandem-offscreen';

export const OffscreenRequest = z.discriminatedUnion('type', [
  /** Readable Markdown from an HTML page (DOMParser + Readability + Turndown). */
  z.object({
    target: z.literal(OFFSCREEN_TARGET),
    type: z.literal('web.extract'),
    html: z.string(),
    /** The page's final URL: relative links are resolved against it. */
    url: z.url(),
    /** Markdown beyond this many characters is not needed: the article is cut before conversion. */
    maxChars: z.int().check(z.positive()),
  }),
]);
export type OffscreenRequest = z.infer<typeof OffscreenRequest>;

export const ReadableExtract = z.object({
  title: z.string(),
  markdown: z.string(),
  /** False when Readability found no article and the whole body was converted. */
  readability: z.boolean(),
  /** The content's length in characters of text, before any cut. */
  textChars: z.int().check(z.nonnegative()),
  /** The content was cut before conversion (it had more than maxChars worth of text). */
  cut: z.boolean(),
});
export type ReadableExtract = z.infer<typeof ReadableExtract>;

export const OffscreenExtractResponse = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: ReadableExtract }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type OffscreenExtractResponse = z.infer<typeof OffscreenExtractResponse>;

/**
 * Files a person attaches to a message (panel: picker, drop, paste, a screenshot of the tab they
 * look at; phone: the camera roll). They travel inside `message.send` and are stored with the
 * `user_message` event, so the planner builds the request from the log alone.
 *
 * The caps keep one message inside every pipe it crosses and inside the Messages API's limits
 * (../../docs/ARCHITECTURE.md, "Attachments"):
 * - the phone link reassembles at most `maxPhoneMessageBytes` per command (extension/link/limits.ts),
 *   so all attachments of a message together stay under `maxTotalChars` (base64 / text characters);
 * - images are scaled by the client to the API's recommended 1568 px long side (which is also under
 *   the 2000 px many-image limit) and re-encoded under `maxImageChars`, far below the API's 5 MB;
 * - text files are sent as text blocks, capped so one file cannot fill the context window;
 * - PDFs go as `document` blocks, only to models the model table says read them.
 */
import { z } from 'zod/mini';

export const ATTACHMENT_LIMITS = Object.freeze({
  maxPerMessage: 8,
  /** Base64 characters per image after the client scaled it. */
  maxImageChars: 1_200_000,
  /** Characters of one text file (about 25k tokens). */
  maxTextChars: 100_000,
  /** Base64 characters of one PDF (about 1.5 MB of file). */
  maxPdfChars: 2_000_000,
  /** All attachments of one message together. */
  maxTotalChars: 2_400_000,
  maxNameChars: 200,
});

/** The largest `message.send` the runtime accepts: attachments plus the text and the envelope. */
export const MAX_SEND_COMMAND_BYTES = ATTACHMENT_LIMITS.maxTotalChars + 256 * 1024;

const Base64 = z.string().check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'));
const Name = z.string().check(z.trim(), z.minLength(1), z.maxLength(ATTACHMENT_LIMITS.maxNameChars));

export const ImageMediaType = z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
export type ImageMediaType = z.infer<typeof ImageMediaType>;

export const Attachment = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('image'),
    name: Name,
    mediaType: ImageMediaType,
    data: Base64.check(z.minLength(1), z.maxLength(ATTACHMENT_LIMITS.maxImageChars, 'image too large')),
  }),
  z.object({
    kind: z.literal('text'),
    name: Name,
    text: z.string().check(z.minLength(1), z.maxLength(ATTACHMENT_LIMITS.maxTextChars, 'text file too large')),
  }),
  z.object({
    kind: z.literal('pdf'),
    name: Name,
    data: Base64.check(z.minLength(1), z.maxLength(ATTACHMENT_LIMITS.maxPdfChars, 'PDF too large')),
  }),
]);
export type Attachment = z.infer<typeof Attachment>;

/** Characters an attachment costs against `maxTotalChars`. */
export function attachmentChars(attachment: Attachment): number {
  return attachment.kind === 'text' ? attachment.text.length : attachment.data.length;
}

export const Attachments = z.array(Attachment).check(
  z.maxLength(ATTACHMENT_LIMITS.maxPerMessage, `at most ${ATTACHMENT_LIMITS.maxPerMessage} attachments`),
  z.refine(
    (list) => list.reduce((sum, a) => sum + attachmentChars(a), 0) <= ATTACHMENT_LIMITS.maxTotalChars,
    'attachments too large together',
  ),
);

/**
 * Whether a message's attachments may be sent, and what the model is sent for them. Pure, so the
 * composer can say "too many images" before anything leaves the device and the runtime checks the
 * very same rules at its boundary (a client is never trusted to have checked).
 */
import { IMAGE_LIMITS } from '../models';
import { ATTACHMENT_LIMITS, type Attachment, attachmentChars, type ImageMediaType } from '../protocol/attachments';

/** Width × height scaled so the long side is at most `maxLongSide` (never enlarged). */
export function fittedSize(width: number, height: number, maxLongSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxLongSide / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The long side the client scales attached images to (the API's recommendation, under its many-image limit). */
export const ATTACHED_IMAGE_LONG_SIDE = IMAGE_LIMITS.recommendedLongSide;

const MAGIC: ReadonlyArray<readonly [ImageMediaType, string]> = [
  ['image/png', 'iVBORw0KGgo'],
  ['image/jpeg', '/9j/'],
  ['image/gif', 'R0lGOD'],
  ['image/webp', 'UklGR'],
];

/** The image type its bytes say (the API refuses a media type that does not match them). */
export function sniffImageType(base64: string): ImageMediaType | undefined {
  return MAGIC.find(([, prefix]) => base64.startsWith(prefix))?.[0];
}

export interface AttachmentTarget {
  /** The model reads PDFs (shared/models.ts). */
  pdfs: boolean;
}

const mb = (chars: number) => `${(chars / 1_000_000).toFixed(1)} MB`;

/** A sentence a person can act on, or undefined when the attachments may be sent. */
export function attachmentProblem(list: readonly Attachment[], target: AttachmentTarget): string | undefined {
  const limits = ATTACHMENT_LIMITS;
  if (list.length > limits.maxPerMessage)
    return `At most ${limits.maxPerMessage} attachments fit in one message; remove ${list.length - limits.maxPerMessage}.`;
  for (const item of list) {
    if (item.kind === 'image' && sniffImageType(item.data) !== item.mediaType)
      return `“${item.name}” is not a PNG, JPEG, GIF or WebP image the model can read.`;
    if (item.kind === 'image' && item.data.length > limits.maxImageChars)
      return `“${item.name}” is still too large after scaling (${mb(item.data.length)}); try a smaller image.`;
    if (item.kind === 'text' && item.text.length > limits.maxTextChars)
      return `“${item.name}” is too long to send (${item.text.length.toLocaleString('en')} characters; the limit is ${limits.maxTextChars.toLocaleString('en')}).`;
    if (item.kind === 'pdf' && !target.pdfs)
      return `The selected model cannot read PDFs, so “${item.name}” cannot be sent; choose another model or attach the text.`;
    if (item.kind === 'pdf' && item.data.length > limits.maxPdfChars)
      return `“${item.name}” is too large (${mb(item.data.length)}); PDFs up to ${mb(limits.maxPdfChars * 0.75)} can be attached.`;
  }
  const total = list.reduce((sum, item) => sum + attachmentChars(item), 0);
  if (total > limits.maxTotalChars)
    return `These attachments are too large together (${mb(total)}; the limit is ${mb(limits.maxTotalChars)}); send them in two messages.`;
  return undefined;
}

/** The user content blocks of the Messages API that attachments become. */
export type AttachmentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: ImageMediaType; data: string } }
  | { type: 'document'; source: { type: 'base64'; media_type: 'application/pdf'; data: string }; title: string };

/**
 * A text file is fenced and labelled as the user's file: the model must read it as material the
 * user supplied, not as part of what the user typed (a pasted log can contain anything).
 */
export function attachedTextBlock(name: string, text: string): string {
  const fence = text.includes('```') ? '~~~~' : '```';
  return `[File attached by the user: ${name}]\n${fence}\n${text}\n${fence}`;
}

function attachmentBlock(item: Attachment): AttachmentBlock {
  if (item.kind === 'image')
    return { type: 'image', source: { type: 'base64', media_type: item.mediaType, data: item.data } };
  if (item.kind === 'text') return { type: 'text', text: attachedTextBlock(item.name, item.text) };
  return {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data: item.data },
    title: item.name,
  };
}

export function attachmentBlocks(list: readonly Attachment[]): AttachmentBlock[] {
  return list.map(attachmentBlock);
}

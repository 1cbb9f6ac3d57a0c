/**
 * A file the person picked, dropped or pasted → an `Attachment`, in the page (panel or phone),
 * before anything is sent. Images are decoded and scaled to the API's recommended long side here,
 * because a camera-roll photo (12 MP, 4 MB) would not fit the phone link, and the runtime would
 * scale it anyway (extension/runtime/attachment-intake.ts). Problems come back as sentences.
 */
import { ATTACHED_IMAGE_LONG_SIDE, fittedSize } from '../attachments/attachment-budget';
import { ATTACHMENT_LIMITS, type Attachment, type ImageMediaType } from '../protocol/attachments';

export class AttachmentError extends Error {
  override name = 'AttachmentError';
}

/** Files read as text: plain text, Markdown, data and code (by extension, since browsers often give no type). */
const TEXT_EXTENSIONS = new Set(
  'txt md markdown csv tsv json jsonl yaml yml toml xml html htm css js mjs cjs ts tsx jsx py rb go rs java kt c h cc cpp hpp cs swift php sh bash zsh sql log ini cfg conf env gitignore dockerfile makefile r lua pl scala dart vue svelte'.split(
    ' ',
  ),
);
const IMAGE_TYPES = new Set<string>(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name.toLowerCase() : name.slice(dot + 1).toLowerCase();
}

export function attachmentKindOf(file: { name: string; type: string }): Attachment['kind'] | undefined {
  if (file.type.startsWith('image/')) return 'image';
  if (file.type === 'application/pdf' || extensionOf(file.name) === 'pdf') return 'pdf';
  if (file.type.startsWith('text/') || file.type === 'application/json' || TEXT_EXTENSIONS.has(extensionOf(file.name)))
    return 'text';
  return undefined;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

export async function readAttachment(file: File): Promise<Attachment> {
  const name = (file.name || 'pasted').slice(0, ATTACHMENT_LIMITS.maxNameChars);
  const kind = attachmentKindOf(file);
  if (kind === 'text') {
    // Checked on the byte size first: a 10 MB log is refused without reading it into memory.
    if (file.size > ATTACHMENT_LIMITS.maxTextChars * 4)
      throw new AttachmentError(`“${name}” is too large to send as text (${mb(file.size)}).`);
    const text = await file.text();
    if (text.length > ATTACHMENT_LIMITS.maxTextChars)
      throw new AttachmentError(
        `“${name}” is too long to send (${text.length.toLocaleString('en')} characters; the limit is ${ATTACHMENT_LIMITS.maxTextChars.toLocaleString('en')}).`,
      );
    if (!text.trim()) throw new AttachmentError(`“${name}” is empty.`);
    return { kind: 'text', name, text };
  }
  if (kind === 'pdf') {
    if (file.size > (ATTACHMENT_LIMITS.maxPdfChars / 4) * 3)
      throw new AttachmentError(`“${name}” is too large (${mb(file.size)}); PDFs up to 1.5 MB can be attached.`);
    return { kind: 'pdf', name, data: bytesToBase64(new Uint8Array(await file.arrayBuffer())) };
  }
  if (kind === 'image') return { kind: 'image', name, ...(await fitImageFile(file, name)) };
  throw new AttachmentError(`“${name}” cannot be attached: images, PDFs and text or code files can.`);
}

/**
 * Decodes and, when needed, scales and re-encodes: PNG for screenshots (sharp text), JPEG for
 * photos and for anything still too large as PNG, at a smaller size until it fits.
 */
async function fitImageFile(file: Blob, name: string): Promise<{ mediaType: ImageMediaType; data: string }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new AttachmentError(`“${name}” could not be read as an image.`);
  }
  try {
    const original = IMAGE_TYPES.has(file.type) ? (file.type as ImageMediaType) : undefined;
    const longSide = Math.max(bitmap.width, bitmap.height);
    if (original && longSide <= ATTACHED_IMAGE_LONG_SIDE && (file.size / 3) * 4 <= ATTACHMENT_LIMITS.maxImageChars) {
      return { mediaType: original, data: bytesToBase64(new Uint8Array(await file.arrayBuffer())) };
    }
    let side = Math.min(longSide, ATTACHED_IMAGE_LONG_SIDE);
    let mediaType: 'image/png' | 'image/jpeg' = original === 'image/png' ? 'image/png' : 'image/jpeg';
    for (let attempt = 0; attempt < 6; attempt++) {
      const size = fittedSize(bitmap.width, bitmap.height, side);
      const data = await encode(bitmap, size.width, size.height, mediaType);
      if (data.length <= ATTACHMENT_LIMITS.maxImageChars) return { mediaType, data };
      if (mediaType === 'image/png') mediaType = 'image/jpeg';
      else side = Math.round(side * 0.75);
    }
    throw new AttachmentError(`“${name}” could not be made small enough to send.`);
  } finally {
    bitmap.close();
  }
}

async function encode(bitmap: ImageBitmap, width: number, height: number, type: string): Promise<string> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new AttachmentError('This browser cannot scale images.');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  const blob = await canvas.convertToBlob({ type, quality: 0.85 });
  return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
}

/** A data URL (from `captureVisibleTab`) → an image attachment fitted the same way. */
export async function imageFromDataUrl(dataUrl: string, name: string): Promise<Attachment> {
  const comma = dataUrl.indexOf(',');
  const type = /^data:([^;,]+)/.exec(dataUrl)?.[1] ?? 'image/png';
  const binary = atob(dataUrl.slice(comma + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const blob = new Blob([bytes], { type });
  return { kind: 'image', name, ...(await fitImageFile(blob, name)) };
}

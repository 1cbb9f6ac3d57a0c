/**
 * The page side of upload_file (tools/page-upload.ts): finds the file field a
 * ref names, takes a file's bytes in chunks, and puts the files in, as the
 * browser's own file chooser would: `input.files` set from a DataTransfer, then
 * `input` and `change` (bubbling). On any other element the files are dropped:
 * dragenter, dragover and drop carrying a DataTransfer with the files.
 *
 * Why not CDP's DOM.setFileInputFiles: it takes paths on disk, and handing a
 * host path to the browser would let the browser read outside the file
 * bridge's confinement. Here the page only ever gets bytes the bridge read.
 * The events are untrusted (isTrusted false) either way, as with Chrome's own
 * automation; what a page can observe otherwise — `input.files`, the form's
 * FormData, the files' names, types and bytes — is the same as a real choice.
 *
 * Runs in the extension's isolated world (chrome.scripting.executeScript), so
 * the ref table page-agent.ts keeps there is visible and the staged bytes are
 * not: the page sees nothing until the files are put in. Self-contained: the
 * browser serialises the function's source.
 */
import { z } from 'zod';
import { Ref } from './page-protocol';

/** Bytes per staging call: an executeScript argument is copied whole, so keep each one moderate. */
export const STAGE_CHUNK_BYTES = 2 * 1024 * 1024;
export const MAX_UPLOAD_FILES = 20;

const UploadId = z.string().regex(/^u[0-9a-f]{32}$/);

export const UploadFileMeta = z.object({
  name: z.string().min(1).max(255),
  type: z.string().max(200),
  size: z.number().int().min(0),
  lastModified: z.number(),
});
export type UploadFileMeta = z.infer<typeof UploadFileMeta>;

export const FileInputRequest = z.discriminatedUnion('op', [
  /** What the ref is: a file field (or its label, or the one file field inside it), else a drop target. */
  z.object({ op: z.literal('inspect'), ref: Ref }),
  /** Part of file `file`'s bytes (base64), kept in the isolated world until `apply`. */
  z.object({
    op: z.literal('stage'),
    id: UploadId,
    file: z.number().int().min(0).max(MAX_UPLOAD_FILES),
    offset: z.number().int().min(0),
    data: z.string().max(Math.ceil(STAGE_CHUNK_BYTES / 3) * 4),
  }),
  z.object({
    op: z.literal('apply'),
    id: UploadId,
    ref: Ref,
    files: z.array(UploadFileMeta).min(1).max(MAX_UPLOAD_FILES),
  }),
  z.object({ op: z.literal('discard'), id: UploadId }),
]);
export type FileInputRequest = z.infer<typeof FileInputRequest>;

export const FileTarget = z.object({
  kind: z.enum(['input', 'drop']),
  /** How a person would name it: its label, or the drop target's text. */
  name: z.string().max(200),
  multiple: z.boolean(),
  disabled: z.boolean(),
  accept: z.string().max(500),
  /** Where the field's form sends it (absolute), if it is in one. */
  formAction: z.string().max(8_192).optional(),
  /** What the user's answer was about; a page that swaps the field meanwhile changes it. */
  key: z.string().max(10_000),
});
export type FileTarget = z.infer<typeof FileTarget>;

export const FileInputResponse = z.discriminatedUnion('op', [
  z.object({ op: z.literal('target'), target: FileTarget }),
  z.object({ op: z.literal('staged') }),
  /** `accepted`: for a drop, whether the page took it (cancelled dragover or drop, as drop zones do). */
  z.object({
    op: z.literal('applied'),
    kind: z.enum(['input', 'drop']),
    count: z.number().int(),
    accepted: z.boolean(),
  }),
  z.object({ op: z.literal('discarded') }),
  z.object({ op: z.literal('error'), error: z.string().max(500) }),
]);
export type FileInputResponse = z.infer<typeof FileInputResponse>;

export function fileInputAgent(request: FileInputRequest, expectedOrigin: string): FileInputResponse {
  if (location.origin !== expectedOrigin) {
    return { op: 'error', error: `The tab is now on ${location.origin}, not ${expectedOrigin}; nothing was put in.` };
  }
  interface Staged {
    chunks: Array<Array<{ offset: number; bytes: Uint8Array }>>;
  }
  const world = globalThis as unknown as {
    __tandemRefs?: { byRef: Map<string, WeakRef<Element>> };
    __tandemUploads?: Map<string, Staged>;
  };
  world.__tandemUploads ??= new Map();
  const uploads = world.__tandemUploads;
  const collapse = (text: string | null | undefined, max: number) => {
    const flat = (text ?? '').replace(/\s+/g, ' ').trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  };

  const resolve = (ref: string): { input: HTMLInputElement } | { drop: Element } | { error: string } => {
    const element = world.__tandemRefs?.byRef.get(ref)?.deref();
    if (!element?.isConnected) return { error: `No element ${ref} on this page any more: call read_page again.` };
    if (element instanceof HTMLInputElement) {
      return element.type === 'file' ? { input: element } : { error: `${ref} is not a file field.` };
    }
    const control = element instanceof HTMLLabelElement ? element.control : null;
    if (control instanceof HTMLInputElement && control.type === 'file') return { input: control };
    if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) {
      return { error: `${ref} is not a file field or a drop zone.` };
    }
    const inside = element.querySelectorAll('input[type="file"]');
    if (inside.length === 1 && inside[0] instanceof HTMLInputElement) return { input: inside[0] };
    if (inside.length > 1) return { error: `${ref} holds ${inside.length} file fields: use the ref of one of them.` };
    return { drop: element };
  };
  const describe = (found: { input: HTMLInputElement } | { drop: Element }) => {
    if ('input' in found) {
      const input = found.input;
      const name =
        collapse(input.getAttribute('aria-label'), 200) ||
        collapse(input.labels?.[0]?.textContent, 200) ||
        collapse(input.name || input.id, 200) ||
        'file field';
      const formAction = input.form ? (input.form.action || location.href).slice(0, 8_192) : undefined;
      const facts = {
        kind: 'input' as const,
        name,
        multiple: input.multiple,
        disabled: input.disabled,
        accept: collapse(input.accept, 500),
        ...(formAction ? { formAction } : {}),
      };
      return { ...facts, key: JSON.stringify([facts, input.name, input.id]) };
    }
    const element = found.drop;
    const name =
      collapse(element.getAttribute('aria-label'), 200) ||
      collapse(element.textContent, 80) ||
      element.tagName.toLowerCase();
    const facts = { kind: 'drop' as const, name, multiple: true, disabled: false, accept: '' };
    return { ...facts, key: JSON.stringify([facts, element.tagName, element.id]) };
  };

  switch (request.op) {
    case 'inspect': {
      const found = resolve(request.ref);
      if ('error' in found) return { op: 'error', error: found.error };
      return { op: 'target', target: describe(found) };
    }
    case 'stage': {
      const staged = uploads.get(request.id) ?? { chunks: [] };
      uploads.set(request.id, staged);
      const binary = atob(request.data);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const list = staged.chunks[request.file] ?? [];
      staged.chunks[request.file] = list;
      list.push({ offset: request.offset, bytes });
      return { op: 'staged' };
    }
    case 'discard':
      uploads.delete(request.id);
      return { op: 'discarded' };
    case 'apply': {
      const staged = uploads.get(request.id);
      // Taken whatever happens next: staged bytes never outlive this call.
      uploads.delete(request.id);
      if (!staged) return { op: 'error', error: 'The page was reloaded while the files were handed over.' };
      const found = resolve(request.ref);
      if ('error' in found) return { op: 'error', error: found.error };
      const files: File[] = [];
      for (const [index, meta] of request.files.entries()) {
        const bytes = new Uint8Array(meta.size);
        let received = 0;
        for (const chunk of staged.chunks[index] ?? []) {
          if (chunk.offset + chunk.bytes.length > meta.size) return { op: 'error', error: 'A file chunk did not fit.' };
          bytes.set(chunk.bytes, chunk.offset);
          received += chunk.bytes.length;
        }
        if (received !== meta.size) return { op: 'error', error: `${meta.name} did not arrive whole.` };
        files.push(new File([bytes], meta.name, { type: meta.type, lastModified: meta.lastModified }));
      }
      const transfer = new DataTransfer();
      for (const file of files) transfer.items.add(file);
      if ('input' in found) {
        const input = found.input;
        if (input.disabled) return { op: 'error', error: 'The file field is disabled.' };
        if (!input.multiple && files.length > 1) return { op: 'error', error: 'The file field takes one file.' };
        input.files = transfer.files;
        // As the file chooser does (HTML: "update the file selection"): input, then change, both bubbling.
        input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
        return { op: 'applied', kind: 'input', count: input.files?.length ?? 0, accepted: true };
      }
      const target = found.drop;
      const rect = target.getBoundingClientRect();
      const at = { clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2 };
      const fire = (type: string) =>
        target.dispatchEvent(
          new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer: transfer, ...at }),
        );
      fire('dragenter');
      // A drop zone says it takes the drop by cancelling dragover (HTML drag and drop).
      const tookOver = !fire('dragover');
      const tookDrop = !fire('drop');
      return { op: 'applied', kind: 'drop', count: files.length, accepted: tookOver || tookDrop };
    }
  }
}

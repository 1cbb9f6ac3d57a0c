/**
 * The runtime's boundary for attachments: a client (a phone above all) is never trusted to have
 * scaled or checked them. The same rules as the composer's (shared/attachments/attachment-budget.ts),
 * then every image goes through the tool images' fitting (images/image-fit.ts), so what is stored
 * with the message is something the API accepts on every later request of the thread.
 */
import { ATTACHED_IMAGE_LONG_SIDE, attachmentProblem } from '../../shared/attachments/attachment-budget';
import { modelInfo } from '../../shared/models';
import type { Attachment } from '../../shared/protocol';
import { CommandFailure } from './command-failure';
import { fitImages, type ImageResizer } from './images/image-fit';

export async function admitAttachments(
  attachments: readonly Attachment[],
  model: string,
  resizer: ImageResizer | undefined,
): Promise<Attachment[]> {
  const problem = attachmentProblem(attachments, { pdfs: modelInfo(model).pdfs });
  if (problem) throw new CommandFailure('too_large', problem);
  const admitted: Attachment[] = [];
  for (const item of attachments) {
    if (item.kind !== 'image') {
      admitted.push(item);
      continue;
    }
    const [fitted] = await fitImages(
      [{ type: 'image', source: { type: 'base64', media_type: item.mediaType, data: item.data } }],
      resizer,
      ATTACHED_IMAGE_LONG_SIDE,
    );
    if (fitted?.type !== 'image')
      throw new CommandFailure('too_large', `“${item.name}” could not be scaled down to a size the model accepts.`);
    admitted.push({ ...item, mediaType: fitted.source.media_type, data: fitted.source.data });
  }
  return admitted;
}

/**
 * Attachments from a phone (390×844, touch): a large photo from the "camera roll" (the file
 * picker) is scaled on the phone until it fits the link, travels as one `message.send`, and
 * reaches the model as an image block; the phone shows its thumbnail, highlighted code renders
 * on the phone too, and the phone is never offered a screenshot of the computer's tab.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelSize } from '../../extension/runtime/context/image-size';
import { newThreadFromUi, sendFromComposer, waitForClientEvent } from './support/panel';
import { waitForPhoneEvent } from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let rig: PhoneRig;

beforeAll(async () => {
  rig = await startPhoneRig('ui-phone-attachments', { pair: true });
});
afterAll(() => rig?.close());

/** Noise compresses worst of all: a stand-in for a 4 MP photo that needs more than one try to fit. */
function noisyPng(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  let seed = 7;
  for (let i = 0; i < image.data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    image.data[i] = i % 4 === 3 ? 255 : seed & 0xff;
  }
  return PNG.sync.write(image);
}

describe('attachments from the phone', () => {
  it('sends a large photo from the picker, scaled to fit the link, and shows its thumbnail', async () => {
    const { model, panel, phone } = rig;
    model.script([{ kind: 'text', text: 'Here is `code`:\n\n```python\ndef hello():\n    return 1\n```\n' }]);
    model.push({ kind: 'text', text: 'A noisy photo.' });
    const threadId = await newThreadFromUi(panel);
    await sendFromComposer(panel, 'Photo thread');
    await waitForClientEvent(panel, threadId, 'task_finished');

    const page = phone.page;
    await page.getByTestId('thread-item').filter({ hasText: 'Photo thread' }).first().click();
    await page.getByTestId('composer-input').waitFor();
    expect(await page.getByTestId('attach-screenshot').count()).toBe(0);
    const keyword = page.locator('[data-testid="assistant-text"] pre .hljs-keyword');
    await expect.poll(() => keyword.count(), { timeout: 15_000 }).toBeGreaterThan(0);

    await page.getByTestId('attach-input').setInputFiles({
      name: 'IMG_0001.png',
      mimeType: 'image/png',
      buffer: noisyPng(2400, 1800),
    });
    const chip = page.locator('tandem-composer [data-testid="attachment-chip"]');
    await expect.poll(() => chip.count(), { timeout: 30_000 }).toBe(1);
    await page.getByTestId('send').click();
    await waitForPhoneEvent(page, threadId, 'task_finished', 2, 60_000);

    const content = model.requests.at(-1)?.body?.messages?.at(-1)?.content as Array<{
      type: string;
      source?: { media_type: string; data: string };
    }>;
    const image = content.find((block) => block.type === 'image');
    expect(image?.source?.media_type).toBe('image/jpeg');
    const size = pixelSize(image?.source?.data ?? '');
    expect(size && Math.max(size.width, size.height)).toBeLessThanOrEqual(1568);
    expect(size && size.width / size.height).toBeCloseTo(4 / 3, 1);
    const thumbnail = page.locator('[data-testid="user-message"] [data-testid="attachment-thumbnail"]');
    await expect.poll(() => thumbnail.count()).toBe(1);
  });
});

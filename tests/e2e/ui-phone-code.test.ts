/**
 * Highlighted code on the phone (390×844): the page fetches the highlighter's core and the chunk of
 * the fence's own language, nothing of the other languages, and a language chunk the host swapped
 * for code of its own is refused by the import map's integrity pin: that code stays plain text.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGE_LOADERS } from '../../shared/ui/code-languages';
import { newThreadFromUi, sendFromComposer, waitForClientEvent } from './support/panel';
import { PHONE_DIST } from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let rig: PhoneRig;
const scripts: string[] = [];

beforeAll(async () => {
  rig = await startPhoneRig('ui-phone-code', { pair: true });
  rig.phone.page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
});
afterAll(() => rig?.close());

/** The build's chunk for a highlighter language, by name. */
function languageChunk(name: string): string {
  const chunk = readdirSync(join(PHONE_DIST, 'assets')).find((file) =>
    new RegExp(`^${name}-[\\w-]{8}\\.js$`).test(file),
  );
  if (!chunk) throw new Error(`No chunk for ${name} in ${PHONE_DIST}`);
  return `/assets/${chunk}`;
}

async function answerOnPhone(title: string, answer: string): Promise<void> {
  const { model, panel, phone } = rig;
  model.script([{ kind: 'text', text: answer }]);
  const threadId = await newThreadFromUi(panel);
  await sendFromComposer(panel, title);
  await waitForClientEvent(panel, threadId, 'task_finished');
  if (await phone.page.getByTestId('back').isVisible()) await phone.page.getByTestId('back').click();
  await phone.page.getByTestId('thread-item').filter({ hasText: title }).first().click();
  await phone.page.getByTestId('assistant-text').last().waitFor();
}

describe('highlighted code on the phone', () => {
  it('fetches the highlighter core and the fence’s language only', async () => {
    await answerOnPhone('Python please', 'Here:\n\n```python\ndef hello():\n    return 1\n```\n');
    const keyword = rig.phone.page.locator('[data-testid="assistant-text"] pre .hljs-keyword');
    await expect.poll(() => keyword.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(scripts.some((path) => /\/highlighter-core-[\w-]{8}\.js$/.test(path))).toBe(true);
    expect(scripts).toContain(languageChunk('python'));
    const others = Object.keys(LANGUAGE_LOADERS)
      .filter((name) => name !== 'python')
      .map(languageChunk);
    expect(scripts.filter((path) => others.includes(path))).toEqual([]);
  });

  it('refuses a language chunk that is not the one index.html pins: that code stays plain', async () => {
    const rust = languageChunk('rust');
    rig.site.routes.set(rust, {
      type: 'text/javascript',
      body: "window.__swapped = true; export default () => ({ contains: [{ scope: 'keyword', begin: /fn/ }] });",
    });
    try {
      await answerOnPhone('Rust please', 'Here:\n\n```rust\nfn main() { let x = 1; }\n```\n');
      await expect.poll(() => scripts.includes(rust), { timeout: 15_000 }).toBe(true);
      const block = rig.phone.page.locator('[data-testid="assistant-text"] pre').last();
      // The refused chunk fails its import at once; give a re-render time to show a wrong result.
      await rig.phone.page.waitForTimeout(1_000);
      expect(await block.locator('span').count()).toBe(0);
      expect(await block.locator('code').textContent()).toBe('fn main() { let x = 1; }\n');
      expect(
        await rig.phone.page.evaluate(() => (window as unknown as { __swapped?: boolean }).__swapped),
      ).toBeUndefined();
    } finally {
      rig.site.routes.delete(rust);
    }
  });
});

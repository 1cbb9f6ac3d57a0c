/**
 * Attachments and highlighted code in the real side panel (Chromium): a picked image is scaled in
 * the page and reaches the model as an image block, the message shows its thumbnail; paste and
 * drop add chips that can be removed; a 10 MB text file is refused in words; the Screenshot button
 * attaches the current tab; code in an answer is highlighted and markup in it stays text.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pixelSize } from '../../extension/runtime/context/image-size';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { screenshotPng } from '../support/long-session';
import { type ExtensionBrowser, launchExtensionBrowser, makeSandbox } from './support/chromium';
import { configureModel, newThreadFromUi, waitForClientEvent } from './support/panel';

let server: ModelServer;
let sandbox: ReturnType<typeof makeSandbox>;
let browser: ExtensionBrowser;
let panel: Page;

beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
  sandbox = makeSandbox('ui-attachments');
  browser = await launchExtensionBrowser(sandbox.root);
  panel = await browser.openPanel();
  await panel.setViewportSize({ width: 360, height: 760 });
  await configureModel(panel, server.url, server.apiKey);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  sandbox?.cleanup();
});

beforeEach(() => server.reset());

const composerChips = () => panel.locator('tandem-composer [data-testid="attachment-chip"]');

/** Pastes or drops files into the composer the way the browser delivers them (a DataTransfer). */
async function deliverFiles(how: 'paste' | 'drop', files: Array<{ name: string; type: string; text: string }>) {
  const target = panel.locator(how === 'paste' ? '[data-testid="composer-input"]' : 'tandem-composer .box');
  await target.evaluate(
    (element, { how, files }) => {
      const data = new DataTransfer();
      for (const f of files) data.items.add(new File([f.text], f.name, { type: f.type }));
      const event =
        how === 'paste'
          ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
          : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
      element.dispatchEvent(event);
    },
    { how, files },
  );
}

describe('attachments in the side panel', () => {
  it('sends a picked image, scaled to 1568 px in the page, as an image block and shows its thumbnail', async () => {
    const threadId = await newThreadFromUi(panel);
    server.script([{ kind: 'text', text: 'A striped picture.' }]);
    await panel.getByTestId('attach-input').setInputFiles({
      name: 'wide.png',
      mimeType: 'image/png',
      buffer: Buffer.from(screenshotPng(2400, 1200), 'base64'),
    });
    await expect.poll(() => composerChips().count()).toBe(1);
    await panel.getByTestId('composer-input').fill('What is in it?');
    await panel.getByTestId('send').click();
    await waitForClientEvent(panel, threadId, 'task_finished');

    const content = server.requests[0]?.body?.messages?.[0]?.content as Array<Record<string, unknown>>;
    const image = content[0] as { type: string; source: { media_type: string; data: string } };
    expect(image.type).toBe('image');
    expect(image.source.media_type).toBe('image/png');
    expect(pixelSize(image.source.data)).toEqual({ width: 1568, height: 784 });
    expect(content[1]).toMatchObject({ type: 'text', text: 'What is in it?' });
    const thumbnail = panel.locator('[data-testid="user-message"] [data-testid="attachment-thumbnail"]');
    await expect.poll(() => thumbnail.count()).toBe(1);
    expect(await thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1568);
    expect(await composerChips().count()).toBe(0);

    // Regenerate replaces the message: the new version still shows the model the picture.
    server.script([{ kind: 'text', text: 'Stripes, again.' }]);
    await panel.getByTestId('message-resend').click();
    await server.waitForRequests(2);
    await expect
      .poll(() => panel.getByTestId('assistant-text').last().textContent(), { timeout: 15_000 })
      .toContain('Stripes, again.');
    const again = server.requests[1]?.body?.messages?.at(-1)?.content as Array<Record<string, unknown>>;
    expect(again[0]).toMatchObject({ type: 'image', source: { media_type: 'image/png' } });
    expect(again.at(-1)).toMatchObject({ type: 'text', text: 'What is in it?' });
  });

  it('adds chips for pasted and dropped files, removes one, and sends the rest as marked text blocks', async () => {
    const threadId = await newThreadFromUi(panel);
    server.script([{ kind: 'text', text: 'Read both.' }]);
    await deliverFiles('paste', [{ name: 'notes.md', type: 'text/markdown', text: '# Notes\nmilk' }]);
    await deliverFiles('drop', [
      { name: 'data.csv', type: 'text/csv', text: 'a,b\n1,2' },
      { name: 'drop-me.txt', type: 'text/plain', text: 'unwanted' },
    ]);
    await expect.poll(() => composerChips().count()).toBe(3);
    await panel.getByRole('button', { name: 'Remove text file drop-me.txt' }).click();
    await expect.poll(() => composerChips().count()).toBe(2);
    await panel.getByTestId('send').click();
    await waitForClientEvent(panel, threadId, 'task_finished');
    const content = server.requests[0]?.body?.messages?.[0]?.content;
    expect(content).toEqual([
      { type: 'text', text: '[File attached by the user: notes.md]\n```\n# Notes\nmilk\n```' },
      expect.objectContaining({ type: 'text', text: '[File attached by the user: data.csv]\n```\na,b\n1,2\n```' }),
    ]);
  });

  it('refuses a 10 MB text file with a message and attaches nothing', async () => {
    await newThreadFromUi(panel);
    await panel.getByTestId('attach-input').setInputFiles({
      name: 'huge.log',
      mimeType: 'text/plain',
      buffer: Buffer.alloc(10 * 1024 * 1024, 'x'),
    });
    await expect.poll(() => panel.getByTestId('composer-hint').textContent()).toMatch(/“huge.log” is too large/);
    expect(await composerChips().count()).toBe(0);
    expect(await panel.getByTestId('send').isDisabled()).toBe(true);
  });

  it('attaches a screenshot of the current tab from the Screenshot button', async () => {
    await newThreadFromUi(panel);
    await panel.getByTestId('attach-screenshot').click();
    await expect.poll(() => composerChips().count(), { timeout: 15_000 }).toBe(1);
    const chip = composerChips().first();
    expect(await chip.getAttribute('title')).toMatch(/^Screenshot of /);
    expect(await chip.locator('[data-testid="attachment-thumbnail"]').count()).toBe(1);
    await panel.locator('tandem-composer [data-testid="attachment-remove"]').click();
    await expect.poll(() => composerChips().count()).toBe(0);
  });
});

describe('highlighted code in answers', () => {
  it('highlights a code block once the lazy highlighter loads, and markup in it stays text', async () => {
    const threadId = await newThreadFromUi(panel);
    const code = 'const a = 1; // <img src=x onerror="window.pwned=1">';
    server.script([{ kind: 'text', text: `Here:\n\n\`\`\`js\n${code}\n\`\`\`\n` }]);
    await panel.getByTestId('composer-input').fill('code please');
    await panel.getByTestId('send').click();
    await waitForClientEvent(panel, threadId, 'task_finished');
    const keyword = panel.locator('[data-testid="assistant-text"] pre .hljs-keyword');
    await expect.poll(() => keyword.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await panel.locator('[data-testid="assistant-text"] img').count()).toBe(0);
    expect(await panel.locator('[data-testid="assistant-text"] pre').textContent()).toContain(code);
    expect(await panel.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });
});

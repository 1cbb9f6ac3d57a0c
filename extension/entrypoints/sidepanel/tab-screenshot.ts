/**
 * The composer's "Screenshot" in the side panel: the visible part of the tab the person is looking
 * at, in the panel's own window, captured on their click and attached like a picked file.
 *
 * It is the person's own action on their own screen, so the site policy (which governs what the
 * agent may read) does not gate it: nothing is captured unless they click, and they see the
 * thumbnail before sending. It exists only here: the phone's composer has no `captureTab`, and no
 * protocol command captures a tab, so a paired phone cannot take a picture of the computer's screen.
 */
import browser from 'webextension-polyfill';
import type { Attachment } from '../../../shared/protocol';
import { imageFromDataUrl } from '../../../shared/ui/attachment-reader';

export async function captureCurrentTab(): Promise<Attachment> {
  const window = await browser.windows.getCurrent();
  const [tab] = await browser.tabs.query({ active: true, windowId: window.id });
  if (window.id === undefined || !tab) throw new Error('There is no tab to capture in this window.');
  let dataUrl: string;
  try {
    // PNG: a page is mostly text, which JPEG smears; the reader re-encodes if it is too large.
    dataUrl = await browser.tabs.captureVisibleTab(window.id, { format: 'png' });
  } catch {
    throw new Error('This tab cannot be captured (the browser does not allow screenshots of its own pages).');
  }
  let host = 'tab';
  try {
    host = new URL(tab.url ?? '').hostname || 'tab';
  } catch {}
  return imageFromDataUrl(dataUrl, `Screenshot of ${host}.png`);
}

/**
 * Chrome's offscreen document: the one extension page with a DOM that lives
 * beside the MV3 service worker. Chrome allows one per extension, so every job
 * that needs it (DOM parsing for web pages now, WebRTC for the phone link later)
 * shares it: each registers its reason once, and the document is created with
 * every reason registered so far. Reasons only label the document for Chrome's
 * review and lifetime rules; an existing document serves any registered job.
 *
 * Firefox has no offscreen API (its background is a page with a DOM); callers
 * check `offscreenAvailable()` and do the work in place there.
 */
import { browser } from 'wxt/browser';

export type OffscreenReason = 'DOM_PARSER' | 'WEB_RTC' | 'BLOBS' | 'LOCAL_STORAGE' | 'WORKERS';

export const OFFSCREEN_PATH = '/offscreen.html';

const registered = new Map<OffscreenReason, string>();
let creating: Promise<void> | undefined;

export function offscreenAvailable(): boolean {
  return typeof browser.offscreen?.createDocument === 'function';
}

/** Declares a job's reason and the sentence that justifies it (shown in Chrome's review). */
export function registerOffscreenReason(reason: OffscreenReason, justification: string): void {
  registered.set(reason, justification);
}

async function documentExists(url: string): Promise<boolean> {
  const contexts = await browser.runtime.getContexts({
    contextTypes: ['OFFSCREEN_DOCUMENT'],
    documentUrls: [url],
  });
  return contexts.length > 0;
}

/** Makes sure the offscreen document exists (creating it once even when called concurrently). */
export async function ensureOffscreenDocument(reason: OffscreenReason): Promise<void> {
  if (!offscreenAvailable()) throw new Error('This browser has no offscreen documents.');
  if (!registered.has(reason)) throw new Error(`Offscreen reason ${reason} was not registered.`);
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  if (await documentExists(url)) return;
  creating ??= browser.offscreen
    .createDocument({
      url,
      reasons: [...registered.keys()],
      justification: [...registered.values()].join(' '),
    })
    .catch(async (error: unknown) => {
      // Another context created it between our check and our call: that is fine.
      if (!(await documentExists(url))) throw error;
    })
    .finally(() => {
      creating = undefined;
    });
  await creating;
}

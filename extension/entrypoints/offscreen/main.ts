/**
 * The offscreen document (Chrome): a page with a DOM beside the service worker.
 * It only routes validated requests from this extension to the jobs that need a
 * DOM; see extension/platform/offscreen.ts for why there is one shared document.
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { loadEnglishErrorMessages } from '../../../shared/protocol/error-messages';
import { OFFSCREEN_TARGET, type OffscreenExtractResponse, OffscreenRequest } from '../../../shared/protocol/offscreen';
import { startOffscreenLinkHost } from '../../link/offscreen-host';
import { extractWithDomParser } from '../../web/dom-extract';

loadEnglishErrorMessages();

async function handle(request: OffscreenRequest): Promise<OffscreenExtractResponse> {
  switch (request.type) {
    case 'web.extract':
      try {
        return { ok: true, result: extractWithDomParser(request.html, request.url, request.maxChars) };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
  }
}

browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id) return undefined;
  if (!raw || typeof raw !== 'object' || (raw as { target?: unknown }).target !== OFFSCREEN_TARGET) return undefined;
  const parsed = OffscreenRequest.safeParse(raw);
  if (!parsed.success) return Promise.resolve({ ok: false, error: 'Invalid offscreen request.' });
  return handle(parsed.data);
});

// Phone link (reason WEB_RTC): the PeerJS peer, the handshake and the encrypted channel live here.
Object.assign(globalThis, { tandemLink: startOffscreenLinkHost() });

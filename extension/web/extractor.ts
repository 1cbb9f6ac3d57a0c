/**
 * Where readable extraction runs: it needs a DOM. Chrome's service worker has
 * none, so the HTML goes to the offscreen document (reason DOM_PARSER); Firefox's
 * background page parses it in place.
 */
import browser from 'webextension-polyfill';
import {
  OFFSCREEN_TARGET,
  OffscreenExtractResponse,
  type OffscreenRequest,
  type ReadableExtract,
} from '../../shared/protocol';
import { ensureOffscreenDocument, offscreenAvailable, registerOffscreenReason } from '../platform/offscreen';
import { extractWithDomParser } from './dom-extract';

export interface HtmlExtractor {
  /** `maxChars`: how much Markdown the caller will use; more may be cut before conversion. */
  extract(html: string, url: string, maxChars: number): Promise<ReadableExtract>;
}

/** A just-created offscreen document may not be listening yet; a few quick retries cover it. */
const SEND_ATTEMPTS = 5;

function isNoReceiver(error: unknown): boolean {
  return error instanceof Error && /receiving end does not exist|could not establish connection/i.test(error.message);
}

export function offscreenExtractor(): HtmlExtractor {
  registerOffscreenReason('DOM_PARSER', 'Turns fetched web pages into readable Markdown for the agent.');
  return {
    async extract(html, url, maxChars) {
      const request: OffscreenRequest = { target: OFFSCREEN_TARGET, type: 'web.extract', html, url, maxChars };
      for (let attempt = 1; ; attempt++) {
        await ensureOffscreenDocument('DOM_PARSER');
        try {
          const parsed = OffscreenExtractResponse.safeParse(await browser.runtime.sendMessage(request));
          if (!parsed.success) throw new Error('The offscreen document gave an invalid answer.');
          if (!parsed.data.ok) throw new Error(`Could not extract the page: ${parsed.data.error}`);
          return parsed.data.result;
        } catch (error) {
          if (!isNoReceiver(error) || attempt >= SEND_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    },
  };
}

export function inPlaceExtractor(): HtmlExtractor {
  return {
    // A service worker may not import() at run time, so this is a static import even where unused.
    extract: async (html, url, maxChars) => extractWithDomParser(html, url, maxChars),
  };
}

export function browserExtractor(): HtmlExtractor {
  return offscreenAvailable() ? offscreenExtractor() : inPlaceExtractor();
}

/**
 * Chrome, service worker side: drives the link host in the offscreen document. The worker cannot
 * host it (no RTCPeerConnection in an MV3 service worker), so it creates the shared offscreen
 * document with reason WEB_RTC and sends it orders; the host reports back on the relay port.
 */
import { browser } from 'wxt/browser';
import { type HostControl, LINK_HOST_TARGET } from '../../shared/protocol/link-relay';
import { ensureOffscreenDocument, OFFSCREEN_PATH, registerOffscreenReason } from '../platform/offscreen';
import type { LinkHostControl } from './link-service';

registerOffscreenReason('WEB_RTC', 'Hosts the WebRTC data channel to the phone the user paired with Tandem.');

async function send(message: HostControl): Promise<void> {
  try {
    await browser.runtime.sendMessage(message);
  } catch {
    // No document listening yet: a new document configures itself from storage when it loads.
  }
}

async function documentExists(): Promise<boolean> {
  const contexts = await browser.runtime.getContexts({
    contextTypes: ['OFFSCREEN_DOCUMENT'],
    documentUrls: [browser.runtime.getURL(OFFSCREEN_PATH)],
  });
  return contexts.length > 0;
}

export class OffscreenHostControl implements LinkHostControl {
  async reconfigure(): Promise<void> {
    await ensureOffscreenDocument('WEB_RTC');
    await send({ target: LINK_HOST_TARGET, type: 'host.reconfigure' });
  }

  async revoke(deviceId: string): Promise<void> {
    if (await documentExists()) await send({ target: LINK_HOST_TARGET, type: 'host.revoke', deviceId });
  }
}

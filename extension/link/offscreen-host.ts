/**
 * Chrome: runs the link host in the offscreen document (reason WEB_RTC), next to the document's
 * other jobs. The worker starts the document when the link is needed and sends it orders
 * (`HostControl`); phones reach the runtime through the relay port (relay-client.ts).
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { HostControl, LINK_HOST_TARGET } from '../../shared/protocol/link-relay';
import { TandemDatabase } from '../storage/db';
import { LinkHost } from './link-host';
import { LinkStore } from './link-store';
import { RelayGateway } from './relay-client';

export function startOffscreenLinkHost(): LinkHost {
  const store = new LinkStore(new TandemDatabase());
  let host: LinkHost | undefined;
  const gateway = new RelayGateway((sessionId) => host?.refuseSession(sessionId));
  host = new LinkHost({ store, gateway });
  const linkHost = host;

  browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
    if (sender.id !== browser.runtime.id) return undefined;
    if (!raw || typeof raw !== 'object' || (raw as { target?: unknown }).target !== LINK_HOST_TARGET) return undefined;
    const parsed = HostControl.safeParse(raw);
    if (!parsed.success) return undefined;
    switch (parsed.data.type) {
      case 'host.reconfigure':
        return linkHost.reconfigure().then(() => linkHost.status);
      case 'host.revoke':
        linkHost.revoke(parsed.data.deviceId);
        return Promise.resolve(linkHost.status);
      case 'host.status.get':
        return Promise.resolve(linkHost.status);
    }
  });

  // The document may be (re)created by Chrome or the worker at any time: configure from storage now.
  void linkHost.reconfigure();
  return linkHost;
}

/**
 * Side-panel (and other extension page) clients over extension ports. Only this
 * extension's own pages may connect: the sender is checked, not just the port name.
 */
import browser from 'webextension-polyfill';
import { CLIENT_PORT_NAME } from '../../shared/protocol';
import type { Runtime } from '../runtime/runtime';

export function acceptPortClients(runtime: Runtime): void {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== CLIENT_PORT_NAME) return;
    const ownOrigin = browser.runtime.getURL('/');
    const senderUrl = port.sender?.url ?? '';
    if (port.sender?.id !== browser.runtime.id || !senderUrl.startsWith(ownOrigin)) {
      port.disconnect();
      return;
    }
    const client = runtime.attach('panel', (message) => port.postMessage(message));
    port.onMessage.addListener((raw: unknown) => {
      void client.receive(raw);
    });
    port.onDisconnect.addListener(() => client.detach());
  });
}

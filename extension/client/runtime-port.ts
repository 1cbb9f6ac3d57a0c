/** Connects the side panel to the runtime in the background service worker. */
import browser from 'webextension-polyfill';
import { CLIENT_PORT_NAME } from '../../shared/protocol/messages';
import { PortTransport } from './port-transport';

export function connectToRuntime(): PortTransport {
  return new PortTransport(() => browser.runtime.connect({ name: CLIENT_PORT_NAME }));
}

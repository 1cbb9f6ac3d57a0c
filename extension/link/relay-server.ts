/**
 * Chrome, service worker side: accepts the link host's relay port from the offscreen document and
 * turns its messages into runtime clients (see shared/protocol/link-relay.ts).
 *
 * Only this extension's own offscreen document may open it: the sender's id and exact URL are
 * checked, not just the port name, because everything on this port is treated as coming from an
 * authenticated phone.
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { HostToRuntime, LINK_RELAY_PORT, type RuntimeToHost } from '../../shared/protocol/link-relay';
import { OFFSCREEN_PATH } from '../platform/offscreen';
import { deferredSession } from './deferred-session';
import type { LinkService } from './link-service';
import type { GatewaySession } from './phone-session';

export function acceptLinkRelay(service: LinkService): void {
  browser.runtime.onConnect.addListener((port: Runtime.Port) => {
    if (port.name !== LINK_RELAY_PORT) return;
    const sender = port.sender;
    if (sender?.id !== browser.runtime.id || sender.url !== browser.runtime.getURL(OFFSCREEN_PATH)) {
      port.disconnect();
      return;
    }
    serveRelay(port, service);
  });
}

function serveRelay(port: Runtime.Port, service: LinkService): void {
  const sessions = new Map<string, GatewaySession>();
  const post = (message: RuntimeToHost) => {
    try {
      port.postMessage(message);
    } catch {
      // The port closed; onDisconnect cleans up.
    }
  };
  port.onMessage.addListener((raw: unknown) => {
    const parsed = HostToRuntime.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.type) {
      case 'session.open': {
        const { sessionId } = message;
        sessions.get(sessionId)?.close();
        const info = { sessionId, deviceId: message.deviceId, deviceName: message.deviceName };
        const opening = service.openPhone(info, (runtimeMessage) =>
          post({ type: 'session.deliver', sessionId, message: runtimeMessage }),
        );
        sessions.set(
          sessionId,
          deferredSession(opening, () => {
            sessions.delete(sessionId);
            post({ type: 'session.refuse', sessionId });
          }),
        );
        return;
      }
      case 'session.message':
        sessions.get(message.sessionId)?.receive(message.message);
        return;
      case 'session.close':
        sessions.get(message.sessionId)?.close();
        sessions.delete(message.sessionId);
        return;
      case 'host.status':
        service.hostStatus(message.status);
        return;
      case 'host.paired':
        service.paired(message);
        return;
      case 'host.refused':
        service.refused(message.code);
        return;
      case 'host.keepalive':
        return; // receiving it is the point: it resets the worker's idle timer
    }
  });
  port.onDisconnect.addListener(() => {
    for (const session of sessions.values()) session.close();
    sessions.clear();
  });
}

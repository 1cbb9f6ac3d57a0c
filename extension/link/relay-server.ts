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
import { FastPortRegistry, RelayOutbox } from './relay-fast-port';

/** The relays open now (one per offscreen document connection). */
const outboxes = new Set<RelayOutbox>();

/** How each open relay sends to the host: 'fast' once on its MessagePort (tests and debugging). */
export function relayRoutes(): RelayOutbox['route'][] {
  return [...outboxes].map((outbox) => outbox.route);
}

export function acceptLinkRelay(service: LinkService): void {
  const fastPorts = new FastPortRegistry(
    globalThis as unknown as ConstructorParameters<typeof FastPortRegistry>[0],
    browser.runtime.getURL(OFFSCREEN_PATH),
  );
  browser.runtime.onConnect.addListener((port: Runtime.Port) => {
    if (port.name !== LINK_RELAY_PORT) return;
    const sender = port.sender;
    if (sender?.id !== browser.runtime.id || sender.url !== browser.runtime.getURL(OFFSCREEN_PATH)) {
      port.disconnect();
      return;
    }
    serveRelay(port, service, fastPorts);
  });
}

function serveRelay(port: Runtime.Port, service: LinkService, fastPorts: FastPortRegistry): void {
  const sessions = new Map<string, GatewaySession>();
  const outbox = new RelayOutbox((message) => {
    try {
      port.postMessage(message);
    } catch {
      // The port closed; onDisconnect cleans up.
    }
  });
  outboxes.add(outbox);
  const post = (message: RuntimeToHost) => outbox.post(message);
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
          post({ type: 'session.deliver', sessionId, json: JSON.stringify(runtimeMessage) }),
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
      case 'host.fast':
        void outbox.useFastPort(fastPorts.claim(message.token));
        return;
    }
  });
  port.onDisconnect.addListener(() => {
    outbox.close();
    outboxes.delete(outbox);
    for (const session of sessions.values()) session.close();
    sessions.clear();
  });
}

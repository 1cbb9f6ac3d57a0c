/**
 * Firefox: the link host runs in the background page itself, which (unlike Chrome's service
 * worker) has RTCPeerConnection, beside the runtime. No relay: the gateway calls the service.
 */
import { deferredSession } from './deferred-session';
import { LinkHost } from './link-host';
import type { LinkHostControl, LinkService } from './link-service';

export class InPageHostControl implements LinkHostControl {
  private host: LinkHost | undefined;

  bind(service: LinkService): void {
    const host: LinkHost = new LinkHost({
      store: service.store,
      gateway: {
        open: (info, deliver) =>
          deferredSession(
            service.openPhone(info, (message) => deliver(JSON.stringify(message))),
            () => host.refuseSession(info.sessionId),
          ),
        paired: (info) => service.paired(info),
        status: (status) => service.hostStatus(status),
        refused: (code) => service.refused(code),
      },
    });
    this.host = host;
  }

  async reconfigure(): Promise<void> {
    await this.host?.reconfigure();
  }

  async revoke(deviceId: string): Promise<void> {
    this.host?.revoke(deviceId);
  }
}

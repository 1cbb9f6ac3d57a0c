/**
 * Firefox: a host control that loads the in-page link host (and PeerJS with it) only when the link
 * is first needed, so a browser without paired phones never loads WebRTC code.
 */
import type { LinkHostControl, LinkService } from './link-service';

export class LazyInPageHostControl implements LinkHostControl {
  private service: LinkService | undefined;
  private loading: Promise<LinkHostControl> | undefined;

  bind(service: LinkService): void {
    this.service = service;
  }

  async reconfigure(): Promise<void> {
    await (await this.load()).reconfigure();
  }

  async revoke(deviceId: string): Promise<void> {
    if (this.loading) await (await this.loading).revoke(deviceId);
  }

  private load(): Promise<LinkHostControl> {
    this.loading ??= import('./firefox-host').then(({ InPageHostControl }) => {
      const control = new InPageHostControl();
      if (this.service) control.bind(this.service);
      return control;
    });
    return this.loading;
  }
}

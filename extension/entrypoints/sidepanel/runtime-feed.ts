/**
 * What every settings section does with the runtime: listen to the messages it
 * cares about, and ask for its data when it appears and again after every
 * reconnection (the runtime may have restarted). One controller instead of the
 * same attach/detach code in each view.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { RuntimeMessage } from '../../../shared/protocol';

export interface RuntimeFeedOptions {
  /** Called with every runtime message while attached. */
  onMessage?(message: RuntimeMessage): void;
  /** Called when attached to an open client, and each time the client reconnects. */
  refresh?(client: ConversationClient): void;
}

export class RuntimeFeed implements ReactiveController {
  private attachedTo: ConversationClient | undefined;
  private detach: (() => void) | undefined;
  private wasOpen = false;

  constructor(
    private readonly host: ReactiveControllerHost & { client: ConversationClient | undefined },
    private readonly options: RuntimeFeedOptions,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.attach();
  }

  /** Follows a change of the host's `client` property. */
  hostUpdate(): void {
    this.attach();
  }

  hostDisconnected(): void {
    this.detach?.();
    this.detach = undefined;
    this.attachedTo = undefined;
  }

  private attach(): void {
    const client = this.host.client;
    if (client === this.attachedTo) return;
    this.detach?.();
    this.detach = undefined;
    this.attachedTo = client;
    if (!client) return;
    const offMessage = this.options.onMessage ? client.onMessage((m) => this.options.onMessage?.(m)) : () => {};
    const offChange = client.onChange(() => {
      const open = client.connection === 'open';
      if (open && !this.wasOpen) this.options.refresh?.(client);
      this.wasOpen = open;
    });
    this.detach = () => {
      offMessage();
      offChange();
    };
    this.wasOpen = client.connection === 'open';
    if (this.wasOpen) this.options.refresh?.(client);
  }
}

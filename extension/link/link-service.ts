/**
 * The runtime's side of the phone link (service worker in Chrome, background page in Firefox):
 * the trusted-only commands (`pairing.*`, `devices.*`, `link.settings.*`), the runtime clients of
 * authenticated phones, and what every side panel should hear about the link (devices changed, a
 * phone paired, the link's state).
 *
 * The link host (offscreen document or Firefox background page) is reached through
 * `LinkHostControl`; this class never touches WebRTC.
 */
import { encodeBase64url } from '../../shared/link/base64url.ts';
import { OfferError } from '../../shared/link/errors.ts';
import { createOffer, offerToUrl, pendingPairingFromOffer } from '../../shared/link/pairing-offer.ts';
import { effectiveIceServers } from '../../shared/link/turn-credentials.ts';
import {
  DEFAULT_PHONE_PAGE_URL,
  type DeviceSummary,
  ICE_FRAGMENT_PARAM,
  LINK_STATUS_OFF,
  type LinkSettings,
  type LinkSettingsPatch,
  type LinkStatus,
  signalingOf,
} from '../../shared/protocol/link';
import type { ErrorCode, RuntimeMessage, RuntimeMessageOf } from '../../shared/protocol/messages';
import type { LinkStore } from './link-store';
import type { GatewaySession, SessionInfo } from './phone-session';

/** Where the link host runs, as the runtime drives it. */
export interface LinkHostControl {
  /** Starts the host if needed and makes it re-read settings, devices and pairings. */
  reconfigure(): Promise<void>;
  /** Drops the device's sessions at once. */
  revoke(deviceId: string): Promise<void>;
  /** For a host in the same context (Firefox): the service it reports to. */
  bind?(service: LinkService): void;
}

/** What the runtime calls for the link's commands (see runtime.ts). */
export interface LinkCommands {
  /** A QR code for the client `clientId`; it is cancelled when that client goes (clientGone). */
  startPairing(clientId?: string): Promise<RuntimeMessageOf<'pairing.offer'>>;
  /**
   * A client detached (its port dropped: the side panel closed). Its QR codes stop working, since
   * a panel's own cleanup does not run when its document closes.
   */
  clientGone(clientId: string): void;
  cancelPairing(secretId: string): Promise<void>;
  devices(): Promise<DeviceSummary[]>;
  /** False if no such active device. */
  revoke(deviceId: string): Promise<boolean>;
  settings(): Promise<LinkSettings>;
  updateSettings(patch: LinkSettingsPatch): Promise<LinkSettings>;
  status(): LinkStatus;
  /** Messages for every side panel. */
  onBroadcast(listener: (message: RuntimeMessage) => void): void;
}

/** A refusal the panel shows as is. */
export class LinkCommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LinkCommandError';
  }
}

/** How phones become runtime clients (runtime.attach('phone', ...)). */
export type AttachPhone = (
  send: (message: RuntimeMessage) => void,
  /** The authenticated device: the runtime records what this phone does under its name and key. */
  device: { deviceId: string; deviceName: string },
) => {
  receive(raw: unknown): Promise<void> | void;
  detach(): void;
};

interface PhoneClient {
  info: SessionInfo;
  client: ReturnType<AttachPhone>;
}

export class LinkService implements LinkCommands {
  private readonly listeners = new Set<(message: RuntimeMessage) => void>();
  private readonly phones = new Map<string, PhoneClient>();
  /** Live QR codes by the client that showed them (secret ids). */
  private readonly offersByClient = new Map<string, Set<string>>();
  private attach: AttachPhone | undefined;
  private current: LinkStatus = LINK_STATUS_OFF;

  constructor(
    readonly store: LinkStore,
    private readonly host: LinkHostControl,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called once the runtime exists (it needs this service first, for its commands). */
  bindRuntime(attach: AttachPhone): void {
    this.attach = attach;
  }

  /** At every start: bring the host up if phones are paired or a QR code is live. */
  async start(): Promise<void> {
    // No client of a new runtime showed any code yet: codes from before a restart have no owner
    // whose closing would cancel them. A panel still showing one asks for a fresh code.
    await this.store.cancelUnusedPairings();
    if (await this.store.needsLink()) await this.host.reconfigure();
  }

  onBroadcast(listener: (message: RuntimeMessage) => void): void {
    this.listeners.add(listener);
  }

  status(): LinkStatus {
    return this.current;
  }

  async startPairing(clientId?: string): Promise<RuntimeMessageOf<'pairing.offer'>> {
    const settings = await this.store.settings();
    const identity = await this.store.identity();
    let url: string;
    let offer: ReturnType<typeof createOffer>;
    try {
      offer = createOffer({
        extensionPublicKey: identity.keyPair.publicKey,
        peerId: identity.peerId,
        signaling: signalingOf(settings),
        now: this.now(),
      });
      url = offerToUrl(settings.phonePageUrl || DEFAULT_PHONE_PAGE_URL, offer);
    } catch (error) {
      if (error instanceof OfferError) throw new LinkCommandError('invalid_command', error.message);
      throw error;
    }
    const iceServers = effectiveIceServers(settings, this.now());
    if (iceServers.length > 0) {
      // ICE servers travel beside the offer, in the fragment too (never sent to the page's server);
      // a TURN REST server's secret never does, only credentials minted now (turn-credentials.ts).
      const ice = encodeBase64url(new TextEncoder().encode(JSON.stringify(iceServers)));
      url = `${url}&${ICE_FRAGMENT_PARAM}=${ice}`;
    }
    const pending = pendingPairingFromOffer(offer);
    await this.store.savePairing(pending);
    if (clientId !== undefined) {
      const offers = this.offersByClient.get(clientId) ?? new Set<string>();
      offers.add(pending.secretId);
      this.offersByClient.set(clientId, offers);
    }
    await this.host.reconfigure();
    return { type: 'pairing.offer', url, expiresAt: offer.expiresAt, secretId: pending.secretId };
  }

  async cancelPairing(secretId: string): Promise<void> {
    for (const offers of this.offersByClient.values()) offers.delete(secretId);
    await this.store.cancelPairing(secretId);
    await this.host.reconfigure();
  }

  clientGone(clientId: string): void {
    const offers = this.offersByClient.get(clientId);
    this.offersByClient.delete(clientId);
    if (!offers || offers.size === 0) return;
    void (async () => {
      for (const secretId of offers) await this.store.cancelPairing(secretId);
      await this.host.reconfigure();
    })().catch(() => {});
  }

  devices(): Promise<DeviceSummary[]> {
    return this.store.deviceSummaries(this.connectedDevices());
  }

  async revoke(deviceId: string): Promise<boolean> {
    const revoked = await this.store.revokeDevice(deviceId);
    // Whatever the store said, no session of this device stays attached.
    for (const [sessionId, phone] of this.phones) {
      if (phone.info.deviceId === deviceId) this.closePhone(sessionId);
    }
    await this.host.revoke(deviceId);
    if (revoked) {
      await this.broadcastDevices();
      await this.host.reconfigure();
    }
    return revoked;
  }

  settings(): Promise<LinkSettings> {
    return this.store.settings();
  }

  async updateSettings(patch: LinkSettingsPatch): Promise<LinkSettings> {
    const settings = await this.store.updateSettings(patch);
    await this.host.reconfigure();
    return settings;
  }

  // ——— From the link host ———

  /** An authenticated phone: attach it to the runtime. Returns undefined if the device is not active. */
  async openPhone(info: SessionInfo, deliver: (message: unknown) => void): Promise<GatewaySession | undefined> {
    const attach = this.attach;
    const device = await this.store.device(info.deviceId);
    if (!attach || device?.status !== 'active') return undefined;
    const client = attach((message) => deliver(message), { deviceId: info.deviceId, deviceName: device.name });
    this.phones.set(info.sessionId, { info, client });
    void this.broadcastDevices();
    return {
      receive: (message) => {
        // Checked per message: a revoked device's session is detached, so this is belt and braces.
        if (this.phones.has(info.sessionId)) void client.receive(message);
      },
      close: () => this.closePhone(info.sessionId),
    };
  }

  closePhone(sessionId: string): void {
    const phone = this.phones.get(sessionId);
    if (!phone) return;
    this.phones.delete(sessionId);
    phone.client.detach();
    void this.broadcastDevices();
  }

  /** Every phone session the host had is gone (the host's document closed or its port dropped). */
  closeAllPhones(): void {
    for (const sessionId of [...this.phones.keys()]) this.closePhone(sessionId);
  }

  hasPhone(sessionId: string): boolean {
    return this.phones.has(sessionId);
  }

  paired(info: { secretId: string; deviceId: string; deviceName: string }): void {
    const { secretId, deviceId, deviceName } = info;
    this.broadcast({ type: 'pairing.completed', secretId, deviceId, deviceName });
    void this.broadcastDevices();
  }

  /** Handshake failures the host reported, newest last (diagnostics; tests read them). */
  readonly refusals: { code: string; at: number }[] = [];

  refused(code: string): void {
    this.refusals.push({ code, at: this.now() });
    if (this.refusals.length > 50) this.refusals.shift();
  }

  hostStatus(status: LinkStatus): void {
    this.current = status;
    this.broadcast({ type: 'link.status', status });
  }

  private connectedDevices(): Set<string> {
    return new Set([...this.phones.values()].map((p) => p.info.deviceId));
  }

  private async broadcastDevices(): Promise<void> {
    if (this.listeners.size === 0) return;
    this.broadcast({ type: 'devices', devices: await this.devices() });
  }

  private broadcast(message: RuntimeMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

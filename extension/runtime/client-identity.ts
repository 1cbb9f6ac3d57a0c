/**
 * Who a client is, for the record: the panel (this computer) or a paired phone, named by the
 * link layer after the handshake proved its device key. Command ids are remembered per identity,
 * so one client's ids can never answer another client's commands, and events and audit rows say
 * which phone acted, so after a theft the user can see what that phone did.
 */
import type { Actor, ClientKind, DeviceIdentity } from '../../shared/protocol';

/** What the link layer knows about an authenticated phone. */
export interface PhoneDevice {
  /** Hex of the phone's long-term public key (the device record's id). */
  deviceId: string;
  deviceName: string;
}

/** A readable fingerprint of a device key: its first 64 bits, in four groups (like SSH's short forms). */
export function deviceFingerprint(deviceId: string): string {
  const hex = deviceId.toLowerCase().replace(/[^0-9a-f]/g, '');
  return (hex.slice(0, 16).match(/.{1,4}/g) ?? [hex]).join(' ');
}

/**
 * The scope command ids are recorded under: every panel of this computer is one user (a panel that
 * reopens after a worker restart re-sends with a new connection id), each phone is its device key.
 */
export function commandScope(kind: ClientKind, connectionId: string, device: PhoneDevice | undefined): string {
  if (kind === 'panel') return 'panel';
  // A phone always comes with its device from the link; an anonymous one (tests) shares one scope.
  if (kind === 'phone') return device ? `phone:${device.deviceId}` : 'phone';
  return `runtime:${connectionId}`;
}

export function scopedCommandKey(scope: string, commandId: string): string {
  return `${scope}\u0000${commandId}`;
}

export function actorFor(kind: ClientKind, clientId: string, device: PhoneDevice | undefined): Actor {
  const identity: DeviceIdentity | undefined = device
    ? { name: device.deviceName.slice(0, 200), fingerprint: deviceFingerprint(device.deviceId) }
    : undefined;
  return { kind, clientId, ...(identity ? { device: identity } : {}) };
}

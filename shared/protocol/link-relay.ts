/**
 * Link host ↔ runtime messages. In Chrome the link host (PeerJS, the handshake, the encrypted
 * channel) runs in the offscreen document, because an MV3 service worker has no RTCPeerConnection,
 * while the runtime runs in the worker. What crosses between them is already decrypted and
 * authenticated: which device a session belongs to, the protocol messages in both directions, and
 * the host's state.
 *
 * Two channels, both validated on receipt:
 * - a port named LINK_RELAY_PORT that the host opens while it has something for the runtime (a
 *   phone session). Port messages reset the worker's idle timer, and the host sends a keep-alive
 *   on it every 20 s while a phone is connected, so the worker is not stopped under a phone user.
 *   The runtime's answers on it move to a MessagePort the host offers with `host.fast`
 *   (extension/link/relay-fast-port.ts), validated as RuntimeToHost all the same.
 * - `runtime.sendMessage` with `target: LINK_HOST_TARGET` for the worker's few orders to the host
 *   (re-read the settings, drop a revoked device, report status), which must reach it whether or
 *   not a port is open.
 */
import { z } from 'zod/mini';
import { LinkStatus } from './link';

export const LINK_RELAY_PORT = 'tandem-link-relay';
/** Marks a runtime message as meant for the link host (other listeners ignore it). */
export const LINK_HOST_TARGET = 'tandem-link-host';
/** How often the host messages the worker while phones are connected (Chrome stops idle workers at 30 s). */
export const RELAY_KEEPALIVE_MS = 20_000;

const SessionId = z.string().check(z.minLength(1), z.maxLength(64));

/** Host → runtime, on the relay port. */
export const HostToRuntime = z.discriminatedUnion('type', [
  /** A phone authenticated: attach it to the runtime as a 'phone' client. */
  z.strictObject({
    type: z.literal('session.open'),
    sessionId: SessionId,
    deviceId: z.string().check(z.minLength(1), z.maxLength(128)),
    deviceName: z.string().check(z.maxLength(128)),
  }),
  /** A protocol message from that phone (the runtime validates it as a command). */
  z.strictObject({ type: z.literal('session.message'), sessionId: SessionId, message: z.unknown() }),
  z.strictObject({ type: z.literal('session.close'), sessionId: SessionId }),
  z.strictObject({ type: z.literal('host.status'), status: LinkStatus }),
  /** A phone paired with the QR code `secretId`: the panel showing it can say so. */
  z.strictObject({
    type: z.literal('host.paired'),
    secretId: z.string().check(z.maxLength(64)),
    deviceId: z.string().check(z.minLength(1), z.maxLength(128)),
    deviceName: z.string().check(z.maxLength(128)),
  }),
  /** A connection failed the handshake (wrong secret, used or expired QR code, revoked device, interception). */
  z.strictObject({ type: z.literal('host.refused'), code: z.string().check(z.maxLength(64)) }),
  z.strictObject({ type: z.literal('host.keepalive') }),
  /** The MessagePort for runtime → host messages sent with this token (extension/link/relay-fast-port.ts). */
  z.strictObject({ type: z.literal('host.fast'), token: z.string().check(z.length(32)) }),
]);
export type HostToRuntime = z.infer<typeof HostToRuntime>;

/** Runtime → host, on the relay port. */
export const RuntimeToHost = z.discriminatedUnion('type', [
  /**
   * A runtime message for one phone session, as the JSON text it is sealed as (the worker
   * serializes it once; the phone validates it).
   */
  z.strictObject({ type: z.literal('session.deliver'), sessionId: SessionId, json: z.string() }),
  /** The runtime refuses this session (its device was revoked meanwhile): close it. */
  z.strictObject({ type: z.literal('session.refuse'), sessionId: SessionId }),
]);
export type RuntimeToHost = z.infer<typeof RuntimeToHost>;

/** Runtime → host orders, by `runtime.sendMessage`. */
export const HostControl = z.discriminatedUnion('type', [
  /** Settings, devices or pairings changed: re-read them, and go online or offline accordingly. */
  z.strictObject({ target: z.literal(LINK_HOST_TARGET), type: z.literal('host.reconfigure') }),
  /** Close every session of this device at once (it was revoked). */
  z.strictObject({
    target: z.literal(LINK_HOST_TARGET),
    type: z.literal('host.revoke'),
    deviceId: z.string().check(z.minLength(1), z.maxLength(128)),
  }),
  /** Answered with the current LinkStatus. */
  z.strictObject({ target: z.literal(LINK_HOST_TARGET), type: z.literal('host.status.get') }),
]);
export type HostControl = z.infer<typeof HostControl>;

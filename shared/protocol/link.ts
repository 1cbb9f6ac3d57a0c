/**
 * The phone link's shapes: its settings, the paired devices and the link's state as the side panel
 * sees them, and the envelope every message between a phone and the extension travels in.
 *
 * The envelope is what the phone and the extension's link host exchange INSIDE the authenticated,
 * encrypted channel (shared/link: handshake, then sealed ≤16 KiB frames carrying chunks of one
 * UTF-8 JSON envelope each). Protocol messages ride in `msg` unchanged: a phone speaks exactly the
 * client protocol the side panel speaks (commands.ts / messages.ts); the rest is the link's own
 * housekeeping (heartbeats, refusals, a goodbye that says why).
 */
import { z } from 'zod/mini';

/** A PeerJS signaling server. The offer (QR code) carries the same fields to the phone. */
export const SignalingServer = z.strictObject({
  host: z.string().check(z.trim(), z.minLength(1), z.maxLength(253)),
  port: z.optional(z.int().check(z.gte(1), z.lte(65535))),
  /** URL path the PeerServer is mounted on ('/' by default). */
  path: z.optional(
    z.string().check(z.maxLength(128), z.regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, 'a URL path starting with /')),
  ),
  secure: z.boolean(),
});
export type SignalingServer = z.infer<typeof SignalingServer>;

/**
 * The public PeerJS cloud: the signaling server used when the user set none of their own, so the
 * phone works out of the box. It sees peer ids, IP addresses and SDP (who connects to whom, from
 * where), never content or keys; the handshake binds both DTLS fingerprints to the QR secret, so
 * it can neither read nor inject (Settings → Phone says so).
 */
export const PEERJS_CLOUD: SignalingServer = { host: '0.peerjs.com', port: 443, path: '/', secure: true };

/** The signaling server in use: the user's own, or the public PeerJS server. */
export function signalingOf(settings: { signaling: SignalingServer | null }): SignalingServer {
  return settings.signaling ?? PEERJS_CLOUD;
}

/**
 * The hosted phone page (GitHub Pages, .github/workflows/phone-page.yml) used when the user set no
 * address of their own. Any static HTTPS host of the same build works; the QR secret rides in the
 * fragment, which never reaches the host.
 */
export const DEFAULT_PHONE_PAGE_URL = 'https://tandem-agent.github.io/tandem/';

/** One STUN/TURN server, as RTCPeerConnection takes it. */
export const IceServer = z.strictObject({
  urls: z.union([
    z.string().check(z.minLength(1), z.maxLength(512)),
    z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.minLength(1), z.maxLength(8)),
  ]),
  username: z.optional(z.string().check(z.maxLength(256))),
  credential: z.optional(z.string().check(z.maxLength(256))),
});
export type IceServer = z.infer<typeof IceServer>;

/**
 * Public STUN servers used when the user configured none: a phone on a mobile network and a computer
 * behind a home NAT need their public addresses to connect directly. STUN servers see only the
 * addresses asking; nothing of the content.
 */
export const DEFAULT_STUN_SERVERS: IceServer[] = [
  { urls: 'stun:stun.l.google.com:19302' },
  { urls: 'stun:stun.cloudflare.com:3478' },
];

/**
 * A TURN server with time-limited credentials (the "TURN REST API" scheme coturn implements as
 * `use-auth-secret`): the extension holds the shared secret and hands out only a username
 * `expiry:tandem` and its HMAC, so a phone (or a QR code photographed later) never holds a
 * credential that works past `ttlSeconds`.
 */
export const TurnRestConfig = z.strictObject({
  urls: z
    .array(z.string().check(z.regex(/^turns?:\S+$/, 'a turn: or turns: URL'), z.maxLength(512)))
    .check(z.minLength(1), z.maxLength(4)),
  secret: z.string().check(z.minLength(8), z.maxLength(256)),
  ttlSeconds: z.number().check(z.int(), z.gte(60), z.lte(7 * 86_400)),
});
export type TurnRestConfig = z.infer<typeof TurnRestConfig>;

/** The phone page's address: http(s) only (it becomes the QR code a camera opens). */
const PhonePageUrl = z.union([z.literal(''), z.url({ protocol: /^https?$/ }).check(z.maxLength(2048))]);

export const LinkSettings = z.object({
  /** The user's own PeerServer; null means the public PeerJS server (signalingOf). */
  signaling: z.nullable(SignalingServer),
  /** Empty by default: on a LAN host candidates suffice; across networks add STUN, and TURN for strict NATs. */
  iceServers: z.array(IceServer).check(z.maxLength(8)),
  /**
   * Where the phone page is served; empty means DEFAULT_PHONE_PAGE_URL (`npm start` serves it on
   * the LAN for development).
   */
  phonePageUrl: PhonePageUrl,
  /** A TURN server that takes time-limited credentials, beside any in `iceServers`. */
  turnRest: z._default(z.nullable(TurnRestConfig), null),
  /** Keep the computer awake while a task runs (Chrome's power API; Firefox has none). */
  keepAwake: z._default(z.boolean(), true),
});
export type LinkSettings = z.infer<typeof LinkSettings>;

export const DEFAULT_LINK_SETTINGS: LinkSettings = {
  signaling: null,
  iceServers: DEFAULT_STUN_SERVERS,
  phonePageUrl: '',
  turnRest: null,
  keepAwake: true,
};

export const LinkSettingsPatch = z.partial(
  z.strictObject({
    signaling: z.nullable(SignalingServer),
    iceServers: z.array(IceServer).check(z.maxLength(8)),
    phonePageUrl: PhonePageUrl,
    turnRest: z.nullable(TurnRestConfig),
    keepAwake: z.boolean(),
  }),
);
export type LinkSettingsPatch = z.infer<typeof LinkSettingsPatch>;

/** A paired phone as the Devices view lists it. */
export const DeviceSummary = z.object({
  /** Hex of the phone's long-term public key. */
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  name: z.string(),
  pairedAt: z.number(),
  lastSeenAt: z.number(),
  /** A phone is connected right now. */
  connected: z.boolean(),
});
export type DeviceSummary = z.infer<typeof DeviceSummary>;

export const LinkState = z.enum(['off', 'connecting', 'online', 'error']);
export type LinkState = z.infer<typeof LinkState>;

/** Whether the extension can be reached by phones right now. */
export const LinkStatus = z.object({
  state: LinkState,
  /** The extension's PeerJS id while registered. */
  peerId: z.nullable(z.string()),
  /** For a person: why it is off or failing. */
  detail: z.string(),
  /** Authenticated phone sessions. */
  phones: z.int().check(z.nonnegative()),
});
export type LinkStatus = z.infer<typeof LinkStatus>;

export const LINK_STATUS_OFF: LinkStatus = { state: 'off', peerId: null, detail: '', phones: 0 };

/** The fragment parameter that carries the ICE servers next to the offer (`#p=…&ice=…`). */
export const ICE_FRAGMENT_PARAM = 'ice';

/** Why the extension hung up on a phone on purpose. */
export const ByeReason = z.enum(['revoked', 'shutdown', 'replaced', 'misbehaving']);
export type ByeReason = z.infer<typeof ByeReason>;

/**
 * What one reassembled message on the phone link is. Short keys: every message pays for them.
 * - `msg`: a protocol message (a command from the phone, a runtime message to it).
 * - `ping`/`pong`: heartbeats. The phone pings every couple of seconds and the extension answers,
 *   so each side notices a half-open link within seconds (WebRTC itself may take 30 s or more).
 * - `error`: the extension could not use the frame with counter `frame` (it says why); every frame
 *   an authenticated phone sends gets an answer, a runtime answer or this.
 * - `bye`: the extension is closing this session on purpose and the phone should not simply retry
 *   (`revoked`), or may (`shutdown`, `replaced`).
 */
export const LinkEnvelope = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('msg'), m: z.unknown() }),
  z.strictObject({ t: z.literal('ping'), n: z.int().check(z.nonnegative()) }),
  z.strictObject({ t: z.literal('pong'), n: z.int().check(z.nonnegative()) }),
  z.strictObject({
    t: z.literal('error'),
    frame: z.int().check(z.nonnegative()),
    code: z.string().check(z.maxLength(64)),
    message: z.string().check(z.maxLength(1000)),
  }),
  z.strictObject({ t: z.literal('bye'), reason: ByeReason, message: z.string().check(z.maxLength(1000)) }),
]);
export type LinkEnvelope = z.infer<typeof LinkEnvelope>;

/**
 * The pairing offer: what the extension's side panel shows as a QR code and the phone page reads.
 *
 * It carries everything the phone needs to find and authenticate the extension without trusting the
 * signaling server: the extension's long-term X25519 identity key (so a server that answers in the
 * extension's place cannot complete the handshake), its PeerJS id, a single-use 256-bit pairing
 * secret (the handshake's PSK: the server never sees it, so no PAKE is needed), an expiry, and
 * optionally which signaling server to use.
 *
 * The payload travels only in the URL fragment (`https://phone.example/#p=...`): browsers never send
 * the fragment to the server that serves the phone page, so the secret stays between the screen and
 * the camera. It is binary, versioned and base64url-encoded to keep the QR code small (about 150
 * characters); zod then validates the decoded fields with the same schema `createOffer` uses, so the
 * extension cannot emit an offer the phone would refuse.
 *
 * Binary layout, version 1 (integers big-endian):
 *   0       version = 1
 *   1       flags: bit 0 signaling settings present, bit 1 signaling over TLS; others zero
 *   2..33   extension static X25519 public key
 *   34..65  pairing secret
 *   66..69  expiry, Unix seconds (uint32)
 *   70      peer id length n (1..64), then n ASCII bytes
 *   if signaling: host length (1..253) + host, port (uint16, 0 = scheme default),
 *                 path length (0..128, 0 = default) + path
 */

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod/mini';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { OfferError } from './errors.ts';
import { type RandomBytes, secureRandomBytes } from './random.ts';

export const OFFER_VERSION = 1;
/** Long enough to walk to the phone and scan, short enough that a photographed QR code soon goes stale. */
export const DEFAULT_OFFER_TTL_MS = 5 * 60 * 1000;
/** 256 bits: a QR code has room, and it leaves no room for guessing (at least 128 bits are required). */
export const PAIRING_SECRET_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
/** Name of the fragment parameter that carries the payload. */
export const OFFER_FRAGMENT_PARAM = 'p';

const FLAG_SIGNALING = 0b01;
const FLAG_SECURE = 0b10;
const SECRET_ID_INFO = utf8ToBytes('tandem-link/v1 pairing-secret-id');

const bytesOfLength = (length: number) =>
  z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.length === length, {
    message: `expected ${length} bytes`,
  });

/** PeerJS's own id rule (alphanumeric words joined by single space, `_` or `-`), capped at 64 characters. */
const peerIdSchema = z
  .string()
  .check(z.maxLength(64), z.regex(/^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/, 'not a valid PeerJS id'));

const signalingSchema = z.strictObject({
  host: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(253),
      z.regex(
        /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$/,
        'not a host name or address',
      ),
    ),
  port: z.optional(z.int().check(z.gte(1), z.lte(65535))),
  path: z.optional(
    z.string().check(z.maxLength(128), z.regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, 'not a URL path')),
  ),
  secure: z.boolean(),
});

const offerSchema = z.strictObject({
  version: z.literal(OFFER_VERSION),
  extensionPublicKey: bytesOfLength(PUBLIC_KEY_BYTES),
  peerId: peerIdSchema,
  secret: bytesOfLength(PAIRING_SECRET_BYTES),
  /** Milliseconds since the epoch, whole seconds (the wire carries seconds). */
  expiresAt: z.number().check(
    z.int(),
    z.gte(0),
    z.lte(0xffffffff * 1000),
    z.refine((ms) => ms % 1000 === 0, 'expiry must be whole seconds'),
  ),
  signaling: z.optional(signalingSchema),
});

/** PeerJS signaling settings; absent fields use PeerJS's defaults. */
export type SignalingSettings = z.infer<typeof signalingSchema>;
export type PairingOffer = z.infer<typeof offerSchema>;

/** What the extension keeps about an offer it showed, to answer the handshake. */
export interface PendingPairing {
  /** Public handle of the secret (see `pairingSecretId`). */
  secretId: string;
  secret: Uint8Array;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface CreateOfferOptions {
  extensionPublicKey: Uint8Array;
  peerId: string;
  signaling?: Omit<SignalingSettings, 'secure'> & { secure?: boolean };
  /** Milliseconds since the epoch. */
  now: number;
  ttlMs?: number;
  randomBytes?: RandomBytes;
}

/** Creates a fresh offer with a new single-use secret. Throws `OfferError('malformed')` for invalid inputs. */
export function createOffer(options: CreateOfferOptions): PairingOffer {
  const random = options.randomBytes ?? secureRandomBytes;
  const ttlMs = options.ttlMs ?? DEFAULT_OFFER_TTL_MS;
  const candidate = {
    version: OFFER_VERSION,
    extensionPublicKey: options.extensionPublicKey,
    peerId: options.peerId,
    secret: random(PAIRING_SECRET_BYTES),
    // Rounded down to whole seconds: the offer may live a little less than ttlMs, never more.
    expiresAt: Math.floor((options.now + ttlMs) / 1000) * 1000,
    ...(options.signaling === undefined
      ? {}
      : { signaling: { ...options.signaling, secure: options.signaling.secure ?? true } }),
  };
  return validate(candidate, 'create');
}

/**
 * Stable public handle of a pairing secret, sent in the clear by the phone so the extension can
 * find which offer is being answered. One-way (HKDF of the secret): it reveals nothing about it.
 */
export function pairingSecretId(secret: Uint8Array): string {
  return bytesToHex(secretIdBytes(secret));
}

/** @internal The 16-byte form carried in the handshake. */
export function secretIdBytes(secret: Uint8Array): Uint8Array {
  return hkdf(sha256, secret, undefined, SECRET_ID_INFO, 16);
}

/** The record the extension stores while the QR code is shown. */
export function pendingPairingFromOffer(offer: PairingOffer): PendingPairing {
  return { secretId: pairingSecretId(offer.secret), secret: offer.secret, expiresAt: offer.expiresAt };
}

/** The base64url payload (the value of `p` in the fragment). */
export function encodeOffer(offer: PairingOffer): string {
  const valid = validate(offer, 'create');
  const peerId = utf8ToBytes(valid.peerId);
  const parts: number[] = [
    valid.version,
    (valid.signaling ? FLAG_SIGNALING : 0) | (valid.signaling?.secure ? FLAG_SECURE : 0),
    ...valid.extensionPublicKey,
    ...valid.secret,
    ...uint32(valid.expiresAt / 1000),
    peerId.length,
    ...peerId,
  ];
  if (valid.signaling) {
    const host = utf8ToBytes(valid.signaling.host);
    const path = utf8ToBytes(valid.signaling.path ?? '');
    const port = valid.signaling.port ?? 0;
    parts.push(host.length, ...host, port >> 8, port & 0xff, path.length, ...path);
  }
  return encodeBase64url(Uint8Array.from(parts));
}

/**
 * The phone page URL with the offer in its fragment. Any fragment already on `phonePageUrl` is
 * replaced; the payload is never put in the path or query, which the page's server would see.
 */
export function offerToUrl(phonePageUrl: string, offer: PairingOffer): string {
  let url: URL;
  try {
    url = new URL(phonePageUrl);
  } catch (cause) {
    throw new OfferError('malformed', `"${phonePageUrl}" is not a URL for the phone page.`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OfferError('malformed', `The phone page must be an http(s) URL, not ${url.protocol}.`);
  }
  url.hash = `${OFFER_FRAGMENT_PARAM}=${encodeOffer(offer)}`;
  return url.toString();
}

export interface ParseOfferOptions {
  /** Accept an offer this many milliseconds past its expiry, for a phone clock running ahead. Default 0. */
  clockToleranceMs?: number;
}

/**
 * Reads an offer from the phone page URL, its fragment (`#p=...`) or the fragment's content
 * (`p=...`). Only the fragment is read: a payload in the query string is not an offer.
 * Throws `OfferError` with code `malformed`, `unsupported_version` or `expired`.
 */
export function parseOffer(urlOrFragment: string, now: number, options: ParseOfferOptions = {}): PairingOffer {
  const payload = fragmentPayload(urlOrFragment);
  const bytes = payload === undefined ? undefined : decodeBase64url(payload);
  if (bytes === undefined || bytes.length === 0) {
    throw new OfferError('malformed', 'This pairing link has no readable pairing code. Scan the QR code again.');
  }
  if (bytes[0] !== OFFER_VERSION) {
    throw new OfferError(
      'unsupported_version',
      `This pairing code has format version ${bytes[0]}, which this page does not understand. Update the extension and the phone page to the same version.`,
    );
  }
  const offer = validate(decodeFields(bytes), 'parse');
  const tolerance = options.clockToleranceMs ?? 0;
  if (now >= offer.expiresAt + tolerance) {
    throw new OfferError('expired', 'This pairing code has expired. Show a new QR code in the side panel and scan it.');
  }
  return offer;
}

function fragmentPayload(input: string): string | undefined {
  const trimmed = input.trim();
  const hashAt = trimmed.indexOf('#');
  let fragment: string;
  if (hashAt >= 0) fragment = trimmed.slice(hashAt + 1);
  else if (trimmed.startsWith(`${OFFER_FRAGMENT_PARAM}=`)) fragment = trimmed;
  else return undefined;
  return new URLSearchParams(fragment).get(OFFER_FRAGMENT_PARAM) ?? undefined;
}

function decodeFields(bytes: Uint8Array): unknown {
  const reader = new ByteReader(bytes);
  const version = reader.byte();
  const flags = reader.byte();
  if ((flags & ~(FLAG_SIGNALING | FLAG_SECURE)) !== 0 || (!(flags & FLAG_SIGNALING) && flags & FLAG_SECURE)) {
    throw malformed('unknown flags');
  }
  const extensionPublicKey = reader.bytes(PUBLIC_KEY_BYTES);
  const secret = reader.bytes(PAIRING_SECRET_BYTES);
  const expiresAt = reader.uint32() * 1000;
  const peerId = reader.ascii(reader.byte());
  let signaling: Record<string, unknown> | undefined;
  if (flags & FLAG_SIGNALING) {
    const host = reader.ascii(reader.byte());
    const port = reader.uint16();
    const path = reader.ascii(reader.byte());
    signaling = {
      host,
      ...(port === 0 ? {} : { port }),
      ...(path === '' ? {} : { path }),
      secure: (flags & FLAG_SECURE) !== 0,
    };
  }
  if (!reader.atEnd()) throw malformed('trailing bytes');
  return { version, extensionPublicKey, peerId, secret, expiresAt, ...(signaling ? { signaling } : {}) };
}

/**
 * One schema for both directions: what `createOffer`/`encodeOffer` accept is exactly what
 * `parseOffer` accepts. Only the wording differs: a bad input here is a bug in the extension, a bad
 * payload there is a damaged or forged QR code.
 */
function validate(candidate: unknown, direction: 'create' | 'parse'): PairingOffer {
  const result = offerSchema.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    const detail = `${issue?.path.join('.') || 'offer'}: ${issue?.message ?? 'invalid'}`;
    if (direction === 'parse') throw malformed(detail);
    throw new OfferError('malformed', `Cannot create a pairing offer (${detail}).`);
  }
  return result.data;
}

function malformed(detail: string): OfferError {
  return new OfferError('malformed', `This pairing code is damaged or incomplete (${detail}). Scan the QR code again.`);
}

function uint32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** Bounds-checked reads over the decoded payload; running past the end is `malformed`. */
class ByteReader {
  #offset = 0;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  bytes(length: number): Uint8Array {
    if (this.#offset + length > this.#bytes.length) throw malformed('too short');
    const out = this.#bytes.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  byte(): number {
    return this.bytes(1)[0] ?? 0;
  }

  uint16(): number {
    const [a = 0, b = 0] = this.bytes(2);
    return (a << 8) | b;
  }

  uint32(): number {
    const [a = 0, b = 0, c = 0, d = 0] = this.bytes(4);
    return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  }

  /** Every text field of the offer is ASCII; anything else is refused rather than guessed at. */
  ascii(length: number): string {
    const raw = this.bytes(length);
    if (raw.some((byte) => byte < 0x20 || byte > 0x7e)) throw malformed('non-ASCII text');
    return String.fromCharCode(...raw);
  }

  atEnd(): boolean {
    return this.#offset === this.#bytes.length;
  }
}

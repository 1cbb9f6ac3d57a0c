/**
 * The phone link's security layer: pure functions and state machines over bytes, shared by the
 * extension (offscreen document) and the phone page, with no browser or PeerJS API.
 *
 * Sending side:   message → splitMessage / MessageSplitter → SecureChannel.seal (per frame) → data channel
 * Receiving side: data channel → SecureChannel.open (per frame) → MessageReassembler.push → message
 * Before either: the QR offer (pairing-offer.ts) and the handshake (handshake.ts) produce the keys.
 */

export {
  CHUNK_HEADER_BYTES,
  type ChunkingLimits,
  MAX_CHUNK_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  MessageReassembler,
  MessageSplitter,
  type ReassemblyLimits,
  splitMessage,
} from './chunking.ts';
export {
  ChannelError,
  type ChannelErrorCode,
  ChunkError,
  type ChunkErrorCode,
  HandshakeError,
  type HandshakeErrorCode,
  LinkError,
  OfferError,
  type OfferErrorCode,
} from './errors.ts';
export { bindFingerprints, fingerprintFromSdp, normalizeFingerprint } from './fingerprint.ts';
export {
  canonicalPublicKey,
  createInitiator,
  createResponder,
  type DeviceRecord,
  generateStaticKeyPair,
  type HandshakeMode,
  type HandshakeStep,
  type InitiatorHandshake,
  type InitiatorOptions,
  type InitiatorSession,
  type ResponderHandshake,
  type ResponderOptions,
  type ResponderSession,
  type SessionKeys,
  type StaticKeyPair,
} from './handshake.ts';
export {
  type CreateOfferOptions,
  createOffer,
  DEFAULT_OFFER_TTL_MS,
  encodeOffer,
  OFFER_FRAGMENT_PARAM,
  OFFER_VERSION,
  offerToUrl,
  PAIRING_SECRET_BYTES,
  type PairingOffer,
  type ParseOfferOptions,
  type PendingPairing,
  pairingSecretId,
  parseOffer,
  pendingPairingFromOffer,
  type SignalingSettings,
} from './pairing-offer.ts';
export { type RandomBytes, secureRandomBytes } from './random.ts';
export {
  MAX_PLAINTEXT_BYTES,
  MAX_SEALED_FRAME_BYTES,
  SEAL_OVERHEAD_BYTES,
  SecureChannel,
} from './secure-channel.ts';

/**
 * How a client reaches the runtime. The side panel uses an extension port, the
 * phone a WebRTC data channel; the conversation client above does not care which.
 */
export type TransportState = 'connecting' | 'open' | 'closed';

export interface Transport {
  /** Sends one JSON-serialisable message; may throw if the link is not open. */
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
  /** 'open' after every (re)connection: the client resubscribes then. */
  onState(listener: (state: TransportState) => void): () => void;
  readonly state: TransportState;
  close(): void;
}

/**
 * Whether the live link's path is in doubt, from the link's own state only: ICE says disconnected
 * or failed, an ICE restart is in flight, or a standby link is being opened. In doubt from the
 * first sign until nothing is in flight, ICE is not down, and a frame was heard after the last
 * sign: events flow again. A restart that keeps the channel up therefore reads "Reconnecting"
 * rather than "Connected" (presence.ts), and ends in "Connected" only when it truly worked.
 */
export class LinkRecovery {
  private doubtSince: number | undefined;
  private iceDown = false;
  private inFlight = 0;
  private heardSinceSign = true;

  constructor(private readonly onChange: () => void = () => {}) {}

  /** When the doubt began, if the path is in doubt now. */
  get since(): number | undefined {
    return this.doubtSince;
  }

  /** The peer connection's ICE connection state changed. */
  iceState(state: RTCIceConnectionState, at: number): void {
    this.iceDown = state === 'disconnected' || state === 'failed';
    if (this.iceDown) this.sign(at);
    else this.settle();
  }

  /** A restart or standby attempt begins; the returned function ends it (won, lost or dropped). */
  begin(at: number): () => void {
    this.inFlight += 1;
    this.sign(at);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight -= 1;
      this.settle();
    };
  }

  /** An authenticated frame arrived over the link. */
  heard(): void {
    this.heardSinceSign = true;
    this.settle();
  }

  private sign(at: number): void {
    this.heardSinceSign = false;
    if (this.doubtSince !== undefined) return;
    this.doubtSince = at;
    this.onChange();
  }

  private settle(): void {
    if (this.doubtSince === undefined || this.inFlight > 0 || this.iceDown || !this.heardSinceSign) return;
    this.doubtSince = undefined;
    this.onChange();
  }
}

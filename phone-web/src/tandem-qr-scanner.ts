/**
 * `<tandem-qr-scanner>`: reads the side panel's pairing QR code with the phone's camera, in the
 * page. Scanned here, the pairing secret never becomes a URL: no history entry, no session
 * restore, no synced history, nothing on disk (a camera app would open the URL, and the browser
 * keeps it in its history database). Needs a secure context (HTTPS, or localhost) for the camera.
 *
 * The decoder (jsQR, about 45 KiB gzipped, as much as the rest of the page's libraries) is loaded
 * only when the scanner opens, while the camera starts: most pairings come from the camera app,
 * and a paired phone never scans again. index.html pins that chunk too (see vite.config.ts).
 *
 * Events out: `qr-scanned` with the code's text, once; `scan-cancel`.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { controlStyles } from '../../shared/ui/control-styles';
import { tokens } from '../../shared/ui/tokens';

/** Frames are decoded at most this wide (a QR code fills much of the view; smaller is faster). */
const DECODE_WIDTH = 640;
/** Time between decode attempts: enough for a steady hand, light on a phone's battery. */
const DECODE_INTERVAL_MS = 150;

type DecodeQr = typeof import('jsqr').default;

export interface QrScannedDetail {
  text: string;
}

@customElement('tandem-qr-scanner')
export class TandemQrScanner extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
      }
      video {
        width: 100%;
        max-height: 60vh;
        object-fit: cover;
        border-radius: var(--tandem-radius);
        background: #000;
      }
      .error {
        color: var(--tandem-danger);
      }
      button {
        align-self: flex-start;
        min-height: 44px;
      }
    `,
  ];

  @state() private error = '';
  @query('video') private video: HTMLVideoElement | undefined;
  private stream: MediaStream | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly canvas = document.createElement('canvas');
  private done = false;
  private decode: DecodeQr | undefined;

  override firstUpdated(): void {
    void this.startCamera();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopCamera();
  }

  private async startCamera(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.error = window.isSecureContext
        ? 'This browser cannot use the camera here. Scan the code with the camera app instead.'
        : 'The camera needs this page over HTTPS. Scan the code with the camera app instead.';
      return;
    }
    const decoder = import('jsqr');
    decoder.catch(() => {}); // Reported below once the camera is settled, not as an unhandled rejection.
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' } },
        audio: false,
      });
      this.decode = (await decoder).default;
    } catch (error) {
      this.error =
        error instanceof DOMException && error.name === 'NotAllowedError'
          ? 'Camera access was refused. Allow it for this page, or scan the code with the camera app.'
          : this.stream
            ? 'The code reader could not be loaded. Check the connection, or scan the code with the camera app.'
            : 'The camera could not be started. Scan the code with the camera app instead.';
      this.stopCamera();
      return;
    }
    const video = this.video;
    if (!video || !this.isConnected) {
      this.stopCamera();
      return;
    }
    video.srcObject = this.stream;
    await video.play().catch(() => {});
    this.scheduleDecode();
  }

  private scheduleDecode(): void {
    this.timer = setTimeout(() => this.decodeFrame(), DECODE_INTERVAL_MS);
  }

  private decodeFrame(): void {
    const video = this.video;
    const decode = this.decode;
    if (this.done || !video || !this.stream || !decode) return;
    if (video.videoWidth > 0) {
      const scale = Math.min(1, DECODE_WIDTH / video.videoWidth);
      const width = Math.round(video.videoWidth * scale);
      const height = Math.round(video.videoHeight * scale);
      this.canvas.width = width;
      this.canvas.height = height;
      const context = this.canvas.getContext('2d', { willReadFrequently: true });
      context?.drawImage(video, 0, 0, width, height);
      const image = context?.getImageData(0, 0, width, height);
      const code = image ? decode(image.data, width, height, { inversionAttempts: 'attemptBoth' }) : null;
      if (code?.data) {
        this.done = true;
        this.stopCamera();
        this.dispatchEvent(
          new CustomEvent<QrScannedDetail>('qr-scanned', {
            detail: { text: code.data },
            bubbles: true,
            composed: true,
          }),
        );
        return;
      }
    }
    this.scheduleDecode();
  }

  private stopCamera(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
  }

  override render() {
    return html`
      <video playsinline muted aria-label="Camera view" data-testid="scanner-video"></video>
      <p class="muted">Point the camera at the QR code in Tandem’s side panel.</p>
      ${this.error ? html`<p class="error" role="alert" data-testid="scanner-error">${this.error}</p>` : nothing}
      <button
        data-testid="scan-cancel"
        @click=${() => this.dispatchEvent(new CustomEvent('scan-cancel', { bubbles: true, composed: true }))}
      >
        Cancel
      </button>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-qr-scanner': TandemQrScanner;
  }
  interface HTMLElementEventMap {
    'qr-scanned': CustomEvent<QrScannedDetail>;
  }
}

/**
 * The browser edge of the file bridge: a native messaging port. Everything above
 * this file talks to the small `NativeConnector` interface, so the bridge client
 * is unit-tested with a fake port and no browser.
 *
 * `connectNative` exists in Chrome's service worker and in extension pages, not
 * in offscreen documents (../shared/BROWSER-TESTING.md), which is one reason the
 * runtime lives in the worker.
 */
import browser from 'webextension-polyfill';

/** The part of `runtime.Port` the bridge uses. */
export interface NativePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface NativeConnector {
  /** Starts the host (the browser looks its manifest up on every call). */
  connect(hostName: string): NativePort;
  /**
   * Why the browser closed `port`, read inside its onDisconnect listener:
   * Chrome reports it in `runtime.lastError` (only during that callback), Firefox in `port.error`.
   */
  disconnectReason(port: NativePort): string | undefined;
}

type PortWithError = NativePort & { error?: { message?: string } | null };

export const browserNativeConnector: NativeConnector = {
  connect: (hostName) => browser.runtime.connectNative(hostName),
  disconnectReason(port) {
    const fromPort = (port as PortWithError).error?.message;
    if (fromPort) return fromPort;
    const lastError = (browser.runtime as { lastError?: { message?: string } | null }).lastError;
    return lastError?.message ?? undefined;
  },
};

/**
 * Keeps the computer from sleeping while a task runs, so a user who walked away with the phone
 * finds the task done rather than a computer asleep mid-tool (and unreachable). Chrome has
 * `chrome.power.requestKeepAwake('system')` (the screen may still turn off); Firefox has no such
 * API, and Settings → Phone says so. Not to be confused with keep-alive.ts, which keeps the
 * extension's service worker from being stopped.
 *
 * Reference-counted like KeepAlive: held from the first running task to the end of the last one.
 * The setting is read when the first task starts; turning it off releases a held request at once.
 */

/** The slice of `chrome.power` used (absent in Firefox). */
export interface PowerApi {
  requestKeepAwake(level: 'system' | 'display'): void;
  releaseKeepAwake(): void;
}

export class KeepAwake {
  private holders = 0;
  private requested = false;

  constructor(
    private readonly power: PowerApi | undefined,
    /** The user's setting (Settings → Phone, on by default). */
    private readonly enabled: () => Promise<boolean>,
  ) {}

  /** Whether this browser can keep the computer awake at all. */
  get supported(): boolean {
    return this.power !== undefined;
  }

  /** While a task runs; call the returned function when it ends (extra calls do nothing). */
  hold(): () => void {
    this.holders += 1;
    if (this.holders === 1) void this.apply();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
      if (this.holders === 0) void this.apply();
    };
  }

  /** Re-reads the setting (after the user changed it). */
  refresh(): Promise<void> {
    return this.apply();
  }

  private async apply(): Promise<void> {
    if (!this.power) return;
    const want = this.holders > 0 && (await this.enabled().catch(() => false));
    // The setting read is async: the count may have changed meanwhile, so decide on the latest.
    const wanted = want && this.holders > 0;
    if (wanted && !this.requested) {
      this.power.requestKeepAwake('system');
      this.requested = true;
    } else if (!wanted && this.requested) {
      this.power.releaseKeepAwake();
      this.requested = false;
    }
  }
}

/** Chrome's power API, where the extension has it. */
export function browserPower(): PowerApi | undefined {
  const chromeGlobal = (globalThis as { chrome?: { power?: PowerApi } }).chrome;
  return chromeGlobal?.power?.requestKeepAwake ? chromeGlobal.power : undefined;
}
